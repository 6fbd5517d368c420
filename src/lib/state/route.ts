/**
 * Deep links: the URL hash records the open sample, image, view, layer and path, so a teacher can
 * share one exact view of a bundled sample (`#sample=busybox-app&view=files&layer=3&path=app`).
 */
import { DEFAULT_VIEW, isViewId, type ViewId } from '../views/registry';

export type { ViewId };

export interface Route {
  sample?: string;
  image: number;
  view: ViewId;
  /** Selected layer index, bottom = 0; undefined = the top layer. */
  layer?: number;
  path?: string;
  /** The lesson shown beside the views (features/lessons), and its step: 1-based, or a step id. */
  lesson?: string;
  step?: string;
  /** The lesson index is open (`#lessons`). */
  lessons?: boolean;
  /** Presenter mode (`#present`): large type, high contrast. */
  present?: boolean;
}

const int = (v: string | null): number | undefined => {
  if (v === null || !/^\d{1,6}$/.test(v)) return undefined;
  return Number(v);
};

export function parseHash(hash: string): Route {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const view = q.get('view');
  const sample = q.get('sample');
  return {
    sample: sample && /^[a-z0-9][a-z0-9._-]{0,63}$/.test(sample) ? sample : undefined,
    image: int(q.get('image')) ?? 0,
    // A view this build does not have (an old or mistyped link) opens the default view.
    view: isViewId(view) ? view : DEFAULT_VIEW,
    layer: int(q.get('layer')),
    path: q.get('path') ?? undefined,
    lesson: /^[a-z0-9-]{1,64}$/.test(q.get('lesson') ?? '') ? q.get('lesson')! : undefined,
    step: /^[a-z0-9-]{1,64}$/.test(q.get('step') ?? '') ? q.get('step')! : undefined,
    lessons: q.has('lessons') || undefined,
    present: q.has('present') || undefined,
  };
}

export function formatHash(r: Route): string {
  const q = new URLSearchParams();
  if (r.lesson) q.set('lesson', r.lesson);
  if (r.lesson && r.step) q.set('step', r.step);
  if (r.sample) q.set('sample', r.sample);
  if (r.image) q.set('image', String(r.image));
  q.set('view', r.view);
  if (r.layer !== undefined) q.set('layer', String(r.layer));
  if (r.path) q.set('path', r.path);
  const flags = [r.lessons && !r.lesson ? 'lessons' : '', r.present ? 'present' : ''];
  return `#${[q.toString(), ...flags].filter(Boolean).join('&')}`;
}
