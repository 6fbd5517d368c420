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
