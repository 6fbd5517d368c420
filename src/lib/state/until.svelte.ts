/**
 * Waiting on state: a promise that resolves when a condition over `$state` holds. The condition
 * runs in an effect, so it is checked again exactly when the state it read changes (no timer, no
 * frame loop). It must only read.
 */

export interface UntilOptions {
  /** Stop waiting (resolves undefined), e.g. when the step that waits is left. */
  signal?: AbortSignal;
  /** Give up after this long (resolves undefined). */
  ms?: number;
}

/** The first truthy value of `read()`, or undefined when aborted or timed out. */
export function until<T>(
  read: () => T | undefined | null | false,
  opts: UntilOptions = {},
): Promise<T | undefined> {
  const { signal, ms } = opts;
  if (signal?.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (v: T | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      // Not from inside the effect that is running: the root is torn down once it has returned.
      queueMicrotask(() => stop());
      resolve(v);
    };
    const onAbort = () => finish(undefined);
    signal?.addEventListener('abort', onAbort);
    if (ms !== undefined) timer = setTimeout(() => finish(undefined), Math.max(0, ms));
    const stop = $effect.root(() => {
      $effect(() => {
        if (done) return;
        const v = read();
        if (v) finish(v);
      });
    });
  });
}
