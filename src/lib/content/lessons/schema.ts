/**
 * Lessons are data: `src/lib/content/lessons/<id>/<lang>.json`, one file per lesson and language.
 * This module holds their types, the target vocabulary the lesson runner must implement, and
 * `validateLesson`, which lists everything wrong with one file (an empty list means valid).
 *
 * Conventions a lesson writer must know:
 * - Layer numbers: `action.layer` and every index in a target count from 0 at the bottom, like the
 *   route (`#layer=8`). The views and the lesson texts count from 1 ("layer 9" is `layer: 8`).
 * - `history-row:<i>` indexes the config's `history` array, oldest step = 0 (the History view lists
 *   it newest first).
 * - A step's `action` is applied when the step opens: open `sample`, select `image`, show `view`,
 *   select `layer` and `path`, type `input` into the Names view, then run the `container`
 *   operation, then highlight `target`.
 * - A question with `"predict": true` is asked before the action runs (the view still shows the
 *   previous step); answering applies the action and highlights the target: that is the reveal.
 *   Other questions are asked after the action, about what the view shows.
 * - Container operations are cumulative within a lesson: `start` starts a new container from the
 *   action's image; `edit`, `delete`, `recreate-dir`, `diff` and `commit` act on the container
 *   started most recently. A runner opening step N directly replays the container operations of
 *   steps 1..N first.
 * - Text markup: see `markup.ts` (paragraphs, `code`, **bold**; rendered as text nodes).
 * - en and zh files of one lesson differ only in their text: same order, minutes, step ids,
 *   actions, targets, number of choices, answers and `predict` flags (`compareLessons`).
 */
import { ARCHIVE_VIEWS, VIEW_IDS, isViewId, type ViewId } from '../../views/registry';
import { parseMarkup, proseOf } from './markup';
import {
  CONTAINER_ACTIONS,
  actionTakesPath,
  isContainerAction,
  type ContainerAction,
} from '../../core/container/actions';

export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

/** A step may show any view of the app (views/registry.ts). */
export const LESSON_VIEWS: readonly ViewId[] = VIEW_IDS;
export type LessonView = ViewId;

export interface LessonAction {
  /** A sample id from `sample-images/samples.json`. */
  sample: string;
  view: LessonView;
  /** Image index in the archive (default 0). */
  image?: number;
  /** Layer index, bottom = 0 (default: the top layer). */
  layer?: number;
  /** A path without a leading slash, selected in the Files or container view. */
  path?: string;
  /** A container operation; `path` names the file or directory for edit, delete, recreate-dir. */
  container?: ContainerAction;
  /** `export`: open the flat filesystem export sample (as if dropped) instead of an image. */
  open?: 'export';
  /** A reference typed into the Names view's input, e.g. `alpine:3.12`. */
  input?: string;
}

export interface LessonQuestion {
  prompt: string;
  /** 2 to 4 choices. */
  choices: string[];
  /** Index of the right choice. */
  answer: number;
  /** Why, pointing at what the view shows; shown after any answer. */
  explain: string;
  /** Ask before the action runs; the action is the reveal. */
  predict?: boolean;
}

export interface LessonStep {
  /** Stable across languages, kebab-case; part of the step's URL. */
  id: string;
  title: string;
  /** 2 to 5 sentences of markup. */
  text: string;
  action: LessonAction;
  /** What the runner highlights: see TARGETS. */
  target: string;
  question?: LessonQuestion;
}

export interface Lesson {
  id: string;
  lang: Lang;
  /** Position in the course, 1 first. */
  order: number;
  title: string;
  summary: string;
  /** Estimated minutes. */
  minutes: number;
  steps: LessonStep[];
}

// ---------------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------------

export const IMAGE_COLUMNS = ['repository', 'tag', 'id', 'created', 'size', 'platform'] as const;
export const LAYER_FIELDS = [
  'step',
  'content',
  'stored',
  'uncompressed',
  'compression',
  'entries',
  'changes',
  'whiteouts',
  'digest',
  'diffid',
  'chainid',
] as const;
export const NAME_PARTS = [
  'registry',
  'namespace',
  'repository',
  'tag',
  'digest',
  'canonical',
  'familiar',
] as const;

/** `panel:<name>`: a region of a view, and the views it is in. */
export const PANELS: Record<string, { views: readonly LessonView[]; meaning: string }> = {
  command: {
    views: ARCHIVE_VIEWS,
    meaning: 'the "Equivalent command" box of the view ([data-testid=command])',
  },
  'archive-facts': {
    views: ['images'],
    meaning: 'the facts about the archive: file, format, whole-file compression, image count',
  },
  'shared-layers': {
    views: ['images'],
    meaning: 'the list of layers used by more than one image ([data-testid=shared-layers])',
  },
  'history-missing': {
    views: ['history'],
    meaning: 'the explanation "Why do most rows say <missing>?" under the history table',
  },
  'config-json': { views: ['inspect'], meaning: 'the image config document viewer' },
  'inspect-json': { views: ['inspect'], meaning: 'the `docker image inspect` document viewer' },
  'manifest-json': {
    views: ['inspect'],
    meaning: 'the manifest viewer: the OCI image manifest, or the top-level manifest.json',
  },
  'id-table': {
    views: ['inspect'],
    meaning: 'the digest / diffID / chainID table of the layers ([data-testid=id-table])',
  },
  'layer-stack': { views: ['layers'], meaning: 'the stack of layer blocks, bottom to top' },
  'layer-detail': { views: ['layers'], meaning: 'the detail panel of the selected layer' },
  'file-tree': { views: ['files', 'container'], meaning: 'the file tree' },
  'file-details': { views: ['files'], meaning: 'the details panel of the selected path' },
  'whiteout-note': {
    views: ['files'],
    meaning: 'the note saying which whiteout marker deleted the selected path',
  },
  'opaque-note': {
    views: ['files'],
    meaning: 'the note saying the selected directory is opaque in this layer',
  },
  timeline: {
    views: ['files'],
    meaning: 'the timeline of the selected path across layers, with its diff buttons',
  },
  'file-content': { views: ['files'], meaning: 'the content preview of the selected file' },
  efficiency: { views: ['wasted'], meaning: "the card with dive's efficiency score" },
  'dive-wasted': { views: ['wasted'], meaning: "the card with dive's wasted bytes" },
  reclaimable: { views: ['wasted'], meaning: 'the card with the truly reclaimable bytes' },
  'waste-table': { views: ['wasted'], meaning: 'the table of paths that cost bytes' },
  'ref-parts': { views: ['names'], meaning: 'the table of the parts of the typed reference' },
  'ref-error': { views: ['names'], meaning: 'the message saying Docker would refuse the name' },
};

/** `control:<name>`: an input the learner is asked to use, and the views it is in. */
export const CONTROLS: Record<string, { views: readonly LessonView[]; meaning: string }> = {
  'no-trunc': { views: ['history'], meaning: 'the --no-trunc checkbox' },
  'mode-merged': { views: ['files'], meaning: 'the "Merged filesystem" radio button' },
  'mode-changes': { views: ['files'], meaning: `the "This layer's changes" radio button` },
  'hide-unmodified': { views: ['files'], meaning: 'the "Hide unchanged" checkbox' },
  'files-layer': { views: ['files'], meaning: 'the layer picker of the Files view' },
  'ref-input': { views: ['names'], meaning: 'the reference input of the Names view' },
  'image-select': {
    views: ARCHIVE_VIEWS,
    meaning: 'the image picker in the header (archives with more than one image)',
  },
};

export type TargetKind =
  | 'tab'
  | 'image-row'
  | 'image-cell'
  | 'history-row'
  | 'layer-row'
  | 'layer-field'
  | 'file'
  | 'json-field'
  | 'inspect-field'
  | 'manifest-field'
  | 'index-field'
  | 'waste-row'
  | 'name-part'
  | 'panel'
  | 'control'
  | 'error-panel'
  | 'container-layer'
  | 'container-list'
  | 'container-diff'
  | 'committed-image';

/**
 * The target vocabulary: every kind, its syntax, the views it may be used with, and what the
 * runner must highlight. Indexes count from 0; paths have no leading slash; JSON paths are dotted
 * keys, with numbers for array items (`rootfs.diff_ids.0`).
 */
export const TARGETS: Record<
  TargetKind,
  { syntax: string; views: readonly LessonView[] | 'any'; meaning: string }
> = {
  tab: { syntax: 'tab:<view>', views: 'any', meaning: 'the navigation tab of a view' },
  'image-row': {
    syntax: 'image-row:<n>',
    views: ['images'],
    meaning: 'the row of image n in the `docker image ls` table',
  },
  'image-cell': {
    syntax: `image-cell:<n>:<${IMAGE_COLUMNS.join('|')}>`,
    views: ['images'],
    meaning: 'one cell of image n in the `docker image ls` table',
  },
  'history-row': {
    syntax: 'history-row:<i>',
    views: ['history'],
    meaning: 'the row of config history entry i (oldest = 0; the table lists newest first)',
  },
  'layer-row': {
    syntax: 'layer-row:<k>',
    views: ['layers'],
    meaning: 'the block of layer k in the layer stack (bottom = 0, labelled k+1)',
  },
  'layer-field': {
    syntax: `layer-field:<${LAYER_FIELDS.join('|')}>`,
    views: ['layers'],
    meaning: "one line of the selected layer's detail panel",
  },
  file: {
    syntax: 'file:<path>',
    views: ['files', 'container'],
    meaning: 'the row of a path in the file tree (deleted paths show as ghost rows)',
  },
  'json-field': {
    syntax: 'json-field:<path>',
    views: ['inspect'],
    meaning: 'a key in the image config document (expanded and scrolled into view)',
  },
  'inspect-field': {
    syntax: 'inspect-field:<path>',
    views: ['inspect'],
    meaning: 'a key in the `docker image inspect` document (path inside its one object)',
  },
  'manifest-field': {
    syntax: 'manifest-field:<path>',
    views: ['inspect'],
    meaning:
      'a key in the manifest: the OCI image manifest, or for a docker-archive the top-level ' +
      'manifest.json, whose paths start with the entry index (`0.Layers`)',
  },
  'index-field': {
    syntax: 'index-field:<path>',
    views: ['inspect'],
    meaning: 'a key in the OCI index.json (`manifests.0.digest`)',
  },
  'waste-row': {
    syntax: 'waste-row:<path>',
    views: ['wasted'],
    meaning: 'the row of a path in the wasted-space table',
  },
  'name-part': {
    syntax: `name-part:<${NAME_PARTS.join('|')}>`,
    views: ['names'],
    meaning: 'one row of the reference parts table ([data-part=…])',
  },
  panel: {
    syntax: `panel:<${Object.keys(PANELS).join('|')}>`,
    views: 'any',
    meaning: 'a region of a view (see PANELS)',
  },
  control: {
    syntax: `control:<${Object.keys(CONTROLS).join('|')}>`,
    views: 'any',
    meaning: 'an input the learner should use (see CONTROLS)',
  },
  'error-panel': {
    syntax: 'error-panel',
    views: 'any',
    meaning: 'the panel explaining why a file is not an image (with `open: "export"`)',
  },
  'container-layer': {
    syntax: 'container-layer',
    views: ['container'],
    meaning: "the current container's writable layer, drawn on top of the image's layers",
  },
  'container-list': {
    syntax: 'container-list',
    views: ['container'],
    meaning: 'the containers started from the image, all pointing at the same image layers',
  },
  'container-diff': {
    syntax: 'container-diff',
    views: ['container'],
    meaning: 'the `docker diff` output of the current container (A / C / D lines)',
  },
  'committed-image': {
    syntax: 'committed-image',
    views: ['container', 'images'],
    meaning: 'the image made by the last `commit`, listed beside the original',
  },
};

export type Target =
  | { kind: 'tab'; view: LessonView }
  | { kind: 'image-row'; image: number }
  | { kind: 'image-cell'; image: number; column: (typeof IMAGE_COLUMNS)[number] }
  | { kind: 'history-row'; index: number }
  | { kind: 'layer-row'; layer: number }
  | { kind: 'layer-field'; field: (typeof LAYER_FIELDS)[number] }
  | { kind: 'file' | 'waste-row'; path: string }
  | { kind: 'json-field' | 'inspect-field' | 'manifest-field' | 'index-field'; path: string[] }
  | { kind: 'name-part'; part: (typeof NAME_PARTS)[number] }
  | { kind: 'panel'; panel: string }
  | { kind: 'control'; control: string }
  | {
      kind:
        'error-panel' | 'container-layer' | 'container-list' | 'container-diff' | 'committed-image';
    };

const INDEX = /^(0|[1-9]\d{0,5})$/;

/** A path as lessons write it: relative, no `.`/`..` segments, no empty segments. */
export function isLessonPath(p: string): boolean {
  if (p.length === 0 || p.length > 512 || p.startsWith('/') || p.endsWith('/')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(p)) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

function jsonPath(s: string): string[] | undefined {
  const parts = s.split('.');
  return parts.every((p) => /^[^\s.]+$/.test(p)) ? parts : undefined;
}

/** Parses a target name; undefined when it is not in the vocabulary. */
export function parseTarget(t: string): Target | undefined {
  const i = t.indexOf(':');
  const kind = i < 0 ? t : t.slice(0, i);
  const arg = i < 0 ? undefined : t.slice(i + 1);
  switch (kind) {
    case 'error-panel':
    case 'container-layer':
    case 'container-list':
    case 'container-diff':
    case 'committed-image':
      return arg === undefined ? { kind } : undefined;
  }
  if (arg === undefined || arg === '') return undefined;
  switch (kind) {
    case 'tab':
      return isViewId(arg) ? { kind, view: arg } : undefined;
    case 'image-row':
      return INDEX.test(arg) ? { kind, image: Number(arg) } : undefined;
    case 'image-cell': {
      const [n, col, ...rest] = arg.split(':');
      if (rest.length || !n || !INDEX.test(n)) return undefined;
      if (!(IMAGE_COLUMNS as readonly string[]).includes(col ?? '')) return undefined;
      return { kind, image: Number(n), column: col as (typeof IMAGE_COLUMNS)[number] };
    }
    case 'history-row':
      return INDEX.test(arg) ? { kind, index: Number(arg) } : undefined;
    case 'layer-row':
      return INDEX.test(arg) ? { kind, layer: Number(arg) } : undefined;
    case 'layer-field':
      return (LAYER_FIELDS as readonly string[]).includes(arg)
        ? { kind, field: arg as (typeof LAYER_FIELDS)[number] }
        : undefined;
    case 'file':
    case 'waste-row':
      return isLessonPath(arg) ? { kind, path: arg } : undefined;
    case 'json-field':
    case 'inspect-field':
    case 'manifest-field':
    case 'index-field': {
      const path = jsonPath(arg);
      return path ? { kind, path } : undefined;
    }
    case 'name-part':
      return (NAME_PARTS as readonly string[]).includes(arg)
        ? { kind, part: arg as (typeof NAME_PARTS)[number] }
        : undefined;
    case 'panel':
      return Object.hasOwn(PANELS, arg) ? { kind, panel: arg } : undefined;
    case 'control':
      return Object.hasOwn(CONTROLS, arg) ? { kind, control: arg } : undefined;
  }
  return undefined;
}

/** The views a parsed target may be used with. */
export function targetViews(t: Target): readonly LessonView[] | 'any' {
  if (t.kind === 'panel') return PANELS[t.panel]!.views;
  if (t.kind === 'control') return CONTROLS[t.control]!.views;
  return TARGETS[t.kind].views;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SAMPLE_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const HTML_TAG = /<\/?[A-Za-z][^<>]*>/;
const LIMITS = {
  steps: [4, 10],
  sentences: [2, 5],
  choices: [2, 4],
  textChars: { en: 700, zh: 360 },
  titleChars: { en: 70, zh: 30 },
} as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function unknownKeys(o: Obj, allowed: readonly string[], where: string, out: string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) out.push(`${where}: unknown key "${k}"`);
}

/**
 * Sentences in a text, outside code spans: `.`, `!` or `?` (maybe followed by a closing quote or
 * bracket) before a space or the end, and every `。！？`.
 */
export function countSentences(text: string): number {
  const prose = proseOf(text);
  const latin = prose.match(/[.!?]["')\]]*(?=\s|$)/g)?.length ?? 0;
  const cjk = prose.match(/[。！？]/g)?.length ?? 0;
  return latin + cjk;
}

function checkMarkup(text: string, where: string, lang: Lang, out: string[]): void {
  const { problems } = parseMarkup(text);
  for (const p of problems) out.push(`${where}: ${p}`);
  if (text !== text.trim()) out.push(`${where}: leading or trailing whitespace`);
  const prose = proseOf(text);
  if (HTML_TAG.test(prose))
    out.push(`${where}: put angle-bracket text such as <missing> in \`code\``);
  if (lang === 'zh' && !CJK.test(prose)) out.push(`${where}: no Chinese text in a zh lesson`);
  if (lang === 'en' && CJK.test(prose))
    out.push(`${where}: Chinese text outside code in an en lesson`);
}

function checkAction(a: unknown, where: string, out: string[]): void {
  if (!isObj(a)) {
    out.push(`${where}: action must be an object`);
    return;
  }
  unknownKeys(
    a,
    ['sample', 'view', 'image', 'layer', 'path', 'container', 'open', 'input'],
    where,
    out,
  );
  if (typeof a.sample !== 'string' || !SAMPLE_ID.test(a.sample))
    out.push(`${where}: sample must be a sample id`);
  if (!isViewId(a.view)) out.push(`${where}: view must be one of ${LESSON_VIEWS.join(', ')}`);
  for (const k of ['image', 'layer'] as const)
    if (a[k] !== undefined && !isIndex(a[k])) out.push(`${where}: ${k} must be an integer >= 0`);
  if (a.path !== undefined) {
    if (typeof a.path !== 'string' || !isLessonPath(a.path))
      out.push(`${where}: path must be relative, like "app/www/index.html"`);
    else if (a.view !== 'files' && a.view !== 'container')
      out.push(`${where}: path is only used by the files and container views`);
  }
  if (a.input !== undefined) {
    if (!isStr(a.input) || a.input.length > 255)
      out.push(`${where}: input must be a non-empty string`);
    if (a.view !== 'names') out.push(`${where}: input is only used by the names view`);
  }
  if (a.container !== undefined) {
    if (!isContainerAction(a.container))
      out.push(`${where}: container must be one of ${CONTAINER_ACTIONS.join(', ')}`);
    else {
      const views = a.container === 'commit' ? ['container', 'images'] : ['container'];
      if (!views.includes(a.view as string))
        out.push(`${where}: container "${a.container}" needs view ${views.join(' or ')}`);
      const needsPath = actionTakesPath(a.container);
      if (needsPath && a.path === undefined)
        out.push(`${where}: container "${a.container}" needs a path`);
      if (!needsPath && a.path !== undefined)
        out.push(`${where}: container "${a.container}" takes no path`);
    }
  } else if (a.view === 'container') {
    out.push(`${where}: the container view needs a container operation`);
  }
  if (a.open !== undefined) {
    if (a.open !== 'export') out.push(`${where}: open must be "export"`);
    for (const k of ['image', 'layer', 'path', 'container', 'input'])
      if (a[k] !== undefined) out.push(`${where}: open "export" takes no ${k}`);
  }
}

function checkQuestion(q: unknown, where: string, lang: Lang, out: string[]): void {
  if (!isObj(q)) {
    out.push(`${where}: question must be an object`);
    return;
  }
  unknownKeys(q, ['prompt', 'choices', 'answer', 'explain', 'predict'], where, out);
  if (!isStr(q.prompt)) out.push(`${where}: prompt is required`);
  else checkMarkup(q.prompt, `${where}.prompt`, lang, out);
  if (!isStr(q.explain)) out.push(`${where}: explain is required`);
  else checkMarkup(q.explain, `${where}.explain`, lang, out);
  if (q.predict !== undefined && typeof q.predict !== 'boolean')
    out.push(`${where}: predict must be true or false`);
  const [min, max] = LIMITS.choices;
  if (!Array.isArray(q.choices) || q.choices.length < min || q.choices.length > max) {
    out.push(`${where}: choices must be a list of ${min} to ${max}`);
    return;
  }
  q.choices.forEach((c, i) => {
    if (!isStr(c)) out.push(`${where}.choices[${i}]: must be a non-empty string`);
    else {
      const { problems } = parseMarkup(c);
      for (const p of problems) out.push(`${where}.choices[${i}]: ${p}`);
      if (lang === 'en' && CJK.test(proseOf(c)))
        out.push(`${where}.choices[${i}]: Chinese text outside code in an en lesson`);
    }
  });
  if (new Set(q.choices).size !== q.choices.length) out.push(`${where}: choices repeat`);
  if (!isIndex(q.answer) || q.answer >= q.choices.length)
    out.push(`${where}: answer must be the index of a choice`);
}

function checkStep(s: unknown, where: string, lang: Lang, out: string[]): void {
  if (!isObj(s)) {
    out.push(`${where}: step must be an object`);
    return;
  }
  unknownKeys(s, ['id', 'title', 'text', 'action', 'target', 'question'], where, out);
  if (typeof s.id !== 'string' || !KEBAB.test(s.id)) out.push(`${where}: id must be kebab-case`);
  if (!isStr(s.title)) out.push(`${where}: title is required`);
  else {
    checkMarkup(s.title, `${where}.title`, lang, out);
    if (s.title.length > LIMITS.titleChars[lang])
      out.push(`${where}: title longer than ${LIMITS.titleChars[lang]} characters`);
  }
  if (!isStr(s.text)) out.push(`${where}: text is required`);
  else {
    checkMarkup(s.text, `${where}.text`, lang, out);
    const n = countSentences(s.text);
    const [min, max] = LIMITS.sentences;
    if (n < min || n > max) out.push(`${where}: text has ${n} sentences, not ${min} to ${max}`);
    if (s.text.length > LIMITS.textChars[lang])
      out.push(`${where}: text longer than ${LIMITS.textChars[lang]} characters`);
  }
  checkAction(s.action, `${where}.action`, out);
  if (typeof s.target !== 'string') out.push(`${where}: target is required`);
  else {
    const t = parseTarget(s.target);
    if (!t) out.push(`${where}: unknown target "${s.target}"`);
    else if (isObj(s.action)) {
      const views = targetViews(t);
      if (views !== 'any' && !views.includes(s.action.view as LessonView))
        out.push(`${where}: target "${s.target}" is not in the ${String(s.action.view)} view`);
      if (t.kind === 'error-panel' && s.action.open !== 'export')
        out.push(`${where}: error-panel needs open "export"`);
      if (s.action.open === 'export' && t.kind !== 'error-panel')
        out.push(`${where}: open "export" shows only the error-panel`);
      if (t.kind === 'committed-image' && s.action.container !== 'commit')
        out.push(`${where}: committed-image needs container "commit"`);
    }
  }
  if (s.question !== undefined) checkQuestion(s.question, `${where}.question`, lang, out);
}

/** Everything wrong with one lesson file; an empty list means it is valid. */
export function validateLesson(json: unknown): string[] {
  const out: string[] = [];
  if (!isObj(json)) return ['a lesson must be a JSON object'];
  unknownKeys(json, ['id', 'lang', 'order', 'title', 'summary', 'minutes', 'steps'], 'lesson', out);
  if (typeof json.id !== 'string' || !KEBAB.test(json.id)) out.push('id must be kebab-case');
  const lang = (LANGS as readonly unknown[]).includes(json.lang) ? (json.lang as Lang) : undefined;
  if (!lang) out.push(`lang must be one of ${LANGS.join(', ')}`);
  const l = lang ?? 'en';
  if (!Number.isInteger(json.order) || (json.order as number) < 1)
    out.push('order must be an integer >= 1');
  if (
    !Number.isInteger(json.minutes) ||
    (json.minutes as number) < 1 ||
    (json.minutes as number) > 60
  )
    out.push('minutes must be an integer from 1 to 60');
  if (!isStr(json.title)) out.push('title is required');
  else checkMarkup(json.title, 'title', l, out);
  if (!isStr(json.summary)) out.push('summary is required');
  else checkMarkup(json.summary, 'summary', l, out);
  const [min, max] = LIMITS.steps;
  if (!Array.isArray(json.steps) || json.steps.length < min || json.steps.length > max) {
    out.push(`steps must be a list of ${min} to ${max}`);
    return out;
  }
  const ids = new Set<string>();
  json.steps.forEach((s, i) => {
    const id = isObj(s) && typeof s.id === 'string' ? s.id : `#${i}`;
    checkStep(s, `steps[${i}] (${id})`, l, out);
    if (ids.has(id)) out.push(`steps[${i}]: duplicate step id "${id}"`);
    ids.add(id);
  });
  return out;
}

/** Differences between two language versions of one lesson other than their text. */
export function compareLessons(a: Lesson, b: Lesson): string[] {
  const out: string[] = [];
  const name = `${a.id} ${a.lang}/${b.lang}`;
  for (const k of ['id', 'order', 'minutes'] as const)
    if (a[k] !== b[k]) out.push(`${name}: ${k} differs (${a[k]} / ${b[k]})`);
  if (a.steps.length !== b.steps.length)
    out.push(`${name}: ${a.steps.length} steps / ${b.steps.length} steps`);
  const n = Math.min(a.steps.length, b.steps.length);
  for (let i = 0; i < n; i++) {
    const x = a.steps[i]!;
    const y = b.steps[i]!;
    const w = `${name} step ${i + 1}`;
    if (x.id !== y.id) out.push(`${w}: id ${x.id} / ${y.id}`);
    if (JSON.stringify(canonical(x.action)) !== JSON.stringify(canonical(y.action)))
      out.push(`${w} (${x.id}): actions differ`);
    if (x.target !== y.target) out.push(`${w} (${x.id}): target ${x.target} / ${y.target}`);
    const qx = x.question;
    const qy = y.question;
    if (!qx !== !qy) out.push(`${w} (${x.id}): only one language has a question`);
    else if (qx && qy) {
      if (qx.answer !== qy.answer) out.push(`${w} (${x.id}): answer ${qx.answer} / ${qy.answer}`);
      if (qx.choices.length !== qy.choices.length)
        out.push(`${w} (${x.id}): ${qx.choices.length} / ${qy.choices.length} choices`);
      if (!!qx.predict !== !!qy.predict) out.push(`${w} (${x.id}): predict differs`);
    }
  }
  return out;
}

function canonical(a: LessonAction): [string, unknown][] {
  return Object.entries(a).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}
