import { beforeAll, describe, expect, it } from 'vitest';
import { Container, dockerDiff } from '../../core/container';
import {
  d,
  f,
  imageArchive,
  openImage,
  seededRandom,
  testClock,
  text,
  type OpenedImage,
} from '../../core/container/fixtures.test-helpers';
import { tarListing } from './listing';
import { ancestors, containerRows } from './tree';

let img: OpenedImage;

beforeAll(async () => {
  img = await openImage(
    await imageArchive([
      [
        d('app/'),
        d('app/cache/'),
        f('app/cache/a.txt', 'A'),
        d('app/docs/'),
        f('app/docs/README', 'read me'),
        d('etc/'),
        f('etc/app.conf', 'port=80\n'),
      ],
    ]),
  );
});

function changed(): Container {
  const c = Container.create({
    image: img.image,
    lower: img.lower,
    now: testClock(),
    random: seededRandom(3),
  });
  c.writeFile('etc/app.conf', text('port=8080\n'));
  c.remove('app/docs/README');
  c.remove('app/cache', { recursive: true });
  c.mkdir('app/cache');
  return c;
}

describe('tarListing', () => {
  it('names entries as the committed tar would, whiteouts and opaque markers included', () => {
    expect(tarListing(changed().upperEntries()).map((l) => `${l.kind} ${l.name}`)).toEqual([
      'dir app/',
      'dir app/cache/',
      'opaque app/cache/.wh..wh..opq',
      'dir app/docs/',
      'whiteout app/docs/.wh.README',
      'dir etc/',
      'file etc/app.conf',
    ]);
  });
});

describe('containerRows', () => {
  it('walks open directories only and keeps deleted paths as ghost rows', () => {
    const c = changed();
    const { byPath } = dockerDiff(c);
    const open = new Set(['app', 'app/cache', 'app/docs']);
    const rows = containerRows(c, byPath, (p) => open.has(p));
    expect(
      rows.map((r) => `${'  '.repeat(r.depth)}${r.name} ${r.diff ?? ''}${r.stat ? '' : ' ghost'}`),
    ).toEqual([
      'app C',
      '  cache C',
      '    a.txt D ghost',
      '  docs C',
      '    README D ghost',
      'etc C',
    ]);
  });

  it('lists the ancestors of a path, outermost first', () => {
    expect(ancestors('a/b/c')).toEqual(['a', 'a/b']);
    expect(ancestors('a')).toEqual([]);
  });
});
