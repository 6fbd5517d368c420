#!/usr/bin/env node
// `npm test`: every check in one command (type check, lint, unit tests, build, browser tests in
// real Chromium), ending with one plain `tests: N passed, N failed` line that sums both runners.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { findChromium } from './chromium.mjs';

const chromium = findChromium();
if (!chromium) {
  console.error(
    'error: no Chromium found for the browser tests: install one with `sudo apt-get install -y chromium` (Debian/Ubuntu) and run npm test again.',
  );
  process.exit(1);
}

mkdirSync('test-results', { recursive: true });
const results = [];
let passed = 0;
let failed = 0;

function step(name, cmd, args, env = {}) {
  console.log(`\n── ${name}: ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    stdio: 'inherit',
    env: { ...process.env, ...env, LAYERSCOPE_CHROMIUM: chromium },
  });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: (Date.now() - started) / 1000 });
  return ok;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const bin = (name) => `node_modules/.bin/${name}`;
const checksOk = [
  step('type check (app, svelte-check)', bin('svelte-check'), [
    '--tsconfig',
    './tsconfig.json',
    '--fail-on-warnings',
    '--output',
    'human',
  ]),
  step('type check (pure core, no DOM)', bin('tsc'), ['-p', 'tsconfig.core.json']),
  step('lint (eslint)', bin('eslint'), ['.']),
  step('format (prettier)', bin('prettier'), ['--check', '.', '--log-level', 'warn']),
];
for (const ok of checksOk) if (!ok) failed++;

step('unit tests (vitest)', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/vitest.json',
]);
const vitest = readJson('test-results/vitest.json');
if (vitest) {
  passed += vitest.numPassedTests ?? 0;
  failed += (vitest.numFailedTests ?? 0) + (vitest.numFailedTestSuites ?? 0);
} else failed++;

const built = step('build (vite)', bin('vite'), ['build', '--logLevel', 'warn']);
if (!built) failed++;
else {
  step('browser tests (playwright, real Chromium)', bin('playwright'), ['test'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/playwright.json',
  });
  const pw = readJson('test-results/playwright.json');
  if (pw?.stats) {
    passed += pw.stats.expected ?? 0;
    failed += (pw.stats.unexpected ?? 0) + (pw.stats.flaky ?? 0);
    if (pw.errors?.length) failed += pw.errors.length;
  } else failed++;
}

console.log('\n── summary');
for (const r of results)
  console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name} (${r.seconds.toFixed(1)} s)`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && existsSync('test-results') ? 0 : 1);
