import { describe, expect, it } from 'vitest';
import { Overlay, buildOverlay, mergedListing } from './index';
import { dir, entry, file, hardlink, opaque, symlink, whiteout } from './entries.test-helpers';

/** Lines of the listing with only path and type, for compact assertions. */
function tree(overlay: ReturnType<typeof buildOverlay>, k: number): string[] {
  return mergedListing(overlay, k).map((l) => l.split('\t').slice(0, 3).join(' '));
}

describe('applying one layer', () => {
  it('creates implied parents as root-owned 0755 directories (moby createImpliedDirectories)', () => {
    const o = buildOverlay([[file('a/b/c', 3)]]);
    expect(mergedListing(o, 0)).toEqual([
      'a\tdir\t0\t755\t',
      'a/b\tdir\t0\t755\t',
      'a/b/c\tfile\t3\t644\t',
    ]);
    const rows = o.changes(0);
    expect(rows.map((r) => [r.path, r.action, r.implied ?? false])).toEqual([
      ['a', 'added', true],
      ['a/b', 'added', true],
      ['a/b/c', 'added', false],
    ]);
    expect(o.node(0, 'a')!.implied).toBe(true);
  });

  it('lets an explicit directory entry after its children replace the implied one', () => {
    const o = buildOverlay([[file('d/x', 1), dir('d', { mode: 0o700 })]]);
    expect(mergedListing(o, 0)[0]).toBe('d\tdir\t0\t700\t');
    expect(o.changes(0).find((r) => r.path === 'd')).toMatchObject({ action: 'added' });
    expect(o.changes(0).find((r) => r.path === 'd')!.implied).toBeUndefined();
  });

  it('keeps the last of duplicate entries and counts the earlier copies as shadowed', () => {
    const o = buildOverlay([[file('f', 1), file('f', 2), file('f', 3, { mode: 0o600 })]]);
    expect(mergedListing(o, 0)).toEqual(['f\tfile\t3\t600\t']);
    expect(o.changes(0)).toHaveLength(1);
    const h = o.pathHistory('f');
    expect(h.events).toHaveLength(1);
    expect(h.events[0]).toMatchObject({ layer: 0, action: 'added', size: 3, shadowedBytes: 3 });
  });

  it('drops a directory subtree when a later entry of the same layer replaces the directory', () => {
    const o = buildOverlay([[dir('d'), file('d/a', 5), file('d', 1)]]);
    expect(tree(o, 0)).toEqual(['d file 1']);
    // d/a was created and removed inside the layer: it was never visible, so it is no change.
    expect(o.changes(0).map((r) => r.path)).toEqual(['d']);
    expect(o.pathHistory('d/a').events).toEqual([]);
  });
});

describe('whiteouts (OCI image-spec layer.md)', () => {
  it('a file whiteout hides the lower file and the marker is never shown', () => {
    const o = buildOverlay([
      [dir('a'), file('a/x', 10), file('a/y', 5)],
      [dir('a'), whiteout('a/x')],
    ]);
    expect(tree(o, 0)).toEqual(['a dir 0', 'a/x file 10', 'a/y file 5']);
    expect(tree(o, 1)).toEqual(['a dir 0', 'a/y file 5']);
    const del = o.changes(1).find((r) => r.action === 'deleted')!;
    expect(del).toMatchObject({
      path: 'a/x',
      type: 'file',
      size: 10,
      beforeLayer: 0,
      deletedBy: { kind: 'whiteout', marker: 'a/.wh.x' },
      hidden: { entries: 1, files: 1, bytes: 10 },
    });
    expect(o.children(1, 'a').map((n) => n.name)).toEqual(['y']);
    expect(o.layerSummary(1)).toMatchObject({ whiteouts: 1, deleted: { count: 1, bytes: 10 } });
  });

  it('a directory whiteout hides the whole subtree and reports it once, with what it hid', () => {
    const o = buildOverlay([
      [dir('d'), dir('d/s'), file('d/s/f', 7), file('d/g', 3), file('keep', 1)],
      [whiteout('d')],
    ]);
    expect(tree(o, 1)).toEqual(['keep file 1']);
    expect(o.changes(1)).toEqual([
      expect.objectContaining({
        path: 'd',
        action: 'deleted',
        type: 'dir',
        size: 10,
        hidden: { entries: 4, files: 2, bytes: 10 },
        deletedBy: { kind: 'whiteout', marker: '.wh.d' },
      }),
    ]);
    expect(o.layerSummary(1)).toMatchObject({
      deleted: { count: 4, bytes: 10 },
      deletedRoots: 1,
      merged: { entries: 1, files: 1, bytes: 1 },
    });
    // Every path below records the deletion, with the marker that caused it.
    expect(o.pathHistory('d/s/f').events.map((e) => [e.layer, e.action, e.deletedBy])).toEqual([
      [0, 'added', undefined],
      [1, 'deleted', { kind: 'whiteout', marker: '.wh.d' }],
    ]);
  });

  it('whiteouts only affect lower layers: whiteout + re-add in one layer keeps the new path', () => {
    // The marker comes after the entry here: the spec applies whiteouts "first, regardless of
    // ordering" (moby's RemoveAll-on-sight would delete the new file).
    const o = buildOverlay([[file('a', 5)], [file('a', 8), whiteout('a')]]);
    expect(tree(o, 1)).toEqual(['a file 8']);
    expect(o.changes(1)).toEqual([
      expect.objectContaining({
        path: 'a',
        action: 'modified',
        replaced: true,
        changed: ['size'],
        deletedBy: { kind: 'whiteout', marker: '.wh.a' },
      }),
    ]);
  });

  it('whiteout + re-add of a directory replaces its lower contents', () => {
    const o = buildOverlay([
      [dir('d'), file('d/x', 2), file('d/same', 4)],
      [whiteout('d'), dir('d'), file('d/y', 1), file('d/same', 4)],
    ]);
    expect(tree(o, 1)).toEqual(['d dir 0', 'd/same file 4', 'd/y file 1']);
    const byPath = new Map(o.changes(1).map((r) => [r.path, r]));
    expect(byPath.get('d')).toMatchObject({
      action: 'modified',
      replaced: true,
      hidden: { entries: 1, files: 1, bytes: 2 },
    });
    expect(byPath.get('d/x')).toMatchObject({
      action: 'deleted',
      deletedBy: { kind: 'whiteout', marker: '.wh.d' },
    });
    expect(byPath.get('d/y')).toMatchObject({ action: 'added' });
    expect(byPath.get('d/same')).toMatchObject({ action: 'modified', replaced: true, changed: [] });
  });

  it('a whiteout of something that does not exist below is reported, not applied', () => {
    const o = buildOverlay([[file('a', 1)], [whiteout('nothing')]]);
    expect(tree(o, 1)).toEqual(['a file 1']);
    expect(o.layerSummary(1)).toMatchObject({ whiteouts: 0, ineffectiveWhiteouts: 1 });
    expect(o.issues).toEqual([{ layer: 1, path: '.wh.nothing', kind: 'ineffective-whiteout' }]);
  });

  it('rejects a bare .wh. marker', () => {
    const o = buildOverlay([[file('a', 1)], [file('.wh.')]]);
    expect(tree(o, 1)).toEqual(['a file 1']);
    expect(o.issues.map((i) => i.kind)).toEqual(['empty-whiteout']);
  });
});

describe('opaque directories', () => {
  it('hide every lower child but keep the layer’s own children, whatever the marker’s position', () => {
    const o = buildOverlay([
      [
        dir('d'),
        file('d/old', 4),
        file('d/keep', 1),
        dir('d/sub'),
        file('d/sub/z', 6),
        file('other', 2),
      ],
      [dir('d'), file('d/new', 2), file('d/keep', 9), opaque('d')],
    ]);
    expect(tree(o, 1)).toEqual(['d dir 0', 'd/keep file 9', 'd/new file 2', 'other file 2']);
    const byPath = new Map(o.changes(1).map((r) => [r.path, r]));
    expect(byPath.get('d')).toMatchObject({
      action: 'modified',
      opaque: true,
      hidden: { entries: 3, files: 2, bytes: 10 },
    });
    expect(byPath.get('d/old')).toMatchObject({
      action: 'deleted',
      deletedBy: { kind: 'opaque', dir: 'd', marker: 'd/.wh..wh..opq' },
    });
    expect(byPath.get('d/sub')).toMatchObject({
      action: 'deleted',
      hidden: { entries: 2, files: 1, bytes: 6 },
    });
    expect(byPath.has('d/sub/z')).toBe(false); // reported through d/sub
    expect(byPath.get('d/keep')).toMatchObject({
      action: 'modified',
      replaced: true,
      changed: ['size'],
    });
    expect(byPath.get('d/new')).toMatchObject({ action: 'added' });
    expect(o.node(1, 'd')!.opaque).toBe(true);
    expect(o.node(0, 'd')!.opaque).toBe(false);
    expect(o.layerSummary(1).opaqueDirs).toBe(1);
  });

  it('marks the directory as changed even when the layer does not re-list it', () => {
    const o = buildOverlay([[dir('d'), file('d/x', 1)], [opaque('d')]]);
    expect(tree(o, 1)).toEqual(['d dir 0']);
    expect(o.changes(1)[0]).toMatchObject({
      path: 'd',
      action: 'modified',
      opaque: true,
      changed: [],
    });
  });

  it('at the root hides the whole lower filesystem', () => {
    const o = buildOverlay([
      [dir('etc'), file('etc/a', 1)],
      [opaque(''), file('new', 1)],
    ]);
    expect(tree(o, 1)).toEqual(['new file 1']);
    expect(o.layerSummary(1).opaqueDirs).toBe(1);
  });
});

describe('replacing paths of another type', () => {
  it('a directory replaced by a file and back', () => {
    const o = buildOverlay([
      [dir('p'), file('p/q', 3)],
      [file('p', 4)],
      [dir('p'), file('p/r', 1)],
    ]);
    expect(tree(o, 0)).toEqual(['p dir 0', 'p/q file 3']);
    expect(tree(o, 1)).toEqual(['p file 4']);
    expect(tree(o, 2)).toEqual(['p dir 0', 'p/r file 1']);
    const l1 = new Map(o.changes(1).map((r) => [r.path, r]));
    expect(l1.get('p')).toMatchObject({
      action: 'modified',
      changed: ['type', 'size', 'mode'],
      hidden: { entries: 1, files: 1, bytes: 3 },
    });
    expect(l1.get('p/q')).toMatchObject({
      action: 'deleted',
      deletedBy: { kind: 'replaced', by: 'p' },
    });
    expect(o.changes(2).find((r) => r.path === 'p')).toMatchObject({
      action: 'modified',
      changed: ['type', 'size', 'mode'],
    });
    expect(o.pathHistory('p/q').events.map((e) => [e.layer, e.action])).toEqual([
      [0, 'added'],
      [1, 'deleted'],
    ]);
    expect(o.pathHistory('p').events.map((e) => [e.layer, e.action, e.type])).toEqual([
      [0, 'added', 'dir'],
      [1, 'modified', 'file'],
      [2, 'modified', 'dir'],
    ]);
  });

  it('a file in the way of a parent becomes an implied directory, reported as an issue', () => {
    const o = buildOverlay([[file('x', 2)], [file('x/y', 1)]]);
    expect(tree(o, 1)).toEqual(['x dir 0', 'x/y file 1']);
    // The implied directory has no owner names (uname/gname ''), hence 'owner'.
    expect(o.changes(1)[0]).toMatchObject({
      path: 'x',
      action: 'modified',
      implied: true,
      changed: ['type', 'size', 'mode', 'owner'],
    });
    expect(o.issues).toEqual([{ layer: 1, path: 'x', kind: 'parent-not-dir' }]);
  });

  it('a symlink over a directory removes the directory subtree', () => {
    const o = buildOverlay([[dir('lib'), file('lib/a.so', 9)], [symlink('lib', 'usr/lib')]]);
    expect(mergedListing(o, 1)).toEqual(['lib\tsymlink\t0\t777\tusr/lib']);
  });
});

describe('links', () => {
  it('lists hardlinks with their normalised target and symlinks as written', () => {
    const o = buildOverlay([
      [
        dir('bin'),
        file('bin/busybox', 100, { mode: 0o755 }),
        hardlink('bin/sh', './bin/busybox', { mode: 0o755 }),
        hardlink('bin/ls', '/bin/busybox', { mode: 0o755 }),
        symlink('bin/vi', '../bin/./busybox'),
      ],
    ]);
    expect(mergedListing(o, 0)).toEqual([
      'bin\tdir\t0\t755\t',
      'bin/busybox\tfile\t100\t755\t',
      'bin/ls\thardlink\t0\t755\tbin/busybox',
      'bin/sh\thardlink\t0\t755\tbin/busybox',
      'bin/vi\tsymlink\t0\t777\t../bin/./busybox',
    ]);
    expect(o.issues).toEqual([]);
  });

  it('reports a hardlink whose target does not exist yet', () => {
    const o = buildOverlay([[hardlink('a', 'b'), file('b', 1)]]);
    expect(o.issues).toEqual([{ layer: 0, path: 'a', kind: 'hardlink-target-missing' }]);
  });

  it('resolves a hardlink to a lower layer', () => {
    const o = buildOverlay([[file('b', 1)], [hardlink('a', 'b')]]);
    expect(o.issues).toEqual([]);
    expect(tree(o, 1)).toEqual(['a hardlink 0', 'b file 1']);
  });
});

describe('AUFS metadata (moby go-archive diff.go)', () => {
  it('is never shown, and hardlinks into .wh..wh.plnk become copies of the linked file', () => {
    const o = buildOverlay([
      [
        file('.wh..wh.aufs'),
        dir('.wh..wh.orph'),
        dir('.wh..wh.plnk'),
        file('.wh..wh.plnk/262.1001', 50, { mode: 0o755 }),
        dir('usr'),
        hardlink('usr/tool', '.wh..wh.plnk/262.1001'),
        hardlink('usr/gone', '/.wh..wh.plnk/999.1'),
      ],
    ]);
    expect(mergedListing(o, 0)).toEqual([
      'usr\tdir\t0\t755\t',
      'usr/gone\thardlink\t0\t644\t.wh..wh.plnk/999.1',
      'usr/tool\tfile\t50\t755\t',
    ]);
    expect(o.changes(0).find((r) => r.path === 'usr/tool')).toMatchObject({
      retargeted: true,
      size: 50,
    });
    expect(o.issues).toEqual([{ layer: 0, path: 'usr/gone', kind: 'aufs-hardlink-missing' }]);
  });
});

describe('hostile names', () => {
  it('never lets a path escape the root and never crashes', () => {
    const o = buildOverlay([
      [
        file('../etc/passwd', 1),
        file('/abs', 1),
        file('a/../../b', 1),
        file('a//b', 1),
        file('./c', 1),
        file('ok', 1),
        whiteout('../x'),
        file('.wh.x/inner', 1),
      ],
    ]);
    expect(tree(o, 0)).toEqual(['ok file 1']);
    expect(o.issues.map((i) => i.kind)).toEqual([
      'unsafe-path',
      'unsafe-path',
      'unsafe-path',
      'unsafe-path',
      'unsafe-path',
      'unsafe-path',
      'marker-parent',
    ]);
  });

  it('takes paths as deep as PATH_MAX allows, implied parents and all, without recursing', () => {
    // 2,047 components, 4,095 bytes: the deepest path a layer's index accepts.
    const deep = Array.from({ length: 2047 }, () => 'd').join('/');
    const o = buildOverlay([[file(deep, 5)], [file(`${deep.slice(0, 2001)}/x`, 1)]]);
    const listing = tree(o, 1);
    expect(listing).toHaveLength(2048);
    expect(listing[listing.length - 1]).toBe('d/'.repeat(1001) + 'x file 1');
    expect(o.entryAt(1, deep)).toMatchObject({ type: 'file', size: 5 });
    expect(o.node(0, deep.slice(0, 1999))).toMatchObject({ implied: true, isDir: true });
    expect(o.changes(0)).toHaveLength(2047);
    expect(o.changes(1).map((r) => r.path)).toEqual([`${deep.slice(0, 2001)}/x`]);
  });

  it('keeps the root entry as root metadata only', () => {
    const o = buildOverlay([[dir('', { mode: 0o700 }), file('a', 1)]]);
    expect(tree(o, 0)).toEqual(['a file 1']);
    expect(o.node(0, '')!.entry.mode).toBe(0o700);
    expect(o.changes(0).map((r) => r.path)).toEqual(['a']);
  });
});

describe('the merged tree at any layer', () => {
  const layers = [
    [dir('etc'), file('etc/os-release', 100), dir('usr'), dir('usr/bin'), file('usr/bin/sh', 1000)],
    [dir('etc'), file('etc/app.conf', 10), file('etc/os-release', 120)],
    [dir('usr'), dir('usr/bin'), whiteout('usr/bin/sh'), file('usr/bin/app', 500)],
  ];
  const o = buildOverlay(layers);

  it('answers for every layer from one build', () => {
    expect(o.children(0, 'etc').map((n) => n.name)).toEqual(['os-release']);
    expect(o.children(1, 'etc').map((n) => [n.name, n.status, n.layer])).toEqual([
      ['app.conf', 'added', 1],
      ['os-release', 'modified', 1],
    ]);
    expect(o.children(2, 'etc').map((n) => [n.name, n.status, n.layer])).toEqual([
      ['app.conf', 'unchanged', 1],
      ['os-release', 'unchanged', 1],
    ]);
    expect(o.node(1, 'etc/os-release')!.changed).toEqual(['size']);
  });

  it('gives directory sizes, file counts and child counts', () => {
    expect(o.tree(0).root).toMatchObject({ size: 1100, files: 2, childCount: 2 });
    expect(o.tree(1).root).toMatchObject({ size: 1130, files: 3 });
    expect(o.tree(2).root).toMatchObject({ size: 630, files: 3 });
    expect(o.node(1, 'etc')).toMatchObject({ size: 130, files: 2, childCount: 2, isDir: true });
    expect(o.layerSummary(2).merged).toEqual({ entries: 6, files: 3, bytes: 630 });
  });

  it('shows only changes, their ancestors and deleted paths in the changes-only view', () => {
    const t = o.tree(2, { changesOnly: true });
    expect(t.root.changedBelow).toBe(true);
    expect(t.children('').map((n) => [n.name, n.status])).toEqual([['usr', 'modified']]);
    expect(t.children('usr/bin').map((n) => [n.name, n.status, n.size])).toEqual([
      ['app', 'added', 500],
      ['sh', 'deleted', 1000],
    ]);
    expect(t.node('etc')).toBeUndefined();
    expect(t.node('usr/bin/sh')!.deletedBy).toEqual({ kind: 'whiteout', marker: 'usr/bin/.wh.sh' });
    // The full view of the same layer does not show the deleted file.
    expect(o.children(2, 'usr/bin').map((n) => n.name)).toEqual(['app']);
  });

  it('flattens expanded directories into rows for a virtualised tree', () => {
    const rows = o.tree(1).rows((p) => p === 'etc' || p === 'usr');
    expect(rows.map((r) => `${'  '.repeat(r.depth)}${r.node.name}`)).toEqual([
      'etc',
      '  app.conf',
      '  os-release',
      'usr',
      '  bin',
    ]);
  });

  it('returns cached children arrays', () => {
    expect(o.children(1, 'etc')).toBe(o.children(1, 'etc'));
  });

  it('summarises each layer', () => {
    expect(o.layerSummary(1)).toEqual({
      layer: 1,
      entries: 3,
      added: { count: 1, bytes: 10 },
      modified: { count: 2, bytes: 120 },
      deleted: { count: 0, bytes: 0 },
      deletedRoots: 0,
      relisted: 1,
      whiteouts: 0,
      ineffectiveWhiteouts: 0,
      opaqueDirs: 0,
      merged: { entries: 6, files: 3, bytes: 1130 },
      issues: 0,
    });
  });

  it('rejects layers out of range', () => {
    expect(() => o.changes(3)).toThrow(RangeError);
    expect(() => o.tree(-1)).toThrow(RangeError);
  });
});

describe('path history', () => {
  it('lists every layer that touched a path, with sizes and entries', () => {
    const o = buildOverlay([
      [file('f', 10)],
      [file('f', 10, { mode: 0o755 })],
      [whiteout('f')],
      [file('f', 3)],
    ]);
    const h = o.pathHistory('f');
    expect(h.presentAtTop).toBe(true);
    expect(h.events.map((e) => [e.layer, e.action, e.size, e.changed])).toEqual([
      [0, 'added', 10, undefined],
      [1, 'modified', 10, ['mode']],
      [2, 'deleted', 0, undefined],
      [3, 'added', 3, undefined],
    ]);
    expect(h.events[2]!.deletedEntry!.mode).toBe(0o755);
    expect(h.events[2]!.hidden).toEqual({ entries: 1, files: 1, bytes: 10 });
  });

  it('is empty for a path no layer has', () => {
    expect(buildOverlay([[file('a')]]).pathHistory('nope')).toEqual({
      path: 'nope',
      events: [],
      presentAtTop: false,
    });
  });
});

describe('odd input', () => {
  it('handles an image with no layers and empty layers', () => {
    expect(buildOverlay([]).layerCount).toBe(0);
    const o = buildOverlay([[], [file('a', 1)], []]);
    expect(tree(o, 2)).toEqual(['a file 1']);
    expect(o.changes(2)).toEqual([]);
  });

  it('lists character devices, fifos and sparse files', () => {
    const o = buildOverlay([
      [
        entry('dev/null', { type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }),
        entry('run/fifo', { type: 'fifo' }),
        entry('sparse', { type: 'other', size: 40 }),
      ],
    ]);
    expect(mergedListing(o, 0)).toEqual([
      'dev\tdir\t0\t755\t',
      'dev/null\tchar\t0\t666\t',
      'run\tdir\t0\t755\t',
      'run/fifo\tfifo\t0\t644\t',
      'sparse\tfile\t40\t644\t',
    ]);
  });

  it('sorts the listing in byte order, not tree order', () => {
    const o = buildOverlay([
      [file('a/b'), file('a-c'), file('é'), file('\u{1F600}'), file('\uFFFD')],
    ]);
    expect(mergedListing(o, 0).map((l) => l.split('\t')[0])).toEqual([
      'a',
      'a-c',
      'a/b',
      'é',
      '\uFFFD',
      '\u{1F600}',
    ]);
  });
});

describe('building layer by layer', () => {
  it('gives the same model as building at once, and refuses a layer too many', () => {
    const layers = [
      [dir('etc'), file('etc/a', 1), file('etc/b', 2)],
      [whiteout('etc/a'), file('etc/b', 5), symlink('etc/c', 'b')],
      [opaque('etc'), file('etc/d', 7)],
    ];
    const whole = buildOverlay(layers);
    const stepwise = new Overlay(layers.length);
    for (const [k, l] of layers.entries()) {
      expect(stepwise.applied).toBe(k);
      stepwise.applyNext(l);
    }
    expect(() => stepwise.applyNext([])).toThrow(RangeError);
    for (let k = 0; k < layers.length; k++) {
      expect(mergedListing(stepwise, k)).toEqual(mergedListing(whole, k));
      expect(stepwise.changes(k)).toEqual(whole.changes(k));
      expect(stepwise.layerSummary(k)).toEqual(whole.layerSummary(k));
    }
    expect(stepwise.pathHistory('etc/b')).toEqual(whole.pathHistory('etc/b'));
    expect(stepwise.wastedSpace()).toEqual(whole.wastedSpace());
    expect(mergedListing(stepwise, 2)).toEqual(['etc\tdir\t0\t755\t', 'etc/d\tfile\t7\t644\t']);
  });

  it('answers for an image of no layers at once', () => {
    const o = new Overlay(0);
    expect(o.applied).toBe(0);
    expect(() => o.applyNext([])).toThrow(RangeError);
    expect(o.modelSize()).toEqual({ paths: 1, versions: 1, shadowed: 0 });
  });
});
