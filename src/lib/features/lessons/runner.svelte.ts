/**
 * The lesson runner: which lesson and step is shown, applying each step's action to the real app
 * (open the sample, select image, view, layer and path, type into the Names view, run container
 * operations) and finding the step's target on screen, where the panel highlights it.
 *
 * The URL is the step's address: `#lesson=<id>&step=<n>` (1-based) plus the route the step drives
 * (`&sample=…&view=…&layer=…`), so a teacher can send one link. Progress is kept in IndexedDB
 * (`persistence/progress.ts`). Provided to the panel and to the views through context.
 */
import { getContext, setContext } from 'svelte';
import { getLesson, lessonIds, type Lesson, type LessonAction } from '../../content/lessons';
import { listProgress, saveProgress, type LessonProgress } from '../../persistence/progress';
import type { AppState } from '../../state/app.svelte';
import type { Route } from '../../state/route';
import type { Session } from '../../state/session.svelte';

/**
 * What the runner knows about the step's target:
 * `predict`: a predict-then-reveal question waits for an answer (nothing is highlighted yet);
 * `waiting`: the action runs or the view is still loading; `found`: highlighted on screen;
 * `missing`: not found in time; `unsupported`: this build cannot run the step's action.
 */
export type TargetState = 'idle' | 'predict' | 'waiting' | 'found' | 'missing' | 'unsupported';

/** How long a step waits for its target (the 30 MB debian sample is indexed in a few seconds). */
const TARGET_TIMEOUT_MS = 45_000;

/** The CSS selector of a target's elements (`data-lesson-target`, set in the view components). */
export function targetSelector(target: string): string {
  return `[data-lesson-target="${CSS.escape(target)}"]`;
}

export class LessonRunner {
  readonly #app: AppState;
  /** The lesson shown, or undefined (the index or nothing). */
  lessonId = $state<string | undefined>();
  /** The step shown, 0-based. */
  step = $state(0);
  /** The index of lessons is shown (when no lesson is). */
  indexOpen = $state(false);
  /** The answer picked for the step's question. */
  choice = $state<number | undefined>();
  targetState = $state<TargetState>('idle');
  /** The target highlighted now. */
  highlight = $state<string | undefined>();
  /** Why the step's action could not run (shown in the panel). */
  problem = $state<string | undefined>();
  progress = $state.raw<Record<string, LessonProgress>>({});
  /** Bumped on every step change: an older step's pending work stops when it sees a new token. */
  #token = 0;
  /** Container operations already run, by step index, for one session and lesson. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  #ops: { session?: Session; lesson?: string; done: Set<number> } = { done: new Set() };

  constructor(app: AppState) {
    this.#app = app;
  }

  /** The lesson's structure (actions and targets are the same in every language). */
  get lesson(): Lesson | undefined {
    return this.lessonId ? getLesson(this.lessonId, 'en') : undefined;
  }

  get open(): boolean {
    return this.indexOpen || this.lessonId !== undefined;
  }

  get present(): boolean {
    return !!this.#app.route.present;
  }

  async loadProgress(): Promise<void> {
    this.progress = await listProgress();
  }

  /** Follows the URL after a load or a hash change (the app has opened its sample already). */
  async follow(): Promise<void> {
    const r = this.#app.route;
    if (!r.lesson) {
      if (this.lessonId !== undefined) this.#leave();
      this.indexOpen = !!r.lessons;
      return;
    }
    const lesson = getLesson(r.lesson, 'en');
    if (!lesson) {
      this.#leave();
      this.indexOpen = true;
      this.#app.navigate({ lesson: undefined, step: undefined, lessons: true });
      return;
    }
    const byId = lesson.steps.findIndex((s) => s.id === r.step);
    const n = byId >= 0 ? byId : Math.max(0, Number(r.step ?? '1') - 1);
    const i = Math.min(Number.isFinite(n) ? n : 0, lesson.steps.length - 1);
    if (lesson.id === this.lessonId && i === this.step && this.targetState !== 'idle') return;
    await this.#enter(lesson, i);
  }

  showIndex(): void {
    this.#leave();
    this.indexOpen = true;
    this.#app.navigate({ lesson: undefined, step: undefined, lessons: true });
    void this.loadProgress();
  }

  /** Closes the panel (the views stay as they are). */
  close(): void {
    this.#leave();
    this.indexOpen = false;
    this.#app.navigate({ lesson: undefined, step: undefined, lessons: undefined });
  }

  toggleIndex(): void {
    if (this.open) this.close();
    else this.showIndex();
  }

  setPresent(on: boolean): void {
    this.#app.navigate({ present: on || undefined });
  }

  /** Opens a lesson where the learner left it (from the start once it was completed). */
  start(id: string): Promise<void> {
    const lesson = getLesson(id, 'en');
    if (!lesson) return Promise.resolve();
    const p = this.progress[id];
    const at = p && !p.completed ? Math.min(p.step, lesson.steps.length - 1) : 0;
    return this.#enter(lesson, at);
  }

  go(i: number): Promise<void> {
    const lesson = this.lesson;
    if (!lesson || i < 0 || i >= lesson.steps.length) return Promise.resolve();
    return this.#enter(lesson, i);
  }

  next(): Promise<void> {
    return this.go(this.step + 1);
  }

  back(): Promise<void> {
    return this.go(this.step - 1);
  }

  /** Marks the lesson completed and goes back to the index. */
  async finish(): Promise<void> {
    const lesson = this.lesson;
    if (!lesson) return;
    await this.#save(lesson.id, this.step, true);
    this.showIndex();
  }

  /** Answers the step's question; a predict question's answer runs the action (the reveal). */
  async answer(i: number): Promise<void> {
    const lesson = this.lesson;
    const step = lesson?.steps[this.step];
    if (!lesson || !step?.question || this.choice !== undefined) return;
    this.choice = i;
    if (step.question.predict && this.targetState === 'predict')
      await this.#apply(lesson, this.step);
  }

  /** The next lesson in course order, if any. */
  get nextLessonId(): string | undefined {
    const at = this.lessonId ? lessonIds.indexOf(this.lessonId) : -1;
    return at >= 0 ? lessonIds[at + 1] : undefined;
  }

  #leave(): void {
    this.#token++;
    this.lessonId = undefined;
    this.highlight = undefined;
    this.targetState = 'idle';
    this.choice = undefined;
    this.problem = undefined;
  }

  async #enter(lesson: Lesson, i: number): Promise<void> {
    this.#token++;
    this.lessonId = lesson.id;
    this.indexOpen = false;
    this.step = i;
    this.choice = undefined;
    this.highlight = undefined;
    this.problem = undefined;
    const step = lesson.steps[i]!;
    const p = this.progress[lesson.id];
    void this.#save(lesson.id, i, p?.completed ?? false);
    if (step.question?.predict) {
      // Ask first: the view shows the step before (or the bare sample), the answer reveals.
      this.targetState = 'predict';
      const token = this.#token;
      const prev = lesson.steps[i - 1];
      if (prev) {
        if (await this.#show(prev.action, lesson.id, i, true, token))
          await this.#containerOps(lesson, i - 1, token);
      } else await this.#show(step.action, lesson.id, i, false, token);
      return;
    }
    await this.#apply(lesson, i);
  }

  /** Runs step i's action in full and finds its target. */
  async #apply(lesson: Lesson, i: number): Promise<void> {
    const token = this.#token;
    const step = lesson.steps[i]!;
    const a = step.action;
    this.targetState = 'waiting';
    if (!(await this.#show(a, lesson.id, i, true, token))) {
      if (token === this.#token) this.targetState = 'missing';
      return;
    }
    if (token !== this.#token) return;
    if (a.container && !(await this.#containerOps(lesson, i, token))) {
      if (token === this.#token) this.targetState = 'unsupported';
      return;
    }
    if (token !== this.#token) return;
    this.highlight = step.target;
    const el = await this.#waitFor(step.target, token);
    if (token !== this.#token) return;
    this.targetState = el ? 'found' : 'missing';
    if (el) {
      const smooth = !matchMedia('(prefers-reduced-motion: reduce)').matches;
      el.scrollIntoView({
        block: 'center',
        inline: 'nearest',
        behavior: smooth ? 'smooth' : 'auto',
      });
    }
  }

  /**
   * Shows an action's sample, image and view; `full` also selects its layer and path and types its
   * input. Returns false when the sample could not be opened.
   */
  async #show(
    a: LessonAction,
    lessonId: string,
    i: number,
    full: boolean,
    token: number,
  ): Promise<boolean> {
    const app = this.#app;
    const route: Route = {
      ...app.route,
      sample: a.sample,
      image: a.image ?? 0,
      view: a.view,
      layer: full ? a.layer : undefined,
      path: full ? a.path : undefined,
      lesson: lessonId,
      step: String(i + 1),
      lessons: undefined,
    };
    const cur = app.session;
    if (cur?.source.sampleId === a.sample && cur.status !== 'cancelled') app.navigate(route);
    else {
      if (app.samples.length === 0) await app.loadSamples();
      if (token !== this.#token) return false;
      const s = app.samples.find((x) => x.id === a.sample);
      if (!s) {
        this.problem = a.sample;
        return false;
      }
      await app.openSample(s, route);
      if (app.loadError) {
        this.problem = app.loadError;
        return false;
      }
    }
    if (full && a.input !== undefined) {
      const input = await this.#waitFor('control:ref-input', token);
      const field = input?.querySelector('input') ?? input;
      if (field instanceof HTMLInputElement && token === this.#token) {
        field.value = a.input;
        field.dispatchEvent(new Event('input', { bubbles: true }));
      }
    }
    return true;
  }

  /**
   * Runs the container operations of steps 0..upto not run yet in this session, in order (so a
   * step opened directly replays the ones before it). False when they cannot run here.
   */
  async #containerOps(lesson: Lesson, upto: number, token: number): Promise<boolean> {
    const wanted = lesson.steps
      .slice(0, upto + 1)
      .map((s, i) => ({ i, a: s.action }))
      .filter((x) => x.a.container);
    if (wanted.length === 0) return true;
    const session = this.#app.session;
    if (!session) return false;
    if (this.#ops.session !== session || this.#ops.lesson !== lesson.id)
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
      this.#ops = { session, lesson: lesson.id, done: new Set() };
    const ready = await this.#until(() => {
      const image = session.images[lesson.steps[upto]!.action.image ?? 0];
      return session.status === 'ready' && !!image && !!session.overlay(image);
    }, token);
    if (!ready) return false;
    const containers = session.containers;
    if (!containers) return false;
    for (const { i, a } of wanted) {
      if (this.#ops.done.has(i)) continue;
      if (token !== this.#token) return false;
      try {
        await containers.run(a.container!, {
          image: session.images[a.image ?? 0],
          path: a.path,
        });
      } catch (e) {
        this.problem = e instanceof Error ? e.message : String(e);
        return false;
      }
      this.#ops.done.add(i);
    }
    return true;
  }

  /** Resolves true once `cond` holds (checked every frame), false on timeout or a newer step. */
  #until(cond: () => boolean, token: number, ms = TARGET_TIMEOUT_MS): Promise<boolean> {
    const end = performance.now() + ms;
    return new Promise((resolve) => {
      const tick = () => {
        if (token !== this.#token) return resolve(false);
        if (cond()) return resolve(true);
        if (performance.now() > end) return resolve(false);
        requestAnimationFrame(tick);
      };
      tick();
    });
  }

  /** The first visible element of a target, once it is on the page. */
  async #waitFor(target: string, token: number): Promise<Element | undefined> {
    const sel = targetSelector(target);
    let found: Element | undefined;
    const ok = await this.#until(() => {
      found = [...document.querySelectorAll(sel)].find((e) => e.getClientRects().length > 0);
      return !!found;
    }, token);
    return ok ? found : undefined;
  }

  async #save(lessonId: string, step: number, completed: boolean): Promise<void> {
    const p: LessonProgress = { lessonId, step, completed, updatedAt: Date.now() };
    this.progress = { ...this.progress, [lessonId]: p };
    await saveProgress(p);
  }
}

const KEY = Symbol('layerscope.lessons');

export function provideLessons(runner: LessonRunner): LessonRunner {
  return setContext(KEY, runner);
}

/** The runner, or undefined outside the app (a view rendered on its own). */
export function useLessons(): LessonRunner | undefined {
  return getContext<LessonRunner | undefined>(KEY);
}
