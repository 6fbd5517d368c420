/**
 * Writes the synthetic tar fixtures (every header format the reader handles, docs/FORMATS.md §1.10)
 * to a directory: `npx tsx scripts/make-fixtures.ts OUTDIR`. The tests build the same archives in
 * memory from src/lib/core/tar/fixtures.test-helpers.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allFixtures } from '../src/lib/core/tar/fixtures.test-helpers';

const out = process.argv[2];
if (!out) {
  console.error('usage: npx tsx scripts/make-fixtures.ts OUTDIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
for (const f of allFixtures()) {
  writeFileSync(join(out, f.name), f.bytes);
  console.log(`${join(out, f.name)}  ${f.bytes.length} bytes`);
}
