/**
 * The runner finds a step's target by `data-lesson-target`; these tests check that the views emit
 * every kind of the vocabulary (schema.ts), every panel and every control, so a new lesson may use
 * any of them. The e2e spec (tests/e2e/lessons.spec.ts) checks the targets the lessons use.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROLS, PANELS, TARGETS, parseTarget } from '../../content/lessons/schema';
import { formatHash, parseHash } from '../../state/route';

const SRC = join(import.meta.dirname, '../..');
function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? svelteFiles(join(dir, d.name))
      : d.name.endsWith('.svelte')
        ? [join(dir, d.name)]
        : [],
  );
}
const views = svelteFiles(join(SRC, '..'))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

describe('target vocabulary', () => {
  it.each(Object.keys(TARGETS))('the views emit %s targets', (kind) => {
    const emitted = [`data-lesson-target="${kind}`, `'${kind}'`, `fields="${kind}"`].some((s) =>
      views.includes(s),
    );
    expect(emitted).toBe(true);
  });
  it.each(Object.keys(PANELS))('the views emit panel:%s', (name) => {
    expect(views).toContain(`panel:${name}`);
    expect(parseTarget(`panel:${name}`)).toBeTruthy();
  });
  it.each(Object.keys(CONTROLS))('the views emit control:%s', (name) => {
    expect(views).toContain(`"control:${name}"`);
  });
});

describe('step URLs', () => {
  it('keep the lesson, step and presenter flag beside the route', () => {
    const hash = '#lesson=deleting-does-not-shrink&step=4&sample=busybox-app&view=files&layer=8';
    const r = parseHash(`${hash}&path=app%2Fcache&present`);
    expect(r).toMatchObject({
      lesson: 'deleting-does-not-shrink',
      step: '4',
      sample: 'busybox-app',
      view: 'files',
      layer: 8,
      path: 'app/cache',
      present: true,
    });
    expect(formatHash(r)).toBe(`${hash}&path=app%2Fcache&present`);
  });
  it('open the index with #lessons, and ignore a malformed lesson id', () => {
    expect(parseHash('#lessons').lessons).toBe(true);
    expect(formatHash(parseHash('#lessons'))).toBe('#view=images&lessons');
    expect(parseHash('#lesson=<script>&step=1').lesson).toBeUndefined();
  });
});
