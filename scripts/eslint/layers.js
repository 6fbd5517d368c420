// The import floors of src/: one table of which folder may import which, checked by ESLint on every
// relative import of every .ts and .svelte file under src/ (`import … from`, `export … from`,
// `import()`, and `import('…')` types). A folder may import itself and the folders its row names,
// nothing else; a folder with no row, an import that resolves to no file and an `import()` whose
// path is not a plain string are errors too, so a new folder starts by getting a row here.
//
// Test files (`*.test.ts`, `*.test-helpers.ts`) are exempt from the floors (a test may build its
// input with anything, tests/fixtures included) but their imports must still resolve; product
// code may not import them. Package imports (`svelte`, `idb`, …) are not this rule's business: the
// core's ban on svelte and node:* is no-restricted-imports in eslint.config.js.
import { statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The project's root (this file is scripts/eslint/layers.js); layers are named from src/. */
const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

/**
 * Who may import whom. Keys are layers: `core/<folder>` for src/lib/core/<folder>/ (and
 * `core/engine` for core/engine.ts or core/engine/), `lib/<folder>` for the other folders of
 * src/lib/, `cli` for src/cli/, `app` for the files directly in src/. `core/*` means every core
 * layer, `*` anything. The core's rows run bottom to top: each imports only rows above it.
 */
export const LAYERS = {
  // ── the core: pure TypeScript, run by the worker, the page and the CLI ──
  /** Where the code runs (Node or browser, worker or page) and GC hints: the bottom. */
  'core/platform': [],
  /** Streaming SHA-256 (hash-wasm), used for digests and diffIDs: the bottom. */
  'core/hash': [],
  /** Types, ArchiveError, Go-compatible JSON, ids, LIMITS, string order (ids hash with sha256). */
  'core/model': ['core/hash'],
  /** The tar reader and writer: headers, skip-aware indexing over Blob.slice, columns. */
  'core/tar': ['core/model', 'core/platform'],
  /** Image references: parse, normalise, familiar and canonical names. */
  'core/reference': ['core/model'],
  /** What Docker prints: units, widths, tabwriter, docker tables. Knows only the model's types. */
  'core/format': ['core/model'],
  /** gzip / zstd / xz / bzip2 by magic bytes, with the expansion limit. */
  'core/compress': ['core/model', 'core/platform', 'core/tar'],
  /** The layers of one image merged bottom to top (whiteouts, opaque dirs, wasted space). */
  'core/overlay': ['core/model', 'core/tar'],
  /** Package databases read from an overlay (dpkg, apk, npm, Python): inventory, purls, SBOMs. */
  'core/packages': ['core/model', 'core/tar', 'core/overlay'],
  /** An archive opened: sniff, classify the variant, read the JSON, index and verify layers. */
  'core/archive': [
    'core/model',
    'core/platform',
    'core/hash',
    'core/tar',
    'core/compress',
    'core/reference',
  ],
  /** A simulated container: a writable layer over the overlay, docker diff, docker commit. */
  'core/container': [
    'core/model',
    'core/platform',
    'core/hash',
    'core/tar',
    'core/compress',
    'core/reference',
    'core/format',
    'core/overlay',
    'core/archive',
  ],
  /** docker save: writes an archive (Docker 25+ layout) from opened and committed images. */
  'core/save': [
    'core/model',
    'core/platform',
    'core/hash',
    'core/tar',
    'core/compress',
    'core/reference',
    'core/archive',
  ],
  /** Every table Docker prints, computed once; rendered by the views, the CLI and the terminal. */
  'core/present': [
    'core/model',
    'core/format',
    'core/reference',
    'core/overlay',
    'core/container',
    'core/tar',
    'core/archive',
    'core/hash',
    'core/platform',
  ],
  /** The engine's entry: open → index → verify with an AbortSignal; owns layer stats. */
  'core/engine': ['core/*'],

  // ── the app around the core ──
  /** The Node command line (`npx layerscope`): the core and nothing of the page. */
  cli: ['core/*'],
  /** The Web Worker and its client: the only code that speaks postMessage. */
  'lib/workers': ['core/*'],
  /** IndexedDB (recent archives, containers, lesson progress) and the storage status: plain data. */
  'lib/persistence': ['core/*'],
  /** The catalogues (en.json, zh.json) and locale setup: nothing else of the app. */
  'lib/i18n': [],
  /** The view registry: which views exist and their routes. */
  'lib/views': ['core/*'],
  /** Lesson data and its schema, which names views and sample facts. */
  'lib/content': ['core/*', 'lib/i18n', 'lib/views'],
  /** Shared components: props in, events out; no app state. */
  'lib/ui': ['core/*', 'lib/i18n'],
  /** Svelte runes state: sessions, route, containers; the only way to workers and storage. */
  'lib/state': ['core/*', 'lib/workers', 'lib/persistence', 'lib/content', 'lib/i18n', 'lib/views'],
  /** One folder per view; storage and the worker only through state. */
  'lib/features': ['core/*', 'lib/state', 'lib/ui', 'lib/content', 'lib/i18n', 'lib/views'],
  /** App.svelte, main.ts, app.css: the shell that puts it all together. */
  app: ['*'],
};

const TEST_FILE = /\.test(-helpers)?\.ts$/;

/** The layer of a path inside src/ (relative, `/`-separated), or undefined outside any. */
export function layerOf(rel) {
  const parts = rel.split('/');
  if (parts.length === 1) return 'app';
  if (parts[0] === 'cli') return 'cli';
  if (parts[0] !== 'lib' || parts.length < 3) return undefined;
  if (parts[1] !== 'core') return `lib/${parts[1]}`;
  if (parts.length === 3) return parts[2] === 'engine.ts' ? 'core/engine' : undefined;
  return `core/${parts[2]}`;
}

/** May layer `from` import layer `to`? */
export function allowed(from, to) {
  if (from === to) return true;
  const may = LAYERS[from] ?? [];
  return may.some((m) => m === '*' || m === to || (m === 'core/*' && to.startsWith('core/')));
}

const EXTENSIONS = ['', '.ts', '.js', '.svelte', '.json', '/index.ts', '/index.js'];
const found = new Map();

/** The file an import names, as a bundler (Vite, `moduleResolution: bundler`) finds it. */
function resolveFile(fromFile, spec) {
  const base = resolve(dirname(fromFile), spec.split('?')[0]);
  for (const ext of EXTENSIONS) {
    const file = base + ext;
    let isFile = found.get(file);
    if (isFile === undefined) {
      try {
        isFile = statSync(file).isFile();
      } catch {
        isFile = false;
      }
      found.set(file, isFile);
    }
    if (isFile) return file;
  }
  return undefined;
}

const inSrc = (file) => {
  const rel = relative(SRC, file);
  return rel.startsWith('..') || rel.startsWith(sep) ? undefined : rel.split(sep).join('/');
};

/** The module path of an import-like node, '' when it is computed (not a plain string). */
function specifier(source) {
  if (!source) return undefined;
  if (source.type === 'Literal') return typeof source.value === 'string' ? source.value : '';
  if (source.type === 'TemplateLiteral')
    return source.expressions.length === 0 ? source.quasis[0].value.cooked : '';
  if (source.type === 'TSLiteralType') return specifier(source.literal);
  return '';
}

/** @type {import('eslint').Rule.RuleModule} */
export const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports between the folders of src/ follow the layer table' },
    schema: [],
    messages: {
      upward:
        '{{from}} may not import {{to}} ({{spec}}). {{from}} may import: {{may}}. The table is in scripts/eslint/layers.js.',
      unknownFrom:
        '{{file}} is in no layer of scripts/eslint/layers.js: give its folder a row there.',
      unknownTo:
        '{{spec}} lands in {{target}}, which is in no layer of scripts/eslint/layers.js: give its folder a row there.',
      unresolved: '{{spec}} resolves to no file (tried .ts, .js, .svelte, .json, /index.ts).',
      computed: 'import() with a computed path cannot be checked against the layer table.',
      testFile: 'Product code may not import a test file ({{spec}}).',
    },
  },
  create(context) {
    const filename = context.filename;
    const rel = inSrc(filename);
    if (rel === undefined) return {};
    const from = layerOf(rel);
    const isTest = TEST_FILE.test(rel);

    function check(node, source) {
      const spec = specifier(source);
      if (spec === undefined) return;
      if (spec === '') {
        context.report({ node, messageId: 'computed' });
        return;
      }
      if (!spec.startsWith('.') && !spec.startsWith('/')) return;
      const file = resolveFile(filename, spec);
      if (!file) {
        context.report({ node, messageId: 'unresolved', data: { spec } });
        return;
      }
      const target = inSrc(file);
      if (!isTest && target !== undefined && TEST_FILE.test(target)) {
        context.report({ node, messageId: 'testFile', data: { spec } });
        return;
      }
      if (isTest || !(from in LAYERS)) return;
      const to = target === undefined ? undefined : layerOf(target);
      if (to === undefined || !(to in LAYERS)) {
        context.report({
          node,
          messageId: 'unknownTo',
          data: { spec, target: target === undefined ? relative(ROOT, file) : `src/${target}` },
        });
        return;
      }
      if (!allowed(from, to)) {
        const may = (LAYERS[from] ?? []).join(', ') || 'nothing';
        context.report({ node, messageId: 'upward', data: { from, to, spec, may } });
      }
    }

    return {
      Program(node) {
        if (!(from in LAYERS))
          context.report({ node, messageId: 'unknownFrom', data: { file: `src/${rel}` } });
      },
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      // typescript-eslint 8 names the path `source` (`argument` before, now deprecated).
      TSImportType: (node) => check(node, 'source' in node ? node.source : node.argument),
    };
  },
};

/** The local plugin eslint.config.js loads: `layerscope/layers`. */
export default { meta: { name: 'layerscope' }, rules: { layers: rule } };
