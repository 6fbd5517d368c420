/**
 * The lesson runner: which lesson and step is shown, applying each step's action to the real app
 * (open the sample, select image, view, layer and path, type into the Names view, run container
 * operations) and finding the step's target on screen, where the panel highlights it.
 *
 * It drives the app through its state, with the actions the views use too (`app.show`,
 * `app.typeReference`, `session.containers.run`), and waits on that state (`app.settled()`), not
 * on the page; only the target itself is then looked for on the page, as the view renders it.
 *
 * The URL is the step's address: `#lesson=<id>&step=<n>` (1-based) plus the route the step drives
 * (`&sample=…&view=…&layer=…`), so a teacher can send one link. Progress is kept by the app state
 * (`app.lessonProgress`). Provided to the panel and to the views through context.
 */
import { getContext, setContext, tick } from 'svelte';
import { getLesson, lessonIds, type Lesson, type LessonAction } from '../../content/lessons';
import type { AppState, LessonProgress } from '../../state/app.svelte';
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
  /** Aborted on every step change: an older step's pending work stops. */
  #step = new AbortController();
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

  /** Per lesson, the step reached and whether it was finished. */
  get progress(): Record<string, LessonProgress> {
    return this.#app.lessonProgress;
  }

  loadProgress(): Promise<void> {
    return this.#app.loadLessonProgress();
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

  /** A new step begins: the work of the one before stops. */
  #restart(): AbortSignal {
    this.#step.abort();
    this.#step = new AbortController();
    return this.#step.signal;
  }

  #leave(): void {
    this.#restart();
    this.lessonId = undefined;
    this.highlight = undefined;
    this.targetState = 'idle';
    this.choice = undefined;
    this.problem = undefined;
  }

  async #enter(lesson: Lesson, i: number): Promise<void> {
    const signal = this.#restart();
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
      const prev = lesson.steps[i - 1];
      if (prev) {
        if (await this.#show(prev.action, lesson.id, i, true, signal))
          await this.#containerOps(lesson, i - 1, signal);
      } else await this.#show(step.action, lesson.id, i, false, signal);
      return;
    }
    await this.#apply(lesson, i);
  }

  /** Runs step i's action in full and finds its target. */
  async #apply(lesson: Lesson, i: number): Promise<void> {
    const signal = this.#step.signal;
    const deadline = performance.now() + TARGET_TIMEOUT_MS;
    const step = lesson.steps[i]!;
    const a = step.action;
    this.targetState = 'waiting';
    if (!(await this.#show(a, lesson.id, i, true, signal))) {
      if (!signal.aborted) this.targetState = 'missing';
      return;
    }
    if (signal.aborted) return;
    if (a.container && !(await this.#containerOps(lesson, i, signal, deadline))) {
      if (!signal.aborted) this.targetState = 'unsupported';
      return;
    }
    if (signal.aborted) return;
    this.highlight = step.target;
    const ready = await this.#app.settled({ signal, ms: deadline - performance.now() });
    const el = ready ? await findTarget(step.target, signal, deadline) : undefined;
    if (signal.aborted) return;
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
    signal: AbortSignal,
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
    const problem = await app.show(route, signal);
    if (signal.aborted) return false;
    if (problem) {
      this.problem = problem;
      return false;
    }
    if (full && a.input !== undefined) app.typeReference(a.input);
    return true;
  }

  /**
   * Runs the container operations of steps 0..upto not run yet in this session, in order (so a
   * step opened directly replays the ones before it). False when they cannot run here.
   */
  async #containerOps(
    lesson: Lesson,
    upto: number,
    signal: AbortSignal,
    deadline = performance.now() + TARGET_TIMEOUT_MS,
  ): Promise<boolean> {
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
    // The containers need the image's overlay (their read-only layers).
    const ready = await this.#app.settled({ signal, ms: deadline - performance.now() });
    if (!ready || this.#app.session !== session || session.status !== 'ready') return false;
    const containers = session.containers;
    for (const { i, a } of wanted) {
      if (this.#ops.done.has(i)) continue;
      if (signal.aborted) return false;
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

  #save(lessonId: string, step: number, completed: boolean): Promise<void> {
    return this.#app.saveLessonProgress({ lessonId, step, completed, updatedAt: Date.now() });
  }
}

/**
 * The first visible element of a target, once the view has rendered it: looked for after the
 * next render, then again whenever the page changes (a list scrolled to its row, a JSON viewer
 * opened to its key), at most once a frame; undefined at the deadline or on abort.
 */
async function findTarget(
  target: string,
  signal: AbortSignal,
  deadline: number,
): Promise<Element | undefined> {
  await tick();
  const sel = targetSelector(target);
  const look = () => [...document.querySelectorAll(sel)].find((e) => e.getClientRects().length > 0);
  const now = look();
  if (now || signal.aborted) return now;
  return new Promise((resolve) => {
    let frame = 0;
    const finish = (el: Element | undefined) => {
      observer.disconnect();
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(el);
    };
    const onAbort = () => finish(undefined);
    const observer = new MutationObserver(() => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        const el = look();
        if (el) finish(el);
      });
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
    const timer = setTimeout(() => finish(look()), Math.max(0, deadline - performance.now()));
    signal.addEventListener('abort', onAbort);
  });
}

const KEY = Symbol('layerscope.lessons');

export function provideLessons(runner: LessonRunner): LessonRunner {
  return setContext(KEY, runner);
}

/** The runner, or undefined outside the app (a view rendered on its own). */
export function useLessons(): LessonRunner | undefined {
  return getContext<LessonRunner | undefined>(KEY);
}
