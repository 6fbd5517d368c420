import { describe, expect, it } from 'vitest';
import { CONTAINER_ACTIONS, actionTakesPath, isContainerAction } from './actions';

describe('container actions', () => {
  it('are listed once, in the order a container lives through them', () => {
    expect(CONTAINER_ACTIONS).toEqual([
      'start',
      'edit',
      'delete',
      'recreate-dir',
      'diff',
      'commit',
    ]);
  });
  it('say which act on a path', () => {
    expect(CONTAINER_ACTIONS.filter(actionTakesPath)).toEqual(['edit', 'delete', 'recreate-dir']);
  });
  it('recognise their names and nothing else', () => {
    for (const a of CONTAINER_ACTIONS) expect(isContainerAction(a)).toBe(true);
    for (const v of ['run', 'toString', '__proto__', '', undefined, 3])
      expect(isContainerAction(v)).toBe(false);
  });
});
