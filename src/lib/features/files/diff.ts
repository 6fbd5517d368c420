/** A line diff (longest common subsequence) for the file timeline; inputs are capped by lines. */
export type DiffLine = { op: ' ' | '+' | '-'; text: string };

export const MAX_DIFF_LINES = 1500;

export function lineDiff(a: string, b: string): DiffLine[] | undefined {
  const x = a.split('\n');
  const y = b.split('\n');
  let pre = 0;
  while (pre < x.length && pre < y.length && x[pre] === y[pre]) pre++;
  let suf = 0;
  while (
    suf < x.length - pre &&
    suf < y.length - pre &&
    x[x.length - 1 - suf] === y[y.length - 1 - suf]
  )
    suf++;
  const xs = x.slice(pre, x.length - suf);
  const ys = y.slice(pre, y.length - suf);
  if (xs.length > MAX_DIFF_LINES || ys.length > MAX_DIFF_LINES) return undefined;
  const n = xs.length;
  const m = ys.length;
  const w = m + 1;
  const lcs = new Uint16Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * w + j] =
        xs[i] === ys[j]
          ? lcs[(i + 1) * w + j + 1]! + 1
          : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
  const out: DiffLine[] = x.slice(0, pre).map((text) => ({ op: ' ', text }));
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (xs[i] === ys[j]) {
      out.push({ op: ' ', text: xs[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) out.push({ op: '-', text: xs[i++]! });
    else out.push({ op: '+', text: ys[j++]! });
  }
  while (i < n) out.push({ op: '-', text: xs[i++]! });
  while (j < m) out.push({ op: '+', text: ys[j++]! });
  for (const text of x.slice(x.length - suf)) out.push({ op: ' ', text });
  return out;
}
