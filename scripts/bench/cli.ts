/**
 * The CLI's figures (issue 25), each beside GNU tools run in the same run on the same bytes:
 *  - start-up: `layerscope --help` to its first byte of output, beside `node -e ''`;
 *  - `ls` (indexes every layer, reads no file body) beside GNU tar listing the layers through a
 *    pipe (`tail -c +OFF FILE | head -c SIZE [| gzip -dc | zstd -dc] | tar -t`);
 *  - `inspect` (indexes, then hashes every layer: digest and diffID) beside that listing plus
 *    `sha256sum` of each layer (of the stored and the decompressed bytes when compressed).
 * The CLI measured is the built one (dist-cli/layerscope.mjs), as a user installs it.
 *
 * Run alone with `npm run bench -- --only cli` (or BENCH_ONLY=cli): no browser is started.
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openAsBlob, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generate, type GenerateOptions } from './generate';
import { openArchive } from '../../src/lib/core/archive/open';

const ROOT = resolve(import.meta.dirname, '../..');
const DATA = join(ROOT, 'bench-data');
const BIN = join(ROOT, 'bin/layerscope.mjs');
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? process.env.BENCH_RUNS ?? 3);

export interface CliRow {
  figure: string;
  value: string;
  baseline: string;
  budget: string;
  met: boolean | undefined;
}

interface CliInput {
  id: string;
  file: string;
  gen: Omit<GenerateOptions, 'out'>;
}

/** The uncompressed input is the CLI's own; the gzip and zstd ones are the browser bench's. */
export const CLI_INPUTS: CliInput[] = [
  {
    id: 'docker-900m',
    file: join(DATA, 'bench-docker-800m.tar'),
    gen: { format: 'docker', compression: 'none', layers: 6, files: 60_000, bytes: 8.5e8 },
  },
  {
    id: 'oci-gzip-1g',
    file: join(DATA, 'bench-oci-gzip.tar'),
    gen: { format: 'oci', compression: 'gzip', layers: 6, files: 60_000, bytes: 2.5e9 },
  },
  {
    id: 'oci-zstd',
    file: join(DATA, 'bench-oci-zstd.tar'),
    gen: { format: 'oci', compression: 'zstd', layers: 6, files: 60_000, bytes: 1.2e9 },
  },
];

const median = (xs: number[]) => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmtMs = (ms: number) =>
  Number.isFinite(ms)
    ? ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(0)} ms`
    : 'n/a';
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function log(msg: string) {
  process.stderr.write(`bench: ${msg}\n`);
}

interface Layer {
  offset: number;
  size: number;
  compression: string;
}

async function layerBlobs(file: string): Promise<Layer[]> {
  const opened = await openArchive(await openAsBlob(file));
  return Object.values(opened.model.layers)
    .filter((l) => l.present && l.blob)
    .map((l) => ({ offset: l.blob!.offset, size: l.blob!.size, compression: l.compression }));
}

const decoder = (l: Layer) =>
  l.compression === 'gzip' ? 'gzip -dc' : l.compression === 'zstd' ? 'zstd -dc' : '';

function timeBash(script: string, file: string): number {
  const t = performance.now();
  execFileSync('bash', ['-c', script, file], { stdio: ['ignore', 'ignore', 'inherit'] });
  return performance.now() - t;
}

/** GNU tar listing every layer through a pipe. */
function tarList(file: string, layers: Layer[]): number {
  const steps = layers.map((l) => {
    const dec = decoder(l);
    return `tail -c +${l.offset + 1} "$0" | head -c ${l.size} ${dec ? `| ${dec} ` : ''}| tar -t > /dev/null`;
  });
  return timeBash(steps.join('\n'), file);
}

/** That listing plus sha256sum of each layer's stored bytes (and of the tar when compressed). */
function tarListAndHash(file: string, layers: Layer[]): number {
  const steps = layers.map((l) => {
    const blob = `tail -c +${l.offset + 1} "$0" | head -c ${l.size}`;
    const dec = decoder(l);
    return dec
      ? `${blob} | sha256sum > /dev/null\n${blob} | ${dec} | tee >(sha256sum > /dev/null) | tar -t > /dev/null`
      : `${blob} | tar -t > /dev/null\n${blob} | sha256sum > /dev/null`;
  });
  return timeBash(steps.join('\n'), file);
}

function cli(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(BIN, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LAYERSCOPE_BUILT_CLI: '1' },
  });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`layerscope ${args.join(' ')} exited ${r.status}`);
  return ms;
}

/** Milliseconds from spawn to the first byte on stdout. */
function firstOutput(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<number>((done, fail) => {
    const t = performance.now();
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let at: number | undefined;
    p.stdout.once('data', () => (at = performance.now() - t));
    p.on('error', fail);
    p.on('close', () => done(at ?? performance.now() - t));
  });
}

export async function cliRows(): Promise<CliRow[]> {
  mkdirSync(DATA, { recursive: true });
  for (const input of CLI_INPUTS) {
    if (existsSync(input.file)) continue;
    log(`generating ${input.file} (once; kept in bench-data/)`);
    await generate({ ...input.gen, out: input.file });
  }
  log('building the CLI (dist-cli/layerscope.mjs)');
  execFileSync('npm', ['run', '--silent', 'build:cli', '--', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const rows: CliRow[] = [];

  const built = { ...process.env, LAYERSCOPE_BUILT_CLI: '1' };
  const help: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < 10; i++) {
    help.push(await firstOutput(BIN, ['--help'], built));
    bare.push(await firstOutput(process.execPath, ['-e', 'process.stdout.write("x")']));
  }
  rows.push({
    figure: 'CLI start-up: `layerscope --help` to first output',
    value: fmtMs(median(help)),
    baseline: `node printing one byte ${fmtMs(median(bare))}`,
    budget: '< 150 ms',
    met: median(help) < 150,
  });

  for (const input of CLI_INPUTS) {
    const size = statSync(input.file).size;
    const layers = await layerBlobs(input.file);
    const compressed = layers.some((l) => l.compression !== 'none');
    log(`${input.id}: ${(size / 1e6).toFixed(0)} MB, ${layers.length} layers, ${RUNS} runs`);
    const ls: number[] = [];
    const inspect: number[] = [];
    const list: number[] = [];
    const listHash: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternated, so a slower moment of a shared machine falls on both sides.
      list.push(tarList(input.file, layers));
      ls.push(cli(['ls', input.file]));
      listHash.push(tarListAndHash(input.file, layers));
      inspect.push(cli(['inspect', input.file, '--json']));
      log(
        `  run ${i + 1}: ls ${fmtMs(ls[i]!)} (tar -t ${fmtMs(list[i]!)}), inspect ${fmtMs(inspect[i]!)} (tar -t + sha256sum ${fmtMs(listHash[i]!)})`,
      );
    }
    const [l, t, ins, th] = [median(ls), median(list), median(inspect), median(listHash)];
    const label = `${input.id} (${(size / 1e6).toFixed(0)} MB${compressed ? `, ${layers[0]!.compression} layers` : ''})`;
    rows.push({
      figure: `${label}: CLI \`ls\``,
      value: `${fmtMs(l)} (${ratio(l, t)})`,
      baseline: `tar -t of the layers through a pipe ${fmtMs(t)}`,
      budget: compressed ? '' : '≤ 0.5 × tar -t',
      met: compressed ? undefined : l <= 0.5 * t,
    });
    rows.push({
      figure: `${label}: CLI \`inspect\` (digests verified)`,
      value: `${fmtMs(ins)} (${ratio(ins, th)})`,
      baseline: `tar -t + sha256sum of the layers ${fmtMs(th)}`,
      budget: compressed ? '' : '≤ 1.0 × tar -t + sha256sum',
      met: compressed ? undefined : ins <= th,
    });
  }
  return rows;
}
