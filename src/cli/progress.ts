/**
 * The progress line on stderr while the CLI reads: percent, MB/s, layer n of m, rewritten in
 * place with `\r` at most every 100 ms and erased when the command is done, so what is left on
 * the terminal is the command's output only. Only for a terminal: in a pipe or a CI log it would
 * be noise, and `--quiet` turns it off there too.
 */
import type { EngineProgress } from '../lib/core/engine';

/** Fewer redraws than that are a flicker-free line; more would cost time on a slow terminal. */
const REDRAW_MS = 100;
const CLEAR = '\r\x1b[K';

export interface ProgressLine {
  onProgress?: (p: EngineProgress) => void;
  /** Erases the line (call before any output, and at the end). */
  done(): void;
}

const PHASE: Record<EngineProgress['phase'], string> = {
  opening: 'reading the archive',
  indexing: 'indexing',
  verifying: 'verifying digests',
};

export function progressLine(
  err: { write(s: string): unknown },
  enabled: boolean,
  clock: () => number = () => performance.now(),
): ProgressLine {
  if (!enabled) return { done() {} };
  let shown = false;
  let last = -Infinity;
  let phase: EngineProgress['phase'] | undefined;
  let phaseStart = 0;
  return {
    onProgress(p) {
      const now = clock();
      if (p.phase !== phase) {
        phase = p.phase;
        phaseStart = now;
      }
      if (now - last < REDRAW_MS && !p.layerDone) return;
      last = now;
      const pct = p.bytesTotal > 0 ? Math.min(100, (100 * p.bytesDone) / p.bytesTotal) : 0;
      const secs = (now - phaseStart) / 1000;
      const rate = secs > 0.05 ? `${(p.bytesDone / 1e6 / secs).toFixed(0)} MB/s` : '';
      const layer =
        p.layersTotal > 0
          ? `layer ${Math.min(p.layersDone + (p.layerDone ? 0 : 1), p.layersTotal)} of ${p.layersTotal}`
          : '';
      const parts = [PHASE[p.phase], `${pct.toFixed(0).padStart(3)}%`, rate, layer].filter(Boolean);
      err.write(`${CLEAR}layerscope: ${parts.join('  ')}`);
      shown = true;
    },
    done() {
      if (shown) err.write(CLEAR);
      shown = false;
    },
  };
}
