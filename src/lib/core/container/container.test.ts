import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mergedListing } from '../overlay';
import { Container } from './container';
import { ContainerConfigError, ContainerFsError, type UpperEffect } from './types';
import {
  bytesOf,
  d,
  dec,
  f,
  imageArchive,
  l,
  openImage,
  seededRandom,
  testClock,
  text,
  type OpenedImage,
} from './fixtures.test-helpers';
import { randomId, randomName, uniqueName } from './names';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let img: OpenedImage;
let archiveBytes: Uint8Array;
let archiveSha: string;
let listingBefore: string[];

beforeAll(async () => {
  archiveBytes = await imageArchive([
    [
      d('app/'),
      d('app/cache/'),
      f('app/cache/a.txt', 'A'),
      f('app/cache/b.txt', 'B'),
      d('app/docs/'),
      f('app/docs/README', 'read me'),
      f('app/index.html', '<h1>hi</h1>'),
      d('bin/'),
      f('bin/sh', '#!shell', { mode: 0o755 }),
      { path: 'bin/ls', type: 'hardlink', linkname: 'bin/sh' },
      d('etc/'),
      d('etc/app/'),
      f('etc/app/app.conf', 'port=80\n'),
      f('etc/passwd', 'root:x:0:0\n'),
      l('www', 'app'),
    ],
    [d('etc/'), d('etc/app/'), f('etc/app/app.conf', 'port=8080\n'), d('tmp/', { mode: 0o1777 })],
  ]);
  archiveSha = sha(archiveBytes);
  img = await openImage(archiveBytes);
  listingBefore = mergedListing(img.overlay, img.overlay.layerCount - 1);
});

function run(opts: { name?: string; cmd?: string[] } = {}) {
  return Container.create({
    image: img.image,
    lower: img.lower,
    now: testClock(),
    random: seededRandom(7),
    ...opts,
  });
}

const kinds = (fx: UpperEffect[]) => fx.map((e) => `${e.kind} ${'path' in e ? e.path : e.from}`);

/** The image must never change: same archive bytes, same merged listing. */
function expectImageUnchanged() {
  expect(sha(archiveBytes)).toBe(archiveSha);
  expect(mergedListing(img.overlay, img.overlay.layerCount - 1)).toEqual(listingBefore);
}

async function content(c: Container, path: string): Promise<string> {
  const r = c.readFile(path);
  return dec(r.kind === 'bytes' ? r.data : await bytesOf(await img.read(r.file)));
}

describe('identity', () => {
  it('has a 64-hex ID, a 12-hex short ID, a two-word name and Docker config', () => {
    const c = run();
    expect(c.id).toMatch(/^[0-9a-f]{64}$/);
    expect(c.shortId).toBe(c.id.slice(0, 12));
    expect(c.name).toMatch(/^[a-z]+_[a-z]+$/);
    expect(c.created).toBe('2025-01-02T03:04:06.250Z');
    expect(c.config).toMatchObject({
      Hostname: c.shortId,
      Image: 'demo:1',
      Cmd: ['/bin/sh'],
      Env: ['PATH=/usr/bin:/bin'],
      WorkingDir: '/app',
      Labels: { demo: 'yes' },
      Entrypoint: null,
      Tty: true,
      OpenStdin: true,
    });
    expect(run({ cmd: ['ls', '-l'] }).config.Cmd).toEqual(['ls', '-l']);
  });

  it('generates names like Docker: six tries, then the short ID', () => {
    expect(randomName(0, seededRandom(1))).toMatch(/^[a-z]+_[a-z]+$/);
    expect(randomName(2, seededRandom(1))).toMatch(/^[a-z]+_[a-z]+[0-9]$/);
    const id = randomId(seededRandom(3));
    const always = () => new Uint8Array(4); // every draw picks the same words
    const first = randomName(0, always);
    const taken = new Set([first, ...Array.from({ length: 10 }, (_, i) => first + i)]);
    expect(uniqueName(id, taken, always)).toBe(id.slice(0, 12));
  });

  it('never uses an all-digit short ID (moby #3869)', () => {
    let calls = 0;
    const random = (n: number) => {
      calls++;
      return new Uint8Array(n).fill(calls === 1 ? 0x11 : 0xab);
    };
    expect(randomId(random)).toBe('ab'.repeat(32));
  });

  it('refuses bad or taken names and images without a command', async () => {
    expect(() => run({ name: 'bad name' })).toThrow(/Invalid container name/);
    expect(() =>
      Container.create({ image: img.image, lower: img.lower, name: 'web', takenNames: ['web'] }),
    ).toThrow(/already in use/);
    const bare = await openImage(await imageArchive([[f('x', 'x')]], { config: {} }));
    expect(() => Container.create({ image: bare.image, lower: bare.lower })).toThrow(
      ContainerConfigError,
    );
  });
});

describe('the merged view', () => {
  it('starts as the image', () => {
    const c = run();
    expect(c.list('/').map((s) => s.name)).toEqual(['app', 'bin', 'etc', 'tmp', 'www']);
    const conf = c.stat('/etc/app/app.conf');
    expect(conf).toMatchObject({ origin: 'image', layer: 1, size: 10, type: 'file' });
    const ls = c.stat('bin/ls');
    expect(ls).toMatchObject({ type: 'file', size: 7, mode: 0o755, hardlinkTo: 'bin/sh' });
    expect(c.stat('www')).toMatchObject({ type: 'symlink', linkname: 'app', size: 3 });
    expect(c.stat('www', { follow: true }).type).toBe('dir');
    expect(c.list('www').map((s) => s.name)).toEqual(['cache', 'docs', 'index.html']);
    expect(c.pristine).toBe(true);
  });

  it('reads image files lazily, hardlinks and symlinks followed', async () => {
    const c = run();
    const r = c.readFile('/etc/app/app.conf');
    expect(r.kind).toBe('lower');
    if (r.kind === 'lower') expect(r.file).toMatchObject({ layer: 1, size: 10 });
    expect(await content(c, 'etc/app/app.conf')).toBe('port=8080\n');
    expect(await content(c, 'bin/ls')).toBe('#!shell');
    expect(await content(c, 'www/index.html')).toBe('<h1>hi</h1>');
  });
});

describe('copy-up', () => {
  it('copies an image file up before writing it, parents first', async () => {
    const c = run();
    c.writeFile('/etc/app/app.conf', text('port=9090\n'));
    const ev = c.events.at(-1)!;
    expect(ev.op).toBe('write');
    expect(kinds(ev.effects)).toEqual([
      'copy-up etc',
      'copy-up etc/app',
      'copy-up etc/app/app.conf',
      'write etc/app/app.conf',
    ]);
    expect(ev.effects[2]).toMatchObject({ fromLayer: 1, type: 'file' });
    expect(await content(c, 'etc/app/app.conf')).toBe('port=9090\n');
    expect(c.stat('etc/app/app.conf')).toMatchObject({
      origin: 'container',
      copiedUp: true,
      layer: 1,
      contentFromImage: false,
      size: 10,
    });
    // Parent directories keep the image's metadata (timestamps restored after copy-up).
    expect(c.upperEntry('etc/app')).toMatchObject({
      type: 'dir',
      mode: 0o755,
      mtime: 1_700_000_000,
    });
    expect(c.upperEntries().map((e) => e.path)).toEqual(['etc', 'etc/app', 'etc/app/app.conf']);
    expectImageUnchanged();
    expect(img.lower.get('etc/app/app.conf')?.entry.size).toBe(10);
  });

  it('writes a second time without another copy-up', () => {
    const c = run();
    c.writeFile('etc/passwd', text('a'));
    c.writeFile('etc/passwd', text('bb'));
    expect(kinds(c.events.at(-1)!.effects)).toEqual(['write etc/passwd']);
  });

  it('copies a hardlinked file up alone (index=off breaks the link)', async () => {
    const c = run();
    c.writeFile('bin/ls', text('new ls'));
    expect(await content(c, 'bin/ls')).toBe('new ls');
    expect(await content(c, 'bin/sh')).toBe('#!shell');
  });

  it('chmod copies up with the bytes left in the image', async () => {
    const c = run();
    c.chmod('etc/passwd', 0o600);
    expect(c.stat('etc/passwd')).toMatchObject({ mode: 0o600, contentFromImage: true });
    expect(c.upperEntry('etc/passwd')?.lower).toMatchObject({ layer: 0, size: 11 });
    expect(await content(c, 'etc/passwd')).toBe('root:x:0:0\n');
  });

  it('writes through a symlinked directory into its target', async () => {
    const c = run();
    c.writeFile('/www/index.html', text('<h1>new</h1>'));
    expect(c.upperEntry('app/index.html')?.data).toBeDefined();
    expect(c.stat('www').type).toBe('symlink');
    expect(await content(c, 'app/index.html')).toBe('<h1>new</h1>');
  });
});

describe('whiteouts', () => {
  it('deleting an image file leaves a whiteout', () => {
    const c = run();
    c.remove('/app/index.html');
    expect(kinds(c.events.at(-1)!.effects)).toEqual(['copy-up app', 'whiteout app/index.html']);
    expect(c.upperEntry('app/index.html')?.type).toBe('whiteout');
    expect(c.exists('app/index.html')).toBe(false);
    expect(() => c.stat('app/index.html')).toThrow(ContainerFsError);
    expect(c.list('app').map((s) => s.name)).toEqual(['cache', 'docs']);
    expectImageUnchanged();
  });

  it('deleting a container-only file just drops it', () => {
    const c = run();
    c.createFile('app/new.txt', text('x'));
    c.remove('app/new.txt');
    expect(kinds(c.events.at(-1)!.effects)).toEqual(['drop app/new.txt']);
    expect(c.upperEntry('app/new.txt')).toBeUndefined();
    expect(c.upperEntries().map((e) => e.path)).toEqual(['app']);
  });

  it('a deleted directory is one whiteout, whatever was below it', () => {
    const c = run();
    c.writeFile('app/docs/README', text('edited'));
    c.createFile('app/docs/NEW', text('n'));
    expect(() => c.remove('app/docs')).toThrow(/EISDIR|Is a directory/);
    expect(() => c.rmdir('app/docs')).toThrow(/not empty/);
    c.remove('app/docs', { recursive: true });
    expect(kinds(c.events.at(-1)!.effects)).toEqual([
      'drop app/docs/NEW',
      'drop app/docs/README',
      'whiteout app/docs',
    ]);
    expect(c.upperEntries().map((e) => `${e.path} ${e.entry.type}`)).toEqual([
      'app dir',
      'app/docs whiteout',
    ]);
  });

  it('rm -r then mkdir makes the directory opaque', async () => {
    const c = run();
    c.remove('/app/cache', { recursive: true });
    c.mkdir('/app/cache');
    expect(kinds(c.events.at(-1)!.effects)).toEqual(['create app/cache', 'opaque app/cache']);
    expect(c.events.at(-1)!.effects[0]).toMatchObject({ overWhiteout: true });
    c.createFile('app/cache/index-v2.txt', text('v2'));
    expect(c.list('app/cache').map((s) => s.name)).toEqual(['index-v2.txt']);
    expect(c.stat('app/cache').opaque).toBe(true);
    expect(await content(c, 'app/cache/index-v2.txt')).toBe('v2');
    expectImageUnchanged();
  });

  it('a file over a whiteout is not opaque, and a new dir elsewhere is plain', () => {
    const c = run();
    c.remove('etc/passwd');
    c.createFile('etc/passwd', text('new'));
    expect(c.upperEntry('etc/passwd')).toMatchObject({ type: 'file', data: text('new') });
    c.mkdir('opt');
    expect(c.upperEntry('opt')?.opaque).toBeUndefined();
  });

  it('removing an opaque directory whites it out again; a new one just goes', () => {
    const c = run();
    c.remove('app/cache', { recursive: true });
    c.mkdir('app/cache');
    c.rmdir('app/cache');
    expect(c.upperEntry('app/cache')?.type).toBe('whiteout');
    c.mkdir('a/b/c', { parents: true });
    c.createFile('a/b/c/f', text('f'));
    c.remove('a', { recursive: true });
    expect(kinds(c.events.at(-1)!.effects)).toEqual([
      'drop a/b/c/f',
      'drop a/b/c',
      'drop a/b',
      'drop a',
    ]);
    expect(c.upperEntry('a')).toBeUndefined();
  });

  it('nested image paths below an opaque directory stay hidden', () => {
    const c = run();
    c.remove('app', { recursive: true });
    c.mkdir('app');
    c.mkdir('app/docs');
    expect(c.list('app/docs')).toEqual([]);
    expect(c.exists('app/docs/README')).toBe(false);
    c.createFile('app/docs/README', text('again'));
    c.remove('app/docs/README');
    // Nothing below an opaque directory needs a whiteout.
    expect(c.upperEntry('app/docs/README')).toBeUndefined();
  });
});

describe('rename and move', () => {
  it('renames an image file: copy-up to the new name, whiteout at the old', async () => {
    const c = run();
    c.rename('/etc/passwd', '/etc/passwd.bak');
    expect(kinds(c.events.at(-1)!.effects)).toEqual([
      'copy-up etc',
      'copy-up etc/passwd',
      'move etc/passwd',
      'whiteout etc/passwd',
    ]);
    expect(c.upperEntry('etc/passwd')?.type).toBe('whiteout');
    expect(c.stat('etc/passwd.bak')).toMatchObject({
      contentFromImage: true,
      mtime: 1_700_000_000,
    });
    expect(await content(c, 'etc/passwd.bak')).toBe('root:x:0:0\n');
  });

  it('fails with EXDEV for a directory from the image, as overlayfs without redirect_dir', () => {
    const c = run();
    expect(() => c.rename('app/docs', 'app/manual')).toThrow(
      expect.objectContaining({ code: 'EXDEV' }),
    );
    expect(c.pristine).toBe(true);
    expect(c.events).toEqual([]);
  });

  it('move() copies the directory as mv does, then deletes the old one', async () => {
    const c = run();
    c.move('app/docs', 'app/manual');
    expect(c.list('app/manual').map((s) => s.name)).toEqual(['README']);
    expect(c.stat('app/manual/README')).toMatchObject({
      contentFromImage: true,
      mtime: 1_700_000_000,
    });
    expect(await content(c, 'app/manual/README')).toBe('read me');
    expect(c.upperEntry('app/docs')?.type).toBe('whiteout');
    expect(c.events.at(-1)!.op).toBe('move');
  });

  it('renames a container directory; in a merged parent it becomes opaque', () => {
    const c = run();
    c.mkdir('app/new');
    c.createFile('app/new/x', text('x'));
    c.rename('app/new', 'app/newer');
    expect(kinds(c.events.at(-1)!.effects)).toEqual(['move app/new', 'opaque app/newer']);
    expect(c.upperEntry('app/newer/x')?.data).toEqual(text('x'));
    expect(c.upperEntry('app/new')).toBeUndefined();
    c.mkdir('opt');
    c.mkdir('opt/a');
    c.rename('opt/a', 'opt/b');
    expect(c.upperEntry('opt/b')?.opaque).toBeUndefined();
  });

  it('checks rename(2) errors', () => {
    const c = run();
    c.mkdir('opt');
    expect(() => c.rename('opt', 'opt/x')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => c.rename('etc/passwd', 'app')).toThrow(
      expect.objectContaining({ code: 'EISDIR' }),
    );
    expect(() => c.rename('opt', 'etc/passwd')).toThrow(
      expect.objectContaining({ code: 'ENOTDIR' }),
    );
    expect(() => c.rename('opt', 'app')).toThrow(expect.objectContaining({ code: 'ENOTEMPTY' }));
    expect(() => c.rename('nope', 'x')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => c.rename('opt', 'no/such/dir')).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
    c.rename('etc/passwd', 'etc/app/app.conf');
    expect(c.stat('etc/app/app.conf').size).toBe(11);
  });
});

describe('other operations', () => {
  it('reports errno like a shell would', () => {
    const c = run();
    expect(() => c.createFile('etc/passwd', text(''))).toThrow(
      expect.objectContaining({ code: 'EEXIST' }),
    );
    expect(() => c.createFile('nope/x', text(''))).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
    expect(() => c.createFile('etc/passwd/x', text(''))).toThrow(
      expect.objectContaining({ code: 'ENOTDIR' }),
    );
    expect(() => c.writeFile('etc', text(''))).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(() => c.readFile('etc')).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(() => c.mkdir('etc')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => c.rmdir('etc/passwd')).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => c.remove('/')).toThrow(expect.objectContaining({ code: 'EPERM' }));
    expect(() => c.mkdir('etc/passwd/x', { parents: true })).toThrow(
      expect.objectContaining({ code: 'ENOTDIR' }),
    );
    expect(c.events).toEqual([]);
    expect(c.pristine).toBe(true);
  });

  it('creates files, symlinks and nested directories', () => {
    const c = run();
    c.mkdir('/srv/a/b', { parents: true });
    expect(kinds(c.events.at(-1)!.effects)).toEqual([
      'create srv',
      'create srv/a',
      'create srv/a/b',
    ]);
    c.createFile('srv/a/b/f', text('x'), 0o600);
    c.symlink('/srv/a', 'srv/link');
    expect(c.stat('srv/link')).toMatchObject({ type: 'symlink', linkname: '/srv/a' });
    expect(c.list('srv/link').map((s) => s.name)).toEqual(['b']);
    expect(c.stat('srv/a/b/f')).toMatchObject({ mode: 0o600, uid: 0, origin: 'container' });
    c.touch('srv/a/b/f');
    c.touch('srv/empty');
    expect(c.stat('srv/empty').size).toBe(0);
    c.chown('etc/passwd', 1000, 1000);
    expect(c.stat('etc/passwd')).toMatchObject({ uid: 1000, gid: 1000 });
  });

  it('keeps several containers of one image apart', async () => {
    const a = run();
    const b = run();
    a.writeFile('etc/passwd', text('a'));
    b.remove('etc/passwd');
    expect(await content(a, 'etc/passwd')).toBe('a');
    expect(b.exists('etc/passwd')).toBe(false);
    expect(await content(run(), 'etc/passwd')).toBe('root:x:0:0\n');
    expectImageUnchanged();
  });
});

describe('serialisation', () => {
  it('restores a container from plain data (structured clone, as IndexedDB stores it)', async () => {
    const c = run();
    c.writeFile('etc/app/app.conf', text('port=1\n'));
    c.remove('app/cache', { recursive: true });
    c.mkdir('app/cache');
    c.chmod('etc/passwd', 0o600);
    c.symlink('x', 'app/link');
    const state = structuredClone(c.snapshot());
    expect(JSON.parse(JSON.stringify({ ...state, upper: [] })).format).toBe(
      'layerscope.container/v1',
    );
    const r = Container.restore(state, { image: img.image, lower: img.lower });
    expect(r.id).toBe(c.id);
    expect(r.name).toBe(c.name);
    expect(r.config).toEqual(c.config);
    expect(r.events).toEqual(c.events);
    expect(r.upperEntries()).toEqual(c.upperEntries());
    expect(r.list('app').map((s) => s.name)).toEqual(c.list('app').map((s) => s.name));
    expect(await content(r, 'etc/app/app.conf')).toBe('port=1\n');
    expect(await content(r, 'etc/passwd')).toBe('root:x:0:0\n');
    r.createFile('app/cache/x', text('x'));
    expect(r.events.at(-1)!.seq).toBe(c.events.at(-1)!.seq + 1);
    expect(c.exists('app/cache/x')).toBe(false);
    expect(() => Container.restore({ ...state, format: 'x' as never }, img)).toThrow();
    expect(() =>
      Container.restore(state, { image: { ...img.image, id: 'sha256:00' }, lower: img.lower }),
    ).toThrow(/was made from image/);
  });
});
