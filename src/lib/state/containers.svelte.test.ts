/**
 * The container state in Svelte's client runtime (the `runes` vitest project): what a view derives
 * from `ContainersState` follows every change to a container, with no counter to read. The image
 * is a real archive written and indexed by the core, as in the core's container tests.
 */
import { diffLines } from '../core/present/diff';
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { readLayerFile } from '../core/archive/layers';
import { d, f, imageArchive, openImage } from '../core/container/fixtures.test-helpers';
import type { ArchiveModel, ImageInfo } from '../core/model/types';
import { ContainersState, type ContainerFacts, type ContainerHost } from './containers.svelte';

async function fixture(): Promise<{ containers: ContainersState; image: ImageInfo }> {
  const o = await openImage(
    await imageArchive([
      [d('etc'), f('etc/app.conf', 'port=8080\n'), f('etc/motd', 'hello\n')],
      [d('app'), f('app/index.html', '<p>hi</p>\n')],
    ]),
  );
  let model: ArchiveModel = o.opened.model;
  const host: ContainerHost = {
    source: { file: new Blob([]), fileName: 'fixture.tar', sampleId: 'fixture' },
    get model() {
      return model;
    },
    overlayNow: () => o.overlay,
    addImage(image) {
      const added = { ...image, index: model.images.length };
      model = { ...model, images: [...model.images, added] };
      return added;
    },
    readFile: (key, entry, max) => readLayerFile(o.opened, key, entry, max),
  };
  return { containers: new ContainersState(host), image: o.image };
}

/**
 * What the container view derives (its `$derived`s read the state the same way), recorded by an
 * effect each time it runs.
 */
function watch(containers: ContainersState, image: ImageInfo) {
  const runs: {
    name?: string;
    diff: string[];
    events: string[];
    upper: number;
    etc: string[];
    error?: string;
    ps: string[];
  }[] = [];
  const stop = $effect.root(() => {
    const mine = $derived(containers.forImage(image));
    const current = $derived(containers.currentFor(image));
    // The merged tree is read from the live container, through the facts.
    const etc = $derived(current ? current.live.list('etc').map((s) => s.name) : []);
    $effect(() => {
      runs.push({
        name: current?.name,
        diff: current ? diffLines(current.diff.changes) : [],
        events: current?.events.map((e) => `${e.op} ${e.path}`) ?? [],
        upper: current?.upper.length ?? 0,
        etc,
        error: containers.error,
        ps: mine.map((c) => `${c.name} ${c.diff.changes.length}`),
      });
    });
  });
  flushSync();
  return { runs, last: () => runs.at(-1)!, stop };
}

describe('ContainersState: views follow the containers without a counter', () => {
  it('follows start, edit, create, delete and a failed operation', async () => {
    const { containers, image } = await fixture();
    const view = watch(containers, image);
    expect(view.last()).toMatchObject({ name: undefined, diff: [], ps: [] });

    const c = containers.start(image, { name: 'web' });
    flushSync();
    expect(view.last()).toMatchObject({ name: 'web', diff: [], upper: 0, ps: ['web 0'] });
    expect(view.last().etc).toEqual(['app.conf', 'motd']);

    containers.writeText('etc/app.conf', 'port=9090\n');
    flushSync();
    expect(view.last().diff).toEqual(['C /etc', 'C /etc/app.conf']);
    expect(view.last().events).toEqual(['write etc/app.conf']);
    expect(view.last().upper).toBe(2);
    expect(view.last().ps).toEqual(['web 2']);

    containers.createFile('etc/new.txt', 'x');
    flushSync();
    expect(view.last().etc).toEqual(['app.conf', 'motd', 'new.txt']);
    expect(view.last().diff).toContain('A /etc/new.txt');

    containers.delete('etc/motd');
    flushSync();
    expect(view.last().etc).toEqual(['app.conf', 'new.txt']);
    expect(view.last().diff).toContain('D /etc/motd');

    const before = view.runs.length;
    expect(() => containers.delete('etc/missing')).toThrow(/No such file or directory/);
    flushSync();
    expect(view.runs.length).toBe(before + 1);
    expect(view.last().error).toMatch(/missing: No such file or directory/);

    // Each change ran the effect once: one run per change, none missed, none extra.
    expect(view.runs.map((r) => r.events.length)).toEqual([0, 0, 1, 2, 3, 3]);
    expect(c.id).toBe(containers.current!.id);
    view.stop();
  });

  it('keeps facts as they were: a change makes new facts, others are left as they are', async () => {
    const { containers, image } = await fixture();
    const a = containers.start(image, { name: 'one' });
    const b = containers.start(image, { name: 'two' });
    expect(Object.isFrozen(a)).toBe(true);
    const view = watch(containers, image);
    expect(view.last().name).toBe('two');

    containers.delete('app/index.html', a);
    flushSync();
    const [a2, b2] = containers.list as [ContainerFacts, ContainerFacts];
    // a's facts were replaced; b's are the same object, so nothing derived from b alone reruns.
    expect(a2).not.toBe(a);
    expect(b2).toBe(b);
    expect(diffLines(a.diff.changes)).toEqual([]);
    expect(a.events).toEqual([]);
    expect(diffLines(a2.diff.changes)).toEqual(['C /app', 'D /app/index.html']);
    expect(view.last().ps).toEqual(['one 2', 'two 0']);
    // The view shows b (current): its own facts did not change.
    expect(view.last()).toMatchObject({ name: 'two', diff: [] });

    containers.select(a.id);
    flushSync();
    expect(view.last()).toMatchObject({ name: 'one', diff: ['C /app', 'D /app/index.html'] });

    await containers.remove(a.id);
    flushSync();
    expect(view.last()).toMatchObject({ name: 'two', ps: ['two 0'] });
    view.stop();
  });

  it('runs the lesson actions, and an edit reads the file it changes', async () => {
    const { containers, image } = await fixture();
    const view = watch(containers, image);
    await containers.run('start', { image });
    await containers.run('edit', { path: 'etc/app.conf' });
    flushSync();
    expect(view.last().diff).toEqual(['C /etc', 'C /etc/app.conf']);
    const text = await containers.readText('etc/app.conf');
    expect(text.kind === 'text' && text.text).toMatch(/^port=8080\n# edited in container \S+\n$/);
    await containers.run('recreate-dir', { path: 'app' });
    flushSync();
    expect(view.last().diff).toContain('C /app');
    expect(view.last().diff).toContain('D /app/index.html');
    await expect(containers.run('delete')).rejects.toThrow(/delete needs a path/);
    await containers.run('diff');
    expect(containers.focus).toBe('diff');
    view.stop();
  });
});
