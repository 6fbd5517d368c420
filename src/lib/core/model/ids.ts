import { sha256Hex } from '../hash/sha256';

/**
 * ChainID(L0) = DiffID(L0); ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln))
 * (OCI image-spec config.md, "Layer ChainID").
 */
export async function chainIds(diffIds: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? d : await sha256Hex(`${prev} ${d}`));
  }
  return out;
}

/** `sha256:0123456789ab...` → `0123456789ab` (docker's short IDs, stringid.TruncateID). */
export function shortId(id: string): string {
  const hex = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
  return hex.slice(0, 12);
}
