/**
 * The registry, the router, the components, the lesson format and the i18n files agree on the
 * views: each view the registry lists has a component, a label in both languages, a URL that
 * round-trips, and may be named by a lesson.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARCHIVE_VIEWS, DEFAULT_VIEW, VIEWS, VIEW_IDS, isViewId, viewDef } from './registry';
import { formatHash, parseHash } from '../state/route';
import { VIEW_COMPONENTS, viewComponent } from '../features/views';
import { LESSON_VIEWS, parseTarget } from '../content/lessons/schema';
import en from '../i18n/en.json';
import zh from '../i18n/zh.json';

const CJK = /[\u3400-\u9fff]/;

function message(messages: object, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      messages,
    );
}

describe('the view registry', () => {
  it('lists each view once, with an icon, and the default view among them', () => {
    expect(new Set(VIEW_IDS).size).toBe(VIEWS.length);
    for (const v of VIEWS) {
      expect(v.id).toMatch(/^[a-z]+$/);
      expect(v.icon.trim()).not.toBe('');
      expect(viewDef(v.id)).toBe(v);
    }
    expect(VIEW_IDS).toContain(DEFAULT_VIEW);
    expect(ARCHIVE_VIEWS.length).toBeGreaterThan(0);
    expect(ARCHIVE_VIEWS.every((v) => VIEW_IDS.includes(v))).toBe(true);
  });

  it('has a label for every view in both languages (Chinese in zh.json), and no stray one', () => {
    for (const v of VIEWS) {
      const e = message(en, v.label);
      const z = message(zh, v.label);
      expect(typeof e === 'string' && e.trim() !== '', `${v.label} in en.json`).toBe(true);
      expect(typeof z === 'string' && CJK.test(z), `${v.label} in zh.json`).toBe(true);
    }
    // nav.* holds the labels and the tab bar's own name, nothing else.
    const labels = [...VIEWS.map((v) => v.label), 'nav.label'].sort();
    expect(
      Object.keys(en.nav)
        .map((k) => `nav.${k}`)
        .sort(),
    ).toEqual(labels);
    expect(
      Object.keys(zh.nav)
        .map((k) => `nav.${k}`)
        .sort(),
    ).toEqual(labels);
  });

  it('has a component for every view, and no component for a view it does not list', () => {
    expect(Object.keys(VIEW_COMPONENTS).sort()).toEqual([...VIEW_IDS].sort());
    for (const id of VIEW_IDS) expect(typeof viewComponent(id)).toBe('function');
  });

  it('treats an unknown view as a programming error, never as another view', () => {
    expect(isViewId('names')).toBe(true);
    expect(isViewId('nope')).toBe(false);
    expect(isViewId(undefined)).toBe(false);
    // Only a cast can get an unknown id here; the components map then throws.
    expect(() => viewComponent('nope' as never)).toThrow(/nope/);
    expect(() => viewDef('nope' as never)).toThrow(/nope/);
  });

  it('is what App.svelte renders: tabs from the registry, the view through the map', () => {
    const app = readFileSync(join(import.meta.dirname, '../../App.svelte'), 'utf8');
    expect(app).toContain('{#each VIEWS as v (v.id)}');
    expect(app).toContain('viewComponent(app.route.view)');
    // No view component imported or chosen by an if-chain there (that is how one fell through).
    for (const id of VIEW_IDS) expect(app).not.toContain(`lib/features/${id}/`);
    expect(app).not.toMatch(/route\.view === '/);
  });
});

describe('the router and the lesson format follow the registry', () => {
  it('round-trips every view through the URL', () => {
    for (const view of VIEW_IDS) {
      const hash = formatHash({ image: 0, view });
      expect(hash).toBe(`#view=${view}`);
      expect(parseHash(hash).view).toBe(view);
    }
  });

  it('opens the default view for a URL naming no known view (user input, not an error)', () => {
    expect(parseHash('#view=nope').view).toBe(DEFAULT_VIEW);
    expect(parseHash('#view=').view).toBe(DEFAULT_VIEW);
    expect(parseHash('#sample=busybox-app').view).toBe(DEFAULT_VIEW);
    expect(parseHash('#view=__proto__').view).toBe(DEFAULT_VIEW);
  });

  it('lets a lesson show every view and point at every tab, and no other', () => {
    expect([...LESSON_VIEWS]).toEqual([...VIEW_IDS]);
    for (const view of VIEW_IDS) expect(parseTarget(`tab:${view}`)).toEqual({ kind: 'tab', view });
    expect(parseTarget('tab:nope')).toBeUndefined();
  });
});
