/**
 * The application: the current session, the route (mirrored in the URL hash), the theme and the
 * recent archives. Provided to every view through context, never a module-level singleton.
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
