/**
 * The lessons are data; these tests keep them honest: both languages present and structurally
 * identical, every file valid, every action and target pointing at something the real bundled
 * sample has (checked against the oracles in sample-images/, not against layerscope's code), every
 * fact a lesson states true of the sample, and every concept of the course texts covered.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tryParseImageReference } from '../../core/reference';
import { VIEW_IDS } from '../../views/registry';
import { CONTAINER_ACTIONS } from '../../core/container/actions';
import {
  compareLessons,
  countSentences,
  getLesson,
  lessonFiles,
  lessonIds,
  lessonProblems,
  lessonsIn,
  parseMarkup,
  parseTarget,
  validateLesson,
  type Lang,
  type Lesson,
  type LessonStep,
} from './index';
import {
  atPath,
  expectedOf,
  imageOf,
  knownHashes,
  layerEntries,
  overlayAt,
  samples,
  selectablePaths,
  tarJson,
  wasteRows,
  type ExpectedImage,
} from './samples.test-helpers';

const DIR = import.meta.dirname;
const folders = readdirSync(DIR).filter((f) => statSync(join(DIR, f)).isDirectory());
const en = lessonsIn('en');
const zh = lessonsIn('zh');

// ---------------------------------------------------------------------------------------------
describe('lesson files', () => {
  it('has the course: at least 10 lessons', () => {
    expect(folders.length).toBeGreaterThanOrEqual(10);
  });

  it.each(folders)('%s exists in both languages, and only as en.json and zh.json', (folder) => {
    const files = readdirSync(join(DIR, folder)).sort();
    expect(files).toEqual(['en.json', 'zh.json']);
  });

  it('the glob in index.ts finds every file on disk', () => {
    const onDisk = folders.flatMap((f) => readdirSync(join(DIR, f)).map((x) => `./${f}/${x}`));
    expect(lessonFiles.map((f) => f.file).sort()).toEqual(onDisk.sort());
  });

  it.each(lessonFiles.map((f) => [f.file, f.json] as const))(
    '%s passes validateLesson',
    (_f, j) => {
      expect(validateLesson(j)).toEqual([]);
    },
  );

  it('loads with no problems (ids match folders, langs match names, en and zh agree)', () => {
    expect(lessonProblems).toEqual([]);
    expect(lessonIds.sort()).toEqual([...folders].sort());
  });

  it.each(folders)('%s: en and zh have the same step ids, actions, targets and answers', (id) => {
    const a = getLesson(id, 'en')!;
    const b = getLesson(id, 'zh')!;
    expect(compareLessons(a, b)).toEqual([]);
    const shape = (l: Lesson) =>
      l.steps.map((s) => ({
        id: s.id,
        action: s.action,
        target: s.target,
        answer: s.question?.answer,
        choices: s.question?.choices.length,
        predict: s.question?.predict ?? false,
      }));
    expect(shape(b)).toEqual(shape(a));
  });

  it('orders are 1..n without gaps, in both languages', () => {
    for (const list of [en, zh])
      expect(list.map((l) => l.order)).toEqual(list.map((_l, i) => i + 1));
  });

  it('covers every topic of the issue', () => {
    expect(lessonIds).toEqual(
      expect.arrayContaining([
        'what-is-an-image',
        'layers-and-immutability',
        'names-tags-digests',
        'reading-ls-history-inspect',
        'dockerfile-to-layers',
        'deleting-does-not-shrink',
        'base-parent-shared',
        'container-writable-layer',
        'save-load-export-import',
        'image-vs-container',
      ]),
    );
  });
});

// ---------------------------------------------------------------------------------------------
/** Everything a step says or asks, in one string. */
function stepText(s: LessonStep): string {
  const q = s.question;
  return [s.title, s.text, q?.prompt, ...(q?.choices ?? []), q?.explain].join('\n');
}

function imageCount(sample: string): number {
  return expectedOf(sample).images?.length ?? 0;
}

/** Problems with one step's action and target, checked against the sample's oracle. */
function checkStep(lesson: Lesson, index: number): string[] {
  const out: string[] = [];
  const s = lesson.steps[index]!;
  const a = s.action;
  const listing = samples.find((x) => x.id === a.sample);
  if (!listing) return [`unknown sample ${a.sample}`];
  const exp = expectedOf(a.sample);
  const t = parseTarget(s.target);
  if (!t) return [`unknown target ${s.target}`];

  if (listing.kind === 'not-an-image') {
    if (a.open !== 'export') out.push(`${a.sample} is not an image: use open "export"`);
    if (t.kind !== 'error-panel') out.push('a non-image shows only the error-panel');
    return out;
  }
  if (a.open === 'export') return [`open "export" needs a not-an-image sample, not ${a.sample}`];

  const imageIndex = a.image ?? 0;
  const image = exp.images?.[imageIndex];
  if (!image) return [`${a.sample} has no image ${imageIndex}`];
  const top = image.layers.length - 1;
  if (a.layer !== undefined && a.layer > top) out.push(`${a.sample} has no layer ${a.layer}`);
  const layer = Math.min(a.layer ?? top, top);

  // Container operations: on the image's top, in order within the lesson.
  const started = lesson.steps.slice(0, index).some((x) => x.action.container === 'start');
  const topFs = overlayAt(image, top).present;
  if (a.container) {
    if (a.container !== 'start' && !started) out.push(`${a.container} before any start`);
    if (a.container === 'edit' || a.container === 'delete') {
      if (topFs.get(a.path ?? '')?.type !== 'file')
        out.push(`${a.path} is not a file of the image`);
    }
    if (a.container === 'recreate-dir' && topFs.get(a.path ?? '')?.type !== 'dir')
      out.push(`${a.path} is not a directory of the image`);
  } else if (a.path !== undefined && !selectablePaths(image, layer).has(a.path)) {
    out.push(`${a.path} is not in ${a.sample} at layer ${layer}`);
  }

  const state = overlayAt(image, layer);
  const input = a.input ?? image.repoTags[0] ?? '';
  switch (t.kind) {
    case 'image-row':
    case 'image-cell':
      if (t.image >= imageCount(a.sample)) out.push(`no image ${t.image}`);
      break;
    case 'history-row':
      if (t.index >= (image.config.history?.length ?? 0)) out.push(`no history entry ${t.index}`);
      break;
    case 'layer-row':
      if (t.layer > top) out.push(`no layer ${t.layer}`);
      break;
    case 'file':
      if (a.view === 'container') {
        if (!topFs.has(t.path)) out.push(`${t.path} is not in the image`);
      } else if (!selectablePaths(image, layer).has(t.path))
        out.push(`${t.path} is not in ${a.sample} at layer ${layer}`);
      break;
    case 'json-field':
      if (atPath(image.configRaw, t.path) === undefined)
        out.push(`no ${t.path.join('.')} in the config`);
      break;
    case 'inspect-field':
      if (atPath(inspectDoc(image), t.path) === undefined)
        out.push(`no ${t.path.join('.')} in docker image inspect`);
      break;
    case 'manifest-field': {
      const doc = image.manifestDigest
        ? tarJson(listing.file, `blobs/sha256/${image.manifestDigest.slice(7)}`)
        : tarJson(listing.file, 'manifest.json');
      if (atPath(doc, t.path) === undefined) out.push(`no ${t.path.join('.')} in the manifest`);
      break;
    }
    case 'index-field':
      if (!image.manifestDigest) out.push('index-field needs an OCI archive');
      else if (atPath(tarJson(listing.file, 'index.json'), t.path) === undefined)
        out.push(`no ${t.path.join('.')} in index.json`);
      break;
    case 'waste-row':
      if (!wasteRows(image).some((r) => r.path === t.path))
        out.push(`${t.path} is not a wasted-space row`);
      break;
    case 'name-part': {
      const r = tryParseImageReference(input.trim());
      if (!r.ok) out.push(`${input} does not parse`);
      else if (t.part === 'digest' && !r.reference.digest) out.push(`${input} has no digest`);
      else if (t.part === 'tag' && !r.reference.tag) out.push(`${input} has no tag`);
      break;
    }
    case 'panel':
      if (t.panel === 'shared-layers' && sharedLayerCount(a.sample) === 0)
        out.push(`${a.sample} shares no layer`);
      if (['file-details', 'timeline', 'file-content'].includes(t.panel) && !a.path)
        out.push(`${t.panel} needs a selected path`);
      if (t.panel === 'file-content' && state.present.get(a.path ?? '')?.type !== 'file')
        out.push(`${a.path} is not a file at layer ${layer}`);
      if (t.panel === 'timeline' && versionsOf(image, a.path ?? '') < 2)
        out.push(`${a.path} has no history to show`);
      if (t.panel === 'whiteout-note') {
        const d = state.deleted.get(a.path ?? '');
        if (!d || d.opaque) out.push(`${a.path} is not deleted by a .wh. marker in layer ${layer}`);
      }
      if (t.panel === 'opaque-note' && !state.opaqueDirs.has(a.path ?? ''))
        out.push(`${a.path} is not opaque in layer ${layer}`);
      if (t.panel === 'ref-error' && tryParseImageReference(input.trim()).ok)
        out.push(`${input} is a valid reference`);
      if (t.panel === 'ref-parts' && !tryParseImageReference(input.trim()).ok)
        out.push(`${input} is not a valid reference`);
      break;
    case 'control':
      if (t.control === 'image-select' && imageCount(a.sample) < 2)
        out.push(`${a.sample} has one image: no image picker`);
      break;
    case 'container-diff':
    case 'container-layer':
    case 'container-list':
      if (!a.container) out.push(`${t.kind} needs a container operation`);
      break;
    default:
      break;
  }
  return out;
}

/** `docker image inspect`'s document, built as the Inspect view builds it. */
function inspectDoc(image: ExpectedImage): unknown {
  return {
    Id: image.id,
    RepoTags: image.repoTags,
    RepoDigests: [],
    Parent: '',
    Comment: image.config.history?.at(-1)?.comment ?? '',
    Created: image.created,
    Author: '',
    Config: image.config.config ?? {},
    Architecture: image.architecture,
    Os: image.os,
    Size: 0,
    RootFS: { Type: image.config.rootfs.type, Layers: image.config.rootfs.diff_ids },
  };
}

function sharedLayerCount(sample: string): number {
  const images = expectedOf(sample).images ?? [];
  const users = new Map<string, number>();
  for (const im of images)
    for (const d of new Set(im.layers.map((l) => l.diffId))) users.set(d, (users.get(d) ?? 0) + 1);
  return [...users.values()].filter((n) => n > 1).length;
}

function versionsOf(image: ExpectedImage, path: string): number {
  return image.layers.filter((l) => layerEntries(l).some((e) => e.path === path)).length;
}

const steps = en.flatMap((l) => l.steps.map((s, i) => [`${l.id} › ${s.id}`, l, i] as const));

describe('actions and targets point at what the real samples have', () => {
  it.each(steps)('%s', (_name, lesson, i) => {
    expect(checkStep(lesson, i)).toEqual([]);
  });

  it('the overlay used here agrees with the umoci-unpacked merged oracle', () => {
    for (const s of samples) {
      for (const im of expectedOf(s.id).images ?? []) {
        const ours = [...overlayAt(im, im.layers.length - 1).present.keys()].sort();
        const theirs = im.merged.map((l) => l.split('\t')[0]!).sort();
        expect(ours, `${s.id} ${im.ref}`).toEqual(theirs);
      }
    }
  });

  it('exercises every view, and the container operations in order', () => {
    const views = new Set(en.flatMap((l) => l.steps.map((s) => s.action.view)));
    for (const v of VIEW_IDS) expect(views).toContain(v);
    const ops = en.flatMap((l) => l.steps.flatMap((s) => s.action.container ?? []));
    expect(new Set(ops)).toEqual(new Set(CONTAINER_ACTIONS));
    expect(en.some((l) => l.steps.some((s) => s.action.open === 'export'))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
/** Layer numbers a text mentions ("layer 9", "layers 4 to 9", "第 4 到第 9 层"), 1-based. */
function layerNumbers(text: string, lang: Lang): number[] {
  const nums: number[] = [];
  const re =
    lang === 'en'
      ? /\blayers?\s+(\d+)((?:\s*(?:,|and|to|or)\s*\d+)*)/gi
      : /第\s*(\d+)((?:\s*[、,，和到至]\s*(?:第\s*)?\d+)*)\s*层/g;
  for (const m of text.matchAll(re)) {
    nums.push(Number(m[1]));
    for (const n of (m[2] ?? '').matchAll(/\d+/g)) nums.push(Number(n[0]));
  }
  return nums;
}

describe('what the texts say about the samples', () => {
  const all = [...en, ...zh].flatMap((l) =>
    l.steps.map((s) => [`${l.lang} ${l.id} › ${s.id}`, l.lang, s] as const),
  );

  it.each(all)('%s: layer numbers exist (texts count from 1)', (_n, lang, s) => {
    const layers = Math.max(
      0,
      ...(expectedOf(s.action.sample).images ?? []).map((i) => i.layers.length),
    );
    for (const n of layerNumbers(stepText(s), lang)) {
      expect(n, `layer ${n}`).toBeGreaterThanOrEqual(1);
      expect(n, `layer ${n}`).toBeLessThanOrEqual(layers);
    }
  });

  it('finds layer numbers in both languages (the check above is not vacuous)', () => {
    expect(layerNumbers('rebuild layers 4 to 9, and layer 6', 'en')).toEqual([4, 9, 6]);
    expect(layerNumbers('第 4 到第 9 层，第 1、2 层', 'zh')).toEqual([4, 9, 1, 2]);
  });

  const COURSE_EXAMPLES = ['579b34f0a95b']; // a layer of docker/welcome-to-docker in the course text
  const hashes = knownHashes();
  it.each(all)('%s: every short ID is a real one', (_n, _lang, s) => {
    for (const m of stepText(s).matchAll(/\b[0-9a-f]{12}\b/g)) {
      const ok = COURSE_EXAMPLES.includes(m[0]) || hashes.some((h) => h.startsWith(m[0]));
      expect(ok, m[0]).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('facts the lessons state are true of the samples', () => {
  const bb = imageOf('busybox-app')!;
  const tv = (im: ExpectedImage, k: number) => layerEntries(im.layers[k]!);
  const file = (im: ExpectedImage, k: number, p: string) => tv(im, k).find((e) => e.path === p);
  const short = (h: string) => h.replace(/^sha256:/, '').slice(0, 12);

  it('hello: one layer holding one ~9 KB program, Cmd /hello, linux/amd64', () => {
    const h = imageOf('hello')!;
    expect(h.layers).toHaveLength(1);
    expect(tv(h, 0).map((e) => e.path)).toEqual(['hello']);
    expect(file(h, 0, 'hello')!.size).toBeGreaterThan(8000);
    expect(file(h, 0, 'hello')!.size).toBeLessThan(10000);
    expect(h.config.config?.Cmd).toEqual(['/hello']);
    expect([h.os, h.architecture]).toEqual(['linux', 'amd64']);
    expect(short(h.id)).toBe('6b68856776b8');
  });

  it('busybox-app: name, ID, 9 layers, 18 steps of which 9 are config-only', () => {
    expect(bb.repoTags).toEqual(['localhost/busybox-app:1.0']);
    expect(short(bb.id)).toBe('4bcd7975d724');
    expect(bb.layers).toHaveLength(9);
    const h = bb.config.history!;
    expect(h).toHaveLength(18);
    expect(h.filter((x) => x.empty_layer)).toHaveLength(9);
    expect(h[3]!.comment).toBe('FROM localhost/busybox-base:1.35');
    expect(h[6]!.created_by).toContain('WORKDIR /app');
    expect(h[6]!.empty_layer).toBe(true);
    expect(h[12]!.created_by).toContain('rm /tmp/seed-data.bin /app/docs/TODO.txt');
    expect(h[13]!.created_by).toContain('ENV APP_PORT=8080');
    expect(h[13]!.empty_layer).toBe(true);
    expect(h.slice(0, 3).map((x) => x.created_by)).toEqual([
      expect.stringContaining('COPY'),
      expect.stringContaining('--install'),
      expect.stringContaining('CMD ["/bin/sh"]'),
    ]);
  });

  it('busybox-app: the config (Entrypoint, Cmd, WorkingDir, User, port, APP_PORT once)', () => {
    const c = bb.config.config!;
    expect(c.Entrypoint).toEqual(['/app/bin/entrypoint.sh']);
    expect(c.Cmd).toEqual(['serve']);
    expect(c.WorkingDir).toBe('/app');
    expect(c.User).toBe('app');
    expect(Object.keys(c.ExposedPorts as object)).toEqual(['8080/tcp']);
    expect(c.Env).toContain('APP_PORT=8080');
    expect((c.Env as string[]).filter((e) => e.startsWith('APP_PORT='))).toHaveLength(1);
    expect(Object.keys(c.Labels as object).length).toBeGreaterThan(0);
  });

  it('busybox-app: what each layer adds, modifies and deletes', () => {
    expect(
      tv(bb, 0)
        .filter((e) => e.type === 'file')
        .map((e) => e.path),
    ).toEqual(['bin/busybox']);
    const busybox = file(bb, 0, 'bin/busybox')!.size;
    expect(busybox / 1e6).toBeCloseTo(2, 0);
    const links = tv(bb, 1).filter((e) => e.type === 'symlink');
    expect(links.length).toBeGreaterThan(260);
    expect(links.length).toBeLessThan(280);
    expect(links.find((e) => e.path === 'bin/sh')?.link).toBe('/bin/busybox');
    for (const p of ['etc/passwd', 'etc/group', 'app/cache/index-v1.txt', 'app/cache/stale.txt'])
      expect(file(bb, 2, p), p).toBeDefined();
    for (const p of ['app/bin/entrypoint.sh', 'app/www/index.html', 'app/docs/README.txt'])
      expect(overlayAt(bb, 3).present.get(p)?.layer, p).toBe(3);
    expect(overlayAt(bb, 2).present.has('app/bin')).toBe(false);
    expect(file(bb, 4, 'etc/app/app.conf')!.size).toBe(102);
    expect(file(bb, 7, 'etc/app/app.conf')!.size).toBe(129);
    expect(file(bb, 5, 'tmp/seed-data.bin')!.size).toBe(4 * 1024 * 1024);
    const sizes = bb.layers.map((l) => l.uncompressedSize);
    expect(Math.max(...sizes)).toBe(sizes[5]);
    expect(sizes[5]! / busybox).toBeGreaterThan(2);
    expect(file(bb, 6, 'app/data/seed.sha256')).toBeDefined();
    expect(file(bb, 7, 'app/bin/start')?.type).toBe('hardlink');
    expect(file(bb, 7, 'app/bin/entrypoint.sh')?.type).toBe('file');
  });

  it('busybox-app: layer 9 writes exactly two whiteouts and one opaque marker', () => {
    const markers = tv(bb, 8)
      .map((e) => e.path)
      .filter((p) => p.split('/').pop()!.startsWith('.wh.'))
      .sort();
    expect(markers).toEqual([
      'app/cache/.wh..wh..opq',
      'app/docs/.wh.TODO.txt',
      'tmp/.wh.seed-data.bin',
    ]);
    const o = overlayAt(bb, 8);
    expect([...o.deleted.keys()].sort()).toEqual([
      'app/cache/index-v1.txt',
      'app/cache/stale.txt',
      'app/docs/TODO.txt',
      'tmp/seed-data.bin',
    ]);
    expect(o.present.has('app/cache/index-v2.txt')).toBe(true);
    expect(o.present.has('app/www/index.html')).toBe(true);
    expect([...o.opaqueDirs]).toEqual(['app/cache']);
    expect([bb.layers[8]!.whiteouts, bb.layers[8]!.opaqueWhiteouts]).toEqual([2, 1]);
  });

  it('busybox-app: the deleted 4 MiB is still shipped; a container sees about 2 MB', () => {
    const rows = wasteRows(bb);
    expect(rows[0]!.path).toBe('tmp/seed-data.bin');
    for (const p of ['etc/app/app.conf', 'app/bin/entrypoint.sh'])
      expect(rows.map((r) => r.path)).toContain(p);
    const merged = [...overlayAt(bb, 8).present.values()].filter((e) => e.type === 'file');
    const bytes = merged.reduce((n, e) => n + e.size, 0);
    expect(bytes / 1e6).toBeCloseTo(2, 0);
    expect(samples.find((s) => s.id === 'busybox-app')!.bytes).toBe(6_400_000);
  });

  it('the OCI copies: digest vs diffID, and gzip vs zstd digests with one image ID', () => {
    const gz = imageOf('busybox-app-oci')!;
    const zs = imageOf('busybox-app-zstd')!;
    expect(short(gz.layers[0]!.digest)).toBe('15bdd8528010');
    expect(short(gz.layers[0]!.diffId)).toBe('89fbecaa9270');
    expect(short(gz.manifestDigest!)).toBe('604a583a612a');
    expect(short(zs.manifestDigest!)).toBe('4a34102ba131');
    expect(gz.id).toBe(bb.id);
    expect(zs.id).toBe(bb.id);
    expect(gz.layers.map((l) => l.diffId)).toEqual(zs.layers.map((l) => l.diffId));
    expect(gz.layers[0]!.compression).toBe('gzip');
    expect(zs.layers[0]!.compression).toBe('zstd');
  });

  it('multi-app: two tags of one repository sharing their 3 lowest layers; 7 stored', () => {
    const [a, b] = expectedOf('multi-app').images!;
    expect([a!.repoTags, b!.repoTags]).toEqual([
      ['localhost/multi-app:1.0'],
      ['localhost/multi-app:2.0'],
    ]);
    expect([a!.layers.length, b!.layers.length]).toEqual([5, 5]);
    const same = a!.layers.map((l, i) => l.diffId === b!.layers[i]!.diffId);
    expect(same).toEqual([true, true, true, false, false]);
    expect(sharedLayerCount('multi-app')).toBe(3);
    expect(new Set([...a!.layers, ...b!.layers].map((l) => l.diffId)).size).toBe(7);
    expect(short(b!.layers[2]!.diffId)).toBe('79041bc5062c');
    expect(b!.config.history![4]!.created_by).toContain('ARG VERSION');
    expect(b!.config.history![3]!.comment).toBe('FROM localhost/busybox-base:1.35');
    expect(file(b!, 3, 'srv/www/index.html')).toBeDefined();
    expect(file(b!, 4, 'srv/VERSION')).toBeDefined();
  });

  it('debian-app: a Debian base layer dwarfs the app; useradd rewrote /etc/passwd', () => {
    const d = imageOf('debian-app')!;
    expect(d.layers).toHaveLength(4);
    expect(d.layers[0]!.entries).toBeGreaterThan(3900);
    expect(d.layers[0]!.entries).toBeLessThan(4200);
    expect(d.layers[0]!.uncompressedSize / 1e6).toBeCloseTo(77, 0);
    const app = d.layers.slice(1).reduce((n, l) => n + l.uncompressedSize, 0);
    expect(app / 1e3).toBeCloseTo(27, 0);
    const stored = d.layers.reduce((n, l) => n + l.storedSize, 0);
    expect(stored / 1e6).toBeCloseTo(30, 0);
    const content = d.layers
      .flatMap((l) => layerEntries(l))
      .reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0);
    expect(content / 1e6).toBeCloseTo(74, 0);
    expect(file(d, 0, 'etc/passwd')!.size).toBe(839);
    expect(file(d, 1, 'etc/passwd')!.size).toBe(881);
    expect(file(d, 1, 'srv/app')?.type).toBe('dir');
    const h = d.config.history!;
    expect(h[0]!.created_by).toContain('ADD file:');
    expect(h[2]!.comment).toBe('FROM localhost/debian-base:bookworm');
    expect(d.layers[0]!.compression).toBe('gzip');
  });

  it('the export: a flat copy of the merged files, without the deleted 4 MiB', () => {
    const ex = expectedOf('busybox-export');
    const paths = (ex.tarTv ?? []).map((l) => l.split(/\s+/).slice(5).join(' '));
    expect(paths.some((p) => p.includes('seed-data.bin'))).toBe(false);
    expect(paths.some((p) => p.includes('.wh.'))).toBe(false);
    expect(ex.entries).toBe(bb.merged.length);
    expect(ex.images).toBeUndefined();
    expect(samples.find((s) => s.id === 'busybox-export')!.bytes / 1e6).toBeCloseTo(2.1, 1);
  });

  it('hello.tar.gz: gzip around the same image', () => {
    const g = expectedOf('hello-gz');
    expect(g.outerCompression).toBe('gzip');
    expect(g.images![0]!.id).toBe(imageOf('hello')!.id);
  });

  it('the names the lessons type parse as the lessons say', () => {
    const parse = (s: string) => {
      const r = tryParseImageReference(s);
      if (!r.ok) throw new Error(r.error);
      return r.reference;
    };
    expect(parse('busybox').canonical).toBe('docker.io/library/busybox:latest');
    expect(parse('redis').namespace).toBe('library');
    expect(parse('alpine:3.12').defaultsApplied).toEqual({
      registry: true,
      namespace: true,
      tag: false,
    });
    expect(parse('alpine:3.12').canonical).toBe('docker.io/library/alpine:3.12');
    expect(parse('localhost:5000/team/app:v2').registry).toBe('localhost:5000');
    expect(parse('docker/welcome-to-docker').namespace).toBe('docker');
  });
});

// ---------------------------------------------------------------------------------------------
/**
 * The concepts of the course texts in ../shared/course-sources/ (Docker's "What is an image?" in
 * English and Chinese, and two Chinese tutorials). Each must be taught by at least one lesson in
 * each language: all of a concept's keywords appear in one lesson (case-insensitive).
 */
const CONCEPTS: { id: string; en: string[]; zh: string[] }[] = [
  {
    id: 'image = files + config, a standard package',
    en: ['standard package', 'config', 'files'],
    zh: ['标准化的包', '配置', '文件'],
  },
  {
    id: 'binaries, libraries, configuration',
    en: ['binary', 'library', 'configuration'],
    zh: ['程序', '库', '配置'],
  },
  {
    id: 'PostgreSQL and Python examples',
    en: ['PostgreSQL', 'Python runtime', 'dependencies'],
    zh: ['PostgreSQL', 'Python 运行时', '依赖'],
  },
  { id: 'images are immutable', en: ['immutable'], zh: ['不可变'] },
  {
    id: 'layers add, modify, remove files',
    en: ['added, modified or removed'],
    zh: ['新增、修改或删除'],
  },
  {
    id: 'extend an existing image',
    en: ['extend', 'Python image'],
    zh: ['扩展镜像', 'Python 镜像'],
  },
  { id: 'Docker Hub marketplace', en: ['Docker Hub', '100,000'], zh: ['Docker Hub', '10 万'] },
  {
    id: 'Docker trusted content',
    en: [
      'Docker Official Images',
      'Verified Publisher',
      'Docker-Sponsored Open Source',
      'Docker Hardened Images',
    ],
    zh: [
      '官方镜像',
      'Verified Publisher',
      'Docker-Sponsored Open Source',
      'Docker Hardened Images',
    ],
  },
  { id: 'docker search', en: ['docker search'], zh: ['docker search'] },
  {
    id: 'docker pull prints one line per layer',
    en: ['docker pull', 'one line per layer'],
    zh: ['docker pull', '每一层打印一行'],
  },
  {
    id: 'docker pull options',
    en: ['--all-tags', '--platform', '-q'],
    zh: ['--all-tags', '--platform', '-q'],
  },
  {
    id: 'default tag latest',
    en: ['latest', 'Using default tag'],
    zh: ['latest', 'Using default tag'],
  },
  { id: 'library namespace', en: ['library', 'namespace'], zh: ['library', '命名空间'] },
  { id: 'registry and docker.io', en: ['registry', 'docker.io'], zh: ['registry', 'docker.io'] },
  {
    id: 'self-hosted and third-party registries',
    en: ['self-hosted', 'Amazon ECR', 'Azure', 'JFrog'],
    zh: ['自托管', 'Amazon ECR', 'Azure', 'JFrog'],
  },
  { id: 'repository and tags', en: ['repository', 'tags'], zh: ['仓库', '标签'] },
  {
    id: 'docker image tag, like git tags',
    en: ['docker image tag', 'git'],
    zh: ['docker image tag', 'git'],
  },
  {
    id: 'docker login and push',
    en: ['docker login', 'docker push'],
    zh: ['docker login', 'docker push'],
  },
  {
    id: 'image ID: first 12 hex of the config hash',
    en: ['image ID', 'first 12', 'config'],
    zh: ['镜像 ID', '前 12 个', '配置'],
  },
  {
    id: 'digest: manifest hash, integrity, pull by digest',
    en: ['digest', 'manifest', 'integrity', '@sha256:'],
    zh: ['digest', '清单', '完整性', '@sha256:'],
  },
  {
    id: 'digest vs image ID',
    en: ['digest', 'image ID', 'zstd'],
    zh: ['digest', '镜像 ID', 'zstd'],
  },
  {
    id: 'docker image ls columns',
    en: ['docker image ls', 'REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
    zh: ['docker image ls', 'REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
  },
  { id: 'docker images', en: ['docker images'], zh: ['docker images'] },
  {
    id: 'SIZE is uncompressed and includes parent layers',
    en: ['SIZE', 'compressed', 'unpacked', 'parent image'],
    zh: ['SIZE', '压缩', '解压', '父镜像'],
  },
  {
    id: 'image ls flags',
    en: ['-q', '--digests', '--no-trunc', '--filter', '--format'],
    zh: ['-q', '--digests', '--no-trunc', '--filter', '--format'],
  },
  { id: 'intermediate images hidden', en: ['intermediate'], zh: ['中间镜像'] },
  { id: 'one image listed once per tag', en: ['listed twice'], zh: ['列出两次'] },
  {
    id: 'dangling images and prune',
    en: ['dangling', '<none>:<none>', 'docker image prune'],
    zh: ['悬空', '<none>:<none>', 'docker image prune'],
  },
  {
    id: 'docker image history',
    en: ['docker image history', 'CREATED BY', '<missing>'],
    zh: ['docker image history', 'CREATED BY', '<missing>'],
  },
  {
    id: 'history --no-trunc',
    en: ['--no-trunc', 'full commands'],
    zh: ['--no-trunc', '完整的命令'],
  },
  {
    id: 'docker image inspect, JSON, --format',
    en: ['docker image inspect', 'JSON', '--format'],
    zh: ['docker image inspect', 'JSON', '--format'],
  },
  {
    id: 'Docker Desktop image details',
    en: ['Docker Desktop', 'packages', 'vulnerabilities'],
    zh: ['Docker Desktop', '软件包', '漏洞'],
  },
  {
    id: 'docker manifest inspect',
    en: ['docker manifest inspect', 'manifest'],
    zh: ['docker manifest inspect', '清单'],
  },
  {
    id: 'Dockerfile and docker build -t',
    en: ['Dockerfile', 'docker build', '-t'],
    zh: ['Dockerfile', 'docker build', '-t'],
  },
  {
    id: 'build context, URL, stdin',
    en: ['build context', 'git URL', 'standard input'],
    zh: ['构建上下文', 'git 仓库地址', '标准输入'],
  },
  { id: 'untagged build result', en: ['no name', '<none>'], zh: ['没有名字', '<none>'] },
  {
    id: 'RUN, COPY, ADD make layers',
    en: ['RUN', 'COPY', 'ADD', 'one layer'],
    zh: ['RUN', 'COPY', 'ADD', '一层'],
  },
  {
    id: 'config-only instructions',
    en: ['ENV', 'LABEL', 'WORKDIR', 'EXPOSE', 'USER', '0B'],
    zh: ['ENV', 'LABEL', 'WORKDIR', 'EXPOSE', 'USER', '0B'],
  },
  { id: 'MAINTAINER', en: ['MAINTAINER'], zh: ['MAINTAINER'] },
  {
    id: 'CMD default command, ENTRYPOINT',
    en: ['CMD', 'default command', 'ENTRYPOINT', 'only the last'],
    zh: ['CMD', '默认命令', 'ENTRYPOINT', '最后一条'],
  },
  { id: 'build cache', en: ['cache', 'run again'], zh: ['缓存', '重新执行'] },
  {
    id: 'steps that change often go last',
    en: ['change often', 'end of a Dockerfile'],
    zh: ['经常变化', '末尾'],
  },
  { id: 'whiteouts', en: ['whiteout', '.wh.'], zh: ['whiteout', '.wh.'] },
  { id: 'opaque directories', en: ['opaque', '.wh..wh..opq'], zh: ['不透明', '.wh..wh..opq'] },
  {
    id: 'deleting does not shrink: wasted space',
    en: ['wasted', 'still shipped'],
    zh: ['浪费', '仍然随镜像分发'],
  },
  { id: 'delete in the same step, multi-stage', en: ['multi-stage', '&&'], zh: ['多阶段', '&&'] },
  { id: 'parent image', en: ['parent image', 'FROM'], zh: ['父镜像', 'FROM'] },
  {
    id: 'base image from scratch',
    en: ['base image', 'scratch', 'full control'],
    zh: ['基础镜像', 'scratch', '完全掌控'],
  },
  { id: 'custom image', en: ['custom image'], zh: ['定制镜像'] },
  { id: 'shared layers stored once', en: ['shared', 'stored once'], zh: ['共享', '只存一份'] },
  {
    id: 'layer reuse saves disk and downloads',
    en: ['disk space', 'skips'],
    zh: ['磁盘空间', '跳过'],
  },
  {
    id: 'docker image rm / rmi',
    en: ['docker image rm', 'docker rmi', '--no-prune', '-f'],
    zh: ['docker image rm', 'docker rmi', '--no-prune', '-f'],
  },
  {
    id: 'read-only template, blueprint',
    en: ['read-only', 'template', 'blueprint'],
    zh: ['只读', '模板', '蓝图'],
  },
  { id: 'class and instance', en: ['class', 'instance'], zh: ['类', '实例'] },
  {
    id: 'docker run pulls if missing',
    en: ['docker run', 'hello-world', 'pulls it first'],
    zh: ['docker run', 'hello-world', '先把它拉取下来'],
  },
  { id: 'run with another command', en: ['centos', '/bin/bash'], zh: ['centos', '/bin/bash'] },
  { id: 'container names', en: ['--name'], zh: ['--name'] },
  {
    id: 'thin writable container layer',
    en: ['writable layer', 'container layer', 'thin'],
    zh: ['可写层', '容器层', '薄'],
  },
  { id: 'copy-on-write', en: ['copy-on-write', 'copied up'], zh: ['写时复制', '复制到可写层'] },
  {
    id: 'docker diff',
    en: ['docker diff', 'added', 'changed', 'deleted'],
    zh: ['docker diff', '新增', '修改', '删除'],
  },
  {
    id: 'many containers, one image',
    en: ['many containers', 'one image'],
    zh: ['多个容器', '一个镜像'],
  },
  {
    id: 'docker commit, the interactive method',
    en: ['docker commit', 'interactive'],
    zh: ['docker commit', '交互式'],
  },
  { id: 'an image has no running state', en: ['no running state', 'CPU'], zh: ['运行状态', 'CPU'] },
  {
    id: 'images are shared, containers are not',
    en: ['not shared', 'registry'],
    zh: ['不会被共享', 'registry'],
  },
  {
    id: 'docker save -o, manifest.json',
    en: ['docker save', '-o', 'manifest.json', 'standard output'],
    zh: ['docker save', '-o', 'manifest.json', '标准输出'],
  },
  {
    id: 'save several images, repo:tag',
    en: ['several images', 'repo:tag'],
    zh: ['多个镜像', 'repo:tag'],
  },
  {
    id: 'docker load, moving between hosts',
    en: ['docker load', 'without a registry'],
    zh: ['docker load', '没有 registry'],
  },
  {
    id: 'platform and architecture',
    en: ['architecture', 'linux/amd64'],
    zh: ['架构', 'linux/amd64'],
  },
  {
    id: 'compressed save',
    en: ['gzip', '| gzip >'],
    zh: ['gzip', '| gzip >'],
  },
  { id: 'docker export is flat', en: ['docker export', 'flat'], zh: ['docker export', '扁平'] },
  {
    id: 'docker import loses metadata',
    en: ['docker import', 'single layer', '--change', 'REPOSITORY[:TAG]'],
    zh: ['docker import', '只有一层', '--change', 'REPOSITORY[:TAG]'],
  },
  {
    id: 'save/load vs export/import',
    en: ['save and load', 'export and import'],
    zh: ['save 和 load', 'export 和 import'],
  },
  {
    id: 'docker rm, docker create',
    en: ['docker rm', 'docker create'],
    zh: ['docker rm', 'docker create'],
  },
  { id: 'docker system prune', en: ['docker system prune'], zh: ['docker system prune'] },
  { id: 'volumes keep data', en: ['volume'], zh: ['卷'] },
];

function lessonText(l: Lesson): string {
  return [l.title, l.summary, ...l.steps.map(stepText)].join('\n').toLowerCase();
}

describe('coverage of the course texts', () => {
  it.each(CONCEPTS.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    for (const [lang, list] of [
      ['en', en],
      ['zh', zh],
    ] as const) {
      const words = c[lang].map((w) => w.toLowerCase());
      const hit = list.find((l) => words.every((w) => lessonText(l).includes(w)));
      const missing = list.length
        ? words.filter((w) => !list.some((l) => lessonText(l).includes(w)))
        : words;
      expect(
        hit?.id,
        `${lang}: no lesson has all of ${words.join(', ')} (nowhere: ${missing.join(', ')})`,
      ).toBeDefined();
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('the schema itself', () => {
  const good = (): Lesson => structuredClone(getLesson('what-is-an-image', 'en')!);

  it('accepts a real lesson and reports a broken one precisely', () => {
    expect(validateLesson(good())).toEqual([]);
    const bad = good() as unknown as Record<string, unknown> & Lesson;
    bad.lang = 'fr' as Lang;
    bad.steps[0]!.target = 'layer-row:x';
    bad.steps[1]!.action = { sample: 'hello', view: 'nowhere' as 'files' };
    bad.steps[2]!.question!.answer = 7;
    bad.steps[3]!.text = 'One `unclosed code span.';
    bad.extra = 1;
    const p = validateLesson(bad).join('\n');
    expect(p).toMatch(/lang must be one of en, zh/);
    expect(p).toMatch(/unknown target "layer-row:x"/);
    expect(p).toMatch(/view must be one of/);
    expect(p).toMatch(/answer must be the index of a choice/);
    expect(p).toMatch(/unclosed code span/);
    expect(p).toMatch(/unknown key "extra"/);
  });

  it('checks step counts, sentence counts, languages and target/view pairs', () => {
    const l = good();
    l.steps = l.steps.slice(0, 3);
    expect(validateLesson(l).join()).toMatch(/steps must be a list of 4 to 10/);
    const m = good();
    m.steps[0]!.text = 'Only one sentence here.';
    m.steps[1]!.target = 'history-row:0';
    m.steps[2]!.text = '这是中文。这是第二句。';
    m.steps[4]!.text = 'See the <missing> rows. They have no ID.';
    const p = validateLesson(m).join('\n');
    expect(p).toMatch(/1 sentences, not 2 to 5/);
    expect(p).toMatch(/"history-row:0" is not in the files view/);
    expect(p).toMatch(/Chinese text outside code/);
    expect(p).toMatch(/<missing> in `code`/);
    const z = structuredClone(getLesson('what-is-an-image', 'zh')!);
    z.steps[0]!.text = 'No Chinese at all. Really none.';
    expect(validateLesson(z).join()).toMatch(/no Chinese text in a zh lesson/);
  });

  it('checks container and export actions', () => {
    const l = good();
    l.steps[0]!.action = { sample: 'busybox-app', view: 'container', container: 'edit' };
    l.steps[0]!.target = 'container-layer';
    l.steps[1]!.action = { sample: 'busybox-app', view: 'files', container: 'start' };
    l.steps[2]!.action = { sample: 'busybox-export', view: 'images', open: 'export', layer: 1 };
    l.steps[2]!.target = 'error-panel';
    l.steps[3]!.target = 'error-panel';
    const p = validateLesson(l).join('\n');
    expect(p).toMatch(/container "edit" needs a path/);
    expect(p).toMatch(/container "start" needs view container/);
    expect(p).toMatch(/open "export" takes no layer/);
    expect(p).toMatch(/error-panel needs open "export"/);
  });

  it('compareLessons finds any structural difference between languages', () => {
    const a = good();
    const b = structuredClone(getLesson('what-is-an-image', 'zh')!);
    expect(compareLessons(a, b)).toEqual([]);
    b.steps[1]!.action = { ...b.steps[1]!.action, layer: 0, path: 'elsewhere' };
    b.steps[2]!.question!.answer = 0;
    b.steps[3]!.target = 'panel:command';
    const p = compareLessons(a, b).join('\n');
    expect(p).toMatch(/actions differ/);
    expect(p).toMatch(/answer 1 \/ 0/);
    expect(p).toMatch(/target manifest-field:0.Layers \/ panel:command/);
  });

  it('parses every target kind', () => {
    expect(parseTarget('layer-row:5')).toEqual({ kind: 'layer-row', layer: 5 });
    expect(parseTarget('history-row:3')).toEqual({ kind: 'history-row', index: 3 });
    expect(parseTarget('file:app/cache')).toEqual({ kind: 'file', path: 'app/cache' });
    expect(parseTarget('json-field:rootfs.diff_ids')).toEqual({
      kind: 'json-field',
      path: ['rootfs', 'diff_ids'],
    });
    expect(parseTarget('image-cell:1:tag')).toEqual({
      kind: 'image-cell',
      image: 1,
      column: 'tag',
    });
    expect(parseTarget('panel:wasted')).toBeUndefined();
    expect(parseTarget('panel:reclaimable')).toEqual({ kind: 'panel', panel: 'reclaimable' });
    expect(parseTarget('error-panel')).toEqual({ kind: 'error-panel' });
    expect(parseTarget('container-diff')).toEqual({ kind: 'container-diff' });
    expect(parseTarget('file:/etc/passwd')).toBeUndefined();
    expect(parseTarget('file:../x')).toBeUndefined();
    expect(parseTarget('tab:container')).toEqual({ kind: 'tab', view: 'container' });
    expect(parseTarget('layer-row:-1')).toBeUndefined();
  });

  it('parses the markup into text, code and bold spans', () => {
    expect(parseMarkup('A **bold** `code` end.\n\nSecond `<missing>` para.')).toEqual({
      paragraphs: [
        [
          { kind: 'text', text: 'A ' },
          { kind: 'bold', text: 'bold' },
          { kind: 'text', text: ' ' },
          { kind: 'code', text: 'code' },
          { kind: 'text', text: ' end.' },
        ],
        [
          { kind: 'text', text: 'Second ' },
          { kind: 'code', text: '<missing>' },
          { kind: 'text', text: ' para.' },
        ],
      ],
      problems: [],
    });
    expect(parseMarkup('**open').problems).toHaveLength(1);
    expect(countSentences('One. Two (`a.b`)! Three? `x. y.`')).toBe(3);
    expect(countSentences('一句。两句！（三句。）')).toBe(3);
  });
});
