/**
 * The app's views, in tab order: the one list the tab bar, the router (`#view=…`), the lesson
 * format (`action.view`, `tab:<view>`) and the i18n files are checked against. Plain data, so
 * content/ and state/ may import it; App.svelte maps each id to its component through a
 * `Record<ViewId, Component>` (features/views.ts), which the compiler holds complete.
 *
 * Adding a view: an entry here, its label in `src/lib/i18n/en.json` and `zh.json` (`nav.<id>`),
 * and its component in features/views.ts; `registry.test.ts` fails until all three agree.
 */

export interface ViewDef {
  /** The view's name in the URL (`#view=files`), in lessons and in `data-view` / `tab:<id>`. */
  readonly id: string;
  /** The tab's icon: decorative, hidden from assistive tech (the label says it). */
  readonly icon: string;
  /** The i18n key of the tab's label. */
  readonly label: `nav.${string}`;
  /**
   * The view fills the space under the tabs and scrolls inside itself (a virtual list, panes),
   * instead of scrolling as one page.
   */
  readonly fill: boolean;
  /** What it shows: the archive's images as stored, or the simulated containers (issue 5). */
  readonly kind: 'archive' | 'container';
}

export const VIEWS = [
  { id: 'images', icon: '▤', label: 'nav.images', fill: false, kind: 'archive' },
  { id: 'history', icon: '↺', label: 'nav.history', fill: false, kind: 'archive' },
  { id: 'inspect', icon: '{ }', label: 'nav.inspect', fill: false, kind: 'archive' },
  { id: 'layers', icon: '☰', label: 'nav.layers', fill: false, kind: 'archive' },
  { id: 'files', icon: '▦', label: 'nav.files', fill: true, kind: 'archive' },
  { id: 'wasted', icon: '⚖', label: 'nav.wasted', fill: false, kind: 'archive' },
  { id: 'names', icon: '@', label: 'nav.names', fill: false, kind: 'archive' },
  { id: 'container', icon: '▣', label: 'nav.container', fill: true, kind: 'container' },
] as const satisfies readonly ViewDef[];

export type ViewId = (typeof VIEWS)[number]['id'];

/** Every view id, in tab order. */
export const VIEW_IDS: readonly ViewId[] = VIEWS.map((v) => v.id);

/** The views of what the archive holds (all but the container view). */
export const ARCHIVE_VIEWS: readonly ViewId[] = VIEWS.filter((v) => v.kind === 'archive').map(
  (v) => v.id,
);

/** The view an archive opens on, and the one a URL without a known `view=` shows. */
export const DEFAULT_VIEW: ViewId = 'images';

export function isViewId(v: unknown): v is ViewId {
  return typeof v === 'string' && (VIEW_IDS as readonly string[]).includes(v);
}

const BY_ID = new Map<string, ViewDef>(VIEWS.map((v) => [v.id, v]));

/** A view's entry; an id that is not one is a programming error and throws. */
export function viewDef(id: ViewId): ViewDef {
  const def = BY_ID.get(id);
  if (!def) throw new Error(`Unknown view "${String(id)}"`);
  return def;
}
