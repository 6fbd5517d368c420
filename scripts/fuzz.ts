/**
 * `npm run fuzz [-- --cases N --seed S --workers W --no-sweep --case I --only NAME --heavy]`
 * `npm run fuzz -- --browser [--cases N --seed S]`: the same mutations in the app in Chromium
 *
 * Fuzzes the engine (tests/fuzz/): first every sample and synthetic archive truncated at
 * every 512-byte boundary (300 sampled cuts of the 30 MB debian sample), then N seeded random
 * mutations (default 10,000; of the debian sample too with --heavy). Cases run in worker threads; a case that has not ended after its
 * 5 s deadline fails, and a worker that stops answering (a synchronous hang) is replaced and the
 * case reported. Prints a summary: cases, results and errors by code, the slowest case, and every
 * failure with the command that reproduces it. Exits 1 when any case failed.
 *
 * Also exports `loadCorpus()` for the seeded subset that `npm test` runs (fuzz.test.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import {
  CASE_TIMEOUT_MS,
  FuzzSummary,
  makePlan,
  prepare,
  runCase,
  type CaseResult,
  type Codecs,
  type FuzzInput,
  type FuzzPlan,
} from '../tests/fuzz/harness';
import { writeTar, type TarWriteEntry } from '../src/lib/core/tar/write';
import { encodeHeader } from '../src/lib/core/tar/write';
import {
  buildLayers,
  configFor,
  containerdExport,
  dir,
  docker25,
  dockerLegacy,
  family,
  file,
  ggcrTarball,
  ociArchive,
  plainTar,
  podmanArchive,
  zstd,
  type SynthImage,
} from '../tests/fixtures/archives';

const ROOT = join(fileURLToPath(import.meta.url), '../..');
const SAMPLES = join(ROOT, 'sample-images');

/** Node's zlib for re-compression: the same bytes pako would give, ten times faster. */
export const nodeCodecs: Codecs = { gzip: (d) => new Uint8Array(gzipSync(d, { level: 1 })) };

const u8 = (b: Uint8Array | Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** A layer with every hostile name shape: `..`, absolute, control characters, invalid UTF-8. */
export function hostileLayer(): Uint8Array {
  const entries: TarWriteEntry[] = [
    dir('ok'),
    file('ok/a', 'a'),
    file('../escape', 'x'),
    file('/abs/path', 'x'),
    file('a/../../b', 'x'),
    file('ctl\x01\x1b[31m\tname\n', 'x'),
    file('<script>alert(1)</script>.html', '<script>window.pwned=1</script>'),
    { path: 'loop-a', type: 'symlink', linkname: 'loop-b' },
    { path: 'loop-b', type: 'symlink', linkname: 'loop-a' },
    { path: 'self', type: 'symlink', linkname: 'self' },
    { path: 'hard-missing', type: 'hardlink', linkname: 'no/such/file' },
    { path: 'hard-ok', type: 'hardlink', linkname: 'ok/a' },
    file('.wh.', ''),
    file('ok/.wh.nothing', ''),
    file('deep/' + 'd/'.repeat(300) + 'leaf', 'x'),
  ];
  const tar = writeTar(entries);
  // A name with invalid UTF-8 bytes, written raw (the writer only takes strings).
  const raw = encodeHeader({
    name: Uint8Array.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0xc0, 0xaf]),
    typeflag: '0',
    size: 0,
  });
  const out = new Uint8Array(tar.length + 512);
  out.set(tar.subarray(0, tar.length - 1024), 0);
  out.set(raw, tar.length - 1024);
  return out;
}

/** Every archive the fuzzer starts from: the bundled samples and each synthetic variant. */
export function loadCorpus(opts: { samples?: boolean; heavy?: boolean } = {}): FuzzInput[] {
  const inputs: FuzzInput[] = [];
  const sample = (name: string, weight: number, sweep: FuzzInput['sweep'] = 'all') => {
    const path = join(SAMPLES, name);
    if (existsSync(path)) inputs.push({ name, bytes: u8(readFileSync(path)), weight, sweep });
  };
  if (opts.samples !== false) {
    sample('hello.tar', 3);
    sample('hello.tar.gz', 2);
    sample('busybox-app.tar', 1.5);
    sample('multi-app.tar', 1.5);
    sample('busybox-app.oci.tar', 1);
    sample('busybox-app.zstd.oci.tar', 0.6);
    // The 30 MB sample: sampled truncation cuts; random mutations only with --heavy (each case
    // takes 2 s alone and can pass the 5 s deadline on a loaded machine).
    sample('debian-app.oci.tar', opts.heavy ? 0.25 : 0, 300);
    sample('busybox-export.tar', 0.4);
  }
  const fam = family();
  const one = fam[0]!;
  const synth = (name: string, bytes: Uint8Array, weight = 1) =>
    inputs.push({ name: `synth:${name}`, bytes, weight });
  synth('docker-legacy', dockerLegacy(fam));
  synth('docker25', docker25(fam));
  synth('docker25-null-index', docker25(fam, { nullIndex: true }), 0.5);
  synth(
    'containerd',
    containerdExport(
      [
        { ...one, platform: { os: 'linux', architecture: 'amd64' } },
        { ...one, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ],
      'synth/app:1',
    ),
  );
  synth('podman', podmanArchive(fam));
  synth('ggcr', ggcrTarball(one));
  synth('oci-gzip', ociArchive(one, 'localhost/app:1'));
  synth('oci-zstd', ociArchive(one, 'localhost/app:1', { compression: 'zstd' }));
  synth('oci-multi-gzip', ociArchive(one, 'localhost/app:1', { compression: 'multi-gzip' }));
  synth('rerooted', podmanArchive(fam, { reroot: 'myimage/' }), 0.5);
  synth('missing-layer', dockerLegacy([one], { dropLayers: [1] }), 0.5);
  const plain = podmanArchive(fam);
  synth('outer-gzip', u8(gzipSync(plain)));
  synth('outer-zstd', zstd(plain), 0.5);
  synth('outer-xz', u8(execFileSync('xz', ['-c', '-0'], { input: plain })), 0.3);
  const gnu = writeTar(
    [
      dir('gnu'),
      file('gnu/' + 'long-name-'.repeat(20), 'x'),
      { path: 'gnu/big-uid', type: 'file', uid: 2 ** 40, data: new Uint8Array(3) },
      { path: 'gnu/link', type: 'symlink', linkname: 'l'.repeat(300) },
    ],
    { format: 'gnu' },
  );
  const hostile: SynthImage = {
    tags: ['hostile:1'],
    layers: [[], [], []],
    rawLayers: [gnu, hostileLayer(), new Uint8Array(1024)],
  };
  synth('hostile-names', podmanArchive([hostile]));
  // A docker-archive whose gzip layer has a plain name: nothing in it claims the blob's digest.
  const layers = buildLayers(one);
  const config = configFor(one, layers);
  synth(
    'unnamed-gzip-layers',
    plainTar([
      ['config.json', config],
      ...layers.map((l, i): [string, Uint8Array] => [`layer${i}.tar.gz`, u8(gzipSync(l.tar))]),
      [
        'manifest.json',
        new TextEncoder().encode(
          JSON.stringify([
            {
              Config: 'config.json',
              RepoTags: ['unnamed:1'],
              Layers: layers.map((_, i) => `layer${i}.tar.gz`),
            },
          ]),
        ),
      ],
    ]),
  );
  synth('hostile-oci', ociArchive(hostile, 'hostile:1', { compression: 'gzip' }));
  return inputs;
}

function parseArgs(argv: string[]) {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    cases: Number(get('--cases') ?? 10_000),
    seed: Number(get('--seed') ?? 1),
    workers: Number(get('--workers') ?? Math.max(1, availableParallelism())),
    sweep: !argv.includes('--no-sweep'),
    only: get('--only'),
    heavy: argv.includes('--heavy'),
    single: get('--case') === undefined ? undefined : Number(get('--case')),
    timeout: Number(get('--timeout') ?? CASE_TIMEOUT_MS),
  };
}
type Args = ReturnType<typeof parseArgs>;

async function buildPlan(args: Args): Promise<FuzzPlan> {
  let corpus = loadCorpus({ heavy: args.heavy });
  if (args.only) corpus = corpus.filter((c) => c.name.includes(args.only!));
  const prepared = [];
  for (const c of corpus) prepared.push(await prepare(c));
  return makePlan(prepared, {
    seed: args.seed,
    random: args.cases,
    sweep: args.sweep,
    codecs: nodeCodecs,
  });
}

function repro(args: Args, r: CaseResult): string {
  const flags = [`--seed ${args.seed}`, `--cases ${args.cases}`, `--case ${r.index}`];
  if (!args.sweep) flags.push('--no-sweep');
  if (args.only) flags.push(`--only ${args.only}`);
  if (args.heavy) flags.push('--heavy');
  return `npm run fuzz -- ${flags.join(' ')}`;
}

// ---------------------------------------------------------------------------------------------
// Worker threads: each prepares the corpus, then runs the case indexes it is sent.

interface FromWorker {
  type: 'ready' | 'result' | 'started';
  index?: number;
  result?: CaseResult;
}

async function workerMain(): Promise<void> {
  const args = workerData.args as Args;
  const plan = await buildPlan(args);
  let current = -1;
  const stray: string[] = [];
  process.on('unhandledRejection', (e) => {
    stray.push(`unhandled rejection during case ${current}: ${(e as Error)?.stack ?? e}`);
  });
  parentPort!.on('message', async (i: number) => {
    current = i;
    parentPort!.postMessage({ type: 'started', index: i } satisfies FromWorker);
    const result = await runCase(plan, i, args.timeout);
    // Give stray rejections of this case a turn to surface.
    await new Promise((r) => setTimeout(r, 0));
    if (stray.length) result.failures.push(...stray.splice(0));
    parentPort!.postMessage({ type: 'result', index: i, result } satisfies FromWorker);
  });
  parentPort!.postMessage({ type: 'ready' } satisfies FromWorker);
}

/**
 * `--browser`: the campaign in the real app in Chromium (tests/e2e/fuzz.spec.ts), with
 * `--cases` seeded mutations (default 2,000) after the generated huge-list archives. Builds the
 * app first, as `npm test` does.
 */
function browserCampaign(argv: string[]): void {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const run = (cmd: string, cmdArgs: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, ...env } });
    if (r.status !== 0) process.exit(r.status ?? 1);
  };
  run('node_modules/.bin/vite', ['build', '--logLevel', 'warn']);
  run('node_modules/.bin/playwright', ['test', 'tests/e2e/fuzz.spec.ts', '--reporter=line'], {
    LAYERSCOPE_FUZZ_CASES: get('--cases') ?? '2000',
    ...(get('--seed') ? { LAYERSCOPE_FUZZ_SEED: get('--seed')! } : {}),
  });
}

async function main(): Promise<void> {
  if (process.argv.includes('--browser')) return browserCampaign(process.argv.slice(2));
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  if (args.single !== undefined) {
    const plan = await buildPlan(args);
    const r = await runCase(plan, args.single, args.timeout);
    console.log(JSON.stringify(r, null, 2));
    process.exitCode = r.failures.length ? 1 : 0;
    return;
  }
  const probe = await buildPlan({ ...args, cases: 0 });
  const total = probe.sweep.length + args.cases;
  console.log(
    `fuzz: ${probe.inputs.length} inputs, ${probe.sweep.length} truncation cuts + ${args.cases} random cases (seed ${args.seed}), ${args.workers} workers, ${args.timeout} ms per case`,
  );
  for (const p of probe.inputs)
    console.log(
      `  ${p.input.name.padEnd(28)} ${String(p.input.bytes.length).padStart(9)} B  clean: ${p.clean.outcome}`,
    );
  const summary = new FuzzSummary();
  let next = 0;
  let done = 0;
  const hangMs = args.timeout + 15_000;

  await new Promise<void>((resolveAll) => {
    let live = 0;
    const spawn = () => {
      live++;
      // The worker loads this TypeScript file through tsx's API (loader flags do not reach
      // worker threads).
      const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); })`;
      const w = new Worker(boot, { eval: true, workerData: { args, fuzzWorker: true } });
      let ready = false;
      let running = -1;
      let since = 0;
      const feed = () => {
        if (next >= total) {
          void w.terminate();
          return;
        }
        running = next++;
        since = Date.now();
        w.postMessage(running);
      };
      const watchdog = setInterval(() => {
        if (running >= 0 && Date.now() - since > hangMs) {
          // A synchronous hang: the case's own deadline could not fire.
          summary.add({
            index: running,
            input: '?',
            op: '?',
            detail: '',
            ms: Date.now() - since,
            outcome: 'timeout',
            failures: [`worker unresponsive for ${hangMs} ms (synchronous hang)`],
          });
          done++;
          running = -1;
          clearInterval(watchdog);
          void w.terminate();
          spawn();
        }
      }, 1000);
      w.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          ready = true;
          feed();
        } else if (m.type === 'started') since = Date.now();
        else if (m.type === 'result') {
          summary.add(m.result!);
          done++;
          running = -1;
          feed();
        }
      });
      w.on('error', (e) => {
        if (!ready) {
          console.error(`error: a fuzz worker failed to start: ${e.stack ?? e}`);
          process.exit(2);
        }
        if (running >= 0) {
          summary.add({
            index: running,
            input: '?',
            op: '?',
            detail: '',
            ms: Date.now() - since,
            outcome: 'exception',
            failures: [`worker crashed: ${e.stack ?? e}`],
          });
          done++;
          running = -1;
        }
      });
      w.on('exit', () => {
        clearInterval(watchdog);
        live--;
        if (next < total && running < 0 && live < args.workers) spawn();
        if (live === 0 && done >= total) resolveAll();
        else if (live === 0 && next >= total) resolveAll();
      });
    };
    for (let i = 0; i < Math.min(args.workers, total); i++) spawn();
    const progress = setInterval(() => {
      if (done >= total) clearInterval(progress);
      else
        console.log(
          `  … ${done}/${total} cases, ${summary.failures.length} failures, ${((performance.now() - started) / 1000).toFixed(0)} s`,
        );
    }, 15_000);
  });
  console.log(summary.format((r) => repro(args, r)));
  console.log(`wall time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  process.exitCode = summary.failures.length ? 1 : 0;
}

const entry = process.argv[1] ? pathToFileURL(process.argv[1]).href : '';
if (!isMainThread && (workerData as { fuzzWorker?: boolean } | null)?.fuzzWorker) void workerMain();
else if (isMainThread && entry === import.meta.url) void main();
