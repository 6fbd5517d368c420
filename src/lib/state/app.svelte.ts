/**
 * The application: the current session, the route (mirrored in the URL hash), the theme, the
 * recent archives and lesson progress. Provided to every view through context, never a
 * module-level singleton.
 *
 * Its methods are the actions the views and the lesson runner share: show a route (opening its
 * sample), open a view, select a layer or a path (`navigate`), type a reference into the Names
 * view; `settled()` waits until the archive on screen is ready to be looked at.
 */
import { getContext, setContext } from 'svelte';
import { ArchiveClient } from '../workers/client';
import { Session } from './session.svelte';
import { formatHash, parseHash, type Route } from './route';
import { DEFAULT_VIEW, type ViewId } from '../views/registry';
import {
  forgetRecent,
  listRecent,
  recentId,
  rememberRecent,
  type RecentArchive,
} from '../persistence/recent';
import { listProgress, saveProgress, type LessonProgress } from '../persistence/progress';
import { until } from './until.svelte';

export type { LessonProgress };

export interface SampleInfo {
  id: string;
  file: string;
  expected?: string;
  kind: string;
  title: { en: string; zh: string };
  teaches: { en: string; zh: string };
  bytes: number;
  outerCompression?: string;
}

export type Theme = 'light' | 'dark';
const THEME_KEY = 'layerscope.theme';

export class AppState {
  session = $state<Session | undefined>();
  route = $state<Route>({ image: 0, view: DEFAULT_VIEW });
  samples = $state.raw<SampleInfo[]>([]);
  samplesFailed = $state(false);
  recent = $state.raw<RecentArchive[]>([]);
  theme = $state<Theme>('light');
  /** A fetch of a sample that failed (network or 404), shown on the open page. */
  loadError = $state<string | undefined>();
  /** A recent entry whose file was not stored: the open page asks to drop it again. */
  dropAgain = $state<RecentArchive | undefined>();
  /** Per lesson, the step reached and whether it was finished (kept in IndexedDB). */
  lessonProgress = $state.raw<Record<string, LessonProgress>>({});
  /** The reference typed into the Names view, for one image of one session. */
  #reference = $state.raw<{ session: Session; image: number; text: string } | undefined>();
  #client = new ArchiveClient();

  constructor() {
    let saved: string | null;
    try {
      saved = localStorage.getItem(THEME_KEY);
    } catch {
      saved = null;
    }
    this.theme =
      saved === 'dark' || saved === 'light'
        ? saved
        : matchMedia('(prefers-color-scheme: dark)').matches
          ? 'dark'
          : 'light';
    this.route = parseHash(location.hash);
  }

  setTheme(t: Theme): void {
    this.theme = t;
    try {
      localStorage.setItem(THEME_KEY, t);
    } catch {
      // Not kept across reloads when storage is unavailable.
    }
  }

  async loadSamples(): Promise<void> {
    try {
      const r = await fetch('/samples/samples.json');
      if (!r.ok) throw new Error(String(r.status));
      const d = (await r.json()) as { samples?: SampleInfo[] };
      this.samples = Array.isArray(d.samples) ? d.samples : [];
    } catch {
      this.samplesFailed = true;
      this.samples = [];
    }
  }

  async refreshRecent(): Promise<void> {
    this.recent = await listRecent();
  }

  /** Follows the URL: a deep link names a sample, which is loaded when it is not open already. */
  async followHash(): Promise<void> {
    const next = parseHash(location.hash);
    this.route = next;
    if (next.sample && this.session?.source.sampleId !== next.sample) {
      if (this.samples.length === 0) await this.loadSamples();
      const s = this.samples.find((x) => x.id === next.sample);
      if (s) await this.openSample(s, next);
    }
  }

  navigate(patch: Partial<Route>): void {
    this.route = { ...this.route, ...patch };
    const hash = formatHash(this.route);
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  view(v: ViewId): void {
    this.navigate({ view: v });
  }

  /**
   * Shows a route: navigates when its sample is the archive open, else opens the sample first.
   * Resolves with what went wrong (an unknown sample, a failed download), or undefined.
   */
  async show(route: Route, signal?: AbortSignal): Promise<string | undefined> {
    const cur = this.session;
    if (!route.sample || (cur?.source.sampleId === route.sample && cur.status !== 'cancelled')) {
      this.navigate(route);
      return undefined;
    }
    if (this.samples.length === 0) await this.loadSamples();
    if (signal?.aborted) return undefined;
    const s = this.samples.find((x) => x.id === route.sample);
    if (!s) return route.sample;
    await this.openSample(s, route);
    return this.loadError;
  }

  /**
   * Resolves true once the archive on screen can be looked at: the image shown is analysed (its
   * overlay built), or the archive failed to open (the error panel shows). False when there is
   * no archive, or on abort or timeout.
   */
  async settled(opts: { signal?: AbortSignal; ms?: number } = {}): Promise<boolean> {
    const ok = await until(() => {
      const s = this.session;
      if (!s) return false;
      if (s.status === 'error' || s.status === 'cancelled') return true;
      if (s.status !== 'ready') return false;
      const image = s.images[this.route.image] ?? s.images[0];
      return !!image && !!s.overlay(image);
    }, opts);
    return !!ok;
  }

  /** What was typed into the Names view for this image, if anything. */
  referenceFor(session: Session, image: number): string | undefined {
    const r = this.#reference;
    return r && r.session === session && r.image === image ? r.text : undefined;
  }

  /** Types a reference into the Names view (default: for the image on screen). */
  typeReference(text: string, session = this.session, image = this.route.image): void {
    if (session) this.#reference = { session, image, text };
  }

  async loadLessonProgress(): Promise<void> {
    this.lessonProgress = await listProgress();
  }

  /** Records where a learner is in a lesson, at once here and then in IndexedDB. */
  async saveLessonProgress(p: LessonProgress): Promise<void> {
    this.lessonProgress = { ...this.lessonProgress, [p.lessonId]: p };
    await saveProgress(p);
  }

  openFile(file: Blob, fileName: string, opts: { sampleId?: string; route?: Route } = {}): void {
    this.session?.cancel();
    this.loadError = undefined;
    this.dropAgain = undefined;
    this.session = new Session({ file, fileName, sampleId: opts.sampleId }, this.#client);
    this.navigate(
      opts.route ?? {
        sample: opts.sampleId,
        image: 0,
        view: DEFAULT_VIEW,
        layer: undefined,
        path: undefined,
      },
    );
    const lastModified = file instanceof File ? file.lastModified : 0;
    void rememberRecent({
      id: opts.sampleId ? `sample:${opts.sampleId}` : recentId(fileName, file.size, lastModified),
      name: fileName,
      size: file.size,
      openedAt: Date.now(),
      file: opts.sampleId ? undefined : file,
      sampleId: opts.sampleId,
    }).then(() => this.refreshRecent());
  }

  async openSample(s: SampleInfo, route?: Route): Promise<void> {
    this.loadError = undefined;
    try {
      const r = await fetch(`/samples/${encodeURIComponent(s.file)}`);
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const blob = await r.blob();
      this.openFile(blob, s.file, {
        sampleId: s.id,
        route: route ?? { sample: s.id, image: 0, view: DEFAULT_VIEW },
      });
    } catch (e) {
      this.loadError = `${s.file}: ${(e as Error).message}`;
    }
  }

  async openRecent(r: RecentArchive): Promise<void> {
    if (r.sampleId) {
      const s = this.samples.find((x) => x.id === r.sampleId);
      if (s) return this.openSample(s);
    }
    if (r.file) return this.openFile(r.file, r.name);
    this.dropAgain = r;
  }

  async forget(id: string): Promise<void> {
    await forgetRecent(id);
    if (this.dropAgain?.id === id) this.dropAgain = undefined;
    await this.refreshRecent();
  }

  cancel(): void {
    this.session?.cancel();
  }

  close(): void {
    this.session?.cancel();
    this.session = undefined;
    this.navigate({
      sample: undefined,
      image: 0,
      view: DEFAULT_VIEW,
      layer: undefined,
      path: undefined,
    });
  }
}

const KEY = Symbol('layerscope.app');

export function provideApp(app: AppState): AppState {
  return setContext(KEY, app);
}

export function useApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error('useApp() outside <App>');
  return app;
}
