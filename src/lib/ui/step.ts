/**
 * A history step as a learner reads it: Docker's classic builder records `RUN x` as
 * `/bin/sh -c x` and metadata steps as `/bin/sh -c #(nop) COPY ...`; buildah writes the
 * instruction itself. The prefixes are dropped so every builder reads like its Dockerfile.
 */
export function stepLabel(createdBy: string): string {
  // `COPY file:<64 hex> in /dst`: the content hash says nothing to a reader; keep 7 digits.
  const s = createdBy
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\b(file|dir|multi):([0-9a-f]{7})[0-9a-f]{57}\b/g, '$1:$2…');
  const nop = /^\/bin\/sh -c #\(nop\) ?/.exec(s);
  if (nop) return s.slice(nop[0].length).trim();
  const sh = /^(?:\|\d+ (?:\S+=\S* )*)?\/bin\/sh -c /.exec(s);
  if (sh) return `RUN ${s.slice(sh[0].length)}`;
  return s;
}
