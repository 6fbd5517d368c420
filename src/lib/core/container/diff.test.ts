import { beforeAll, describe, expect, it } from 'vitest';
import { diffLines } from '../present/diff';
import { Container } from './container';
import { dockerDiff, sameFsTime } from './diff';
import {
  d,
  f,
  imageArchive,
  openImage,
  seededRandom,
  testClock,
  text,
  type OpenedImage,
} from './fixtures.test-helpers';

let img: OpenedImage;

beforeAll(async () => {
  img = await openImage(
    await imageArchive([
      [
        d('app/'),
        d('app/cache/'),
        f('app/cache/a.txt', 'A'),
        f('app/cache/b.txt', 'B'),
        d('app/docs/'),
        f('app/docs/README', 'read me'),
        f('app/index.html', '<h1>hi</h1>'),
        d('etc/'),
        d('etc/app/'),
        f('etc/app/app.conf', 'port=80\n'),
        f('etc/passwd', 'root:x:0:0\n'),
        f('a-b', 'sorts before a/ bytewise'),
      ],
    ]),
  );
});

const run = () =>
  Container.create({
    image: img.image,
    lower: img.lower,
    now: testClock(),
    random: seededRandom(3),
  });

describe('docker diff', () => {
  it('is empty for a new container', () => {
    const diff = dockerDiff(run());
    expect({ ...diff, lines: diffLines(diff.changes) }).toMatchObject({
      lines: [],
      unchangedCopies: [],
      sizeRw: 0,
    });
  });

  it('lists every ancestor of a change as C, the change below it', () => {
    const c = run();
    c.writeFile('/etc/app/app.conf', text('port=8080\n'));
    expect(diffLines(dockerDiff(c).changes)).toEqual([
      'C /etc',
      'C /etc/app',
      'C /etc/app/app.conf',
    ]);
  });

  it('matches the walk of ChangesDirs on a mixed case', () => {
    const c = run();
    c.writeFile('/etc/app/app.conf', text('port=8080\n'));
    c.remove('/app/index.html');
    c.remove('/app/cache', { recursive: true });
    c.mkdir('/app/cache');
    c.createFile('/app/cache/new.txt', text('new'));
    c.mkdir('/new');
    c.createFile('/new/f', text('f'));
    const diff = dockerDiff(c);
    // Present children first (by name here; Go map order in Docker), then the deleted ones.
    expect(diffLines(diff.changes)).toEqual([
      'C /app',
      'C /app/cache',
      'A /app/cache/new.txt',
      'D /app/cache/a.txt',
      'D /app/cache/b.txt',
      'D /app/index.html',
      'C /etc',
      'C /etc/app',
      'C /etc/app/app.conf',
      'A /new',
      'A /new/f',
    ]);
    expect(diffLines(dockerDiff(c, { order: 'path' }).changes)).toEqual(
      [
        'A /new',
        'A /new/f',
        'C /app',
        'C /app/cache',
        'D /app/cache/a.txt',
        'D /app/cache/b.txt',
        'A /app/cache/new.txt',
        'D /app/index.html',
        'C /etc',
        'C /etc/app',
        'C /etc/app/app.conf',
      ].sort((a, b) => (a.slice(2) < b.slice(2) ? -1 : 1)),
    );
    expect(Object.fromEntries(diff.byPath)).toMatchObject({
      app: 'C',
      'app/cache': 'C',
      'app/cache/new.txt': 'A',
      'app/cache/a.txt': 'D',
      'app/index.html': 'D',
      new: 'A',
    });
    // ChangesSize: the A/C non-directories' bytes.
    expect(diff.sizeRw).toBe(10 + 3 + 1);
  });

  it('lists a deleted directory once', () => {
    const c = run();
    c.remove('app/docs', { recursive: true });
    expect(diffLines(dockerDiff(c).changes)).toEqual(['C /app', 'D /app/docs']);
  });

  it('shows a rename as an add and a delete', () => {
    const c = run();
    c.rename('etc/passwd', 'etc/passwd.bak');
    expect(diffLines(dockerDiff(c).changes)).toEqual([
      'C /etc',
      'A /etc/passwd.bak',
      'D /etc/passwd',
    ]);
  });

  it('ignores a copy-up that changed nothing Docker compares', () => {
    const c = run();
    c.chmod('etc/passwd', 0o644);
    const diff = dockerDiff(c);
    expect(diffLines(diff.changes)).toEqual([]);
    expect(diff.unchangedCopies).toEqual(['etc/passwd']);
    c.chmod('etc/passwd', 0o600);
    expect(diffLines(dockerDiff(c).changes)).toEqual(['C /etc', 'C /etc/passwd']);
  });

  it('reports a recreated directory with another mode as C by itself', () => {
    const c = run();
    c.remove('app/cache', { recursive: true });
    c.mkdir('app/cache', { mode: 0o700 });
    expect(diffLines(dockerDiff(c).changes)).toEqual([
      'C /app',
      'C /app/cache',
      'D /app/cache/a.txt',
      'D /app/cache/b.txt',
    ]);
  });

  it('shows a file turned into a directory as C, without its old contents', () => {
    const c = run();
    c.remove('etc/passwd');
    c.mkdir('etc/passwd');
    c.createFile('etc/passwd/x', text('x'));
    expect(diffLines(dockerDiff(c).changes)).toEqual([
      'C /etc',
      'C /etc/passwd',
      'A /etc/passwd/x',
    ]);
    const e = run();
    e.remove('app/docs', { recursive: true });
    e.createFile('app/docs', text('now a file'));
    expect(diffLines(dockerDiff(e).changes)).toEqual(['C /app', 'C /app/docs']);
  });

  it('sees image paths hidden by an opaque directory above as deleted', () => {
    const c = run();
    c.remove('app', { recursive: true });
    c.mkdir('app');
    c.mkdir('app/docs');
    expect(diffLines(dockerDiff(c).changes)).toEqual([
      'C /app',
      'C /app/docs',
      'D /app/docs/README',
      'D /app/cache',
      'D /app/index.html',
    ]);
  });

  it('walks component by component (app/z before app-x), unlike the bytewise path order', () => {
    const c = run();
    c.createFile('app-x', text('x'));
    c.createFile('app/z', text('z'));
    expect(diffLines(dockerDiff(c).changes)).toEqual(['C /app', 'A /app/z', 'A /app-x']);
    // '-' (0x2d) sorts before '/' (0x2f), as Go's changesByPath compares.
    expect(diffLines(dockerDiff(c, { order: 'path' }).changes)).toEqual([
      'C /app',
      'A /app-x',
      'A /app/z',
    ]);
  });

  it('compares times as go-archive sameFsTime does', () => {
    expect(sameFsTime(10, 10)).toBe(true);
    expect(sameFsTime(10, 10.5)).toBe(true);
    expect(sameFsTime(10.25, 10.5)).toBe(false);
    expect(sameFsTime(10, 11)).toBe(false);
  });
});
