import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { buildOverlay, mergedListing } from '../overlay';
import { TarParser } from '../tar/parser';
import type { TarEntry } from '../tar/types';
import { chainIds } from '../model/ids';
import { Container } from './container';
import { commitContainer, commitReference, EMPTY_TAR_DIFF_ID } from './commit';
import { containerListing } from './listing';
import { lowerFileReader, lowerFromOverlay } from './lower';
import { saveArchive, saveInput } from '../save/save';
import { openArchive } from '../archive/open';
import { verifyLayer } from '../archive/layers';
import { goJson, goMap, goTime } from '../model/gojson';
import {
  d,
  f,
  imageArchive,
  l,
  openImage,
  seededRandom,
  testClock,
  text,
  type OpenedImage,
} from './fixtures.test-helpers';

const sha = (b: Uint8Array) => 'sha256:' + createHash('sha256').update(b).digest('hex');

let img: OpenedImage;

beforeAll(async () => {
  img = await openImage(
    await imageArchive(
      [
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
        [d('etc/'), d('etc/app/'), f('etc/app/app.conf', 'port=8080\n')],
      ],
      {
        config: {
          Env: ['PATH=/bin'],
          Cmd: ['sh', '-c', 'echo a && echo b'],
          Labels: { z: '1', a: '2' },
          ExposedPorts: { '8080/tcp': {} },
        },
      },
    ),
  );
});

const run = () =>
  Container.create({
    image: img.image,
    lower: img.lower,
    now: testClock(),
    random: seededRandom(11),
  });

const NOW = () => Date.UTC(2025, 5, 1, 12, 0, 0, 500);

function scenario(c: Container) {
  c.writeFile('/etc/app/app.conf', text('port=9090\n'));
  c.remove('/app/index.html');
  c.remove('/app/cache', { recursive: true });
  c.mkdir('/app/cache');
  c.createFile('/app/cache/index-v2.txt', text('v2'));
  c.chmod('/etc/passwd', 0o600);
  c.symlink('/app/cache', '/cachelink');
}

async function parse(blob: Blob): Promise<{ entries: TarEntry[]; bytes: Uint8Array }> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const entries: TarEntry[] = [];
  const p = new TarParser({ onEntry: (e) => entries.push(e) });
  p.push(bytes);
  return { entries, bytes };
}

/** umoci/tar extract hardlinks as files: give them their target's size and mode. */
function hardlinksAsFiles(lines: string[]): string[] {
  const byPath = new Map(lines.map((x) => [x.split('\t')[0]!, x]));
  return lines.map((x) => {
    const [path, type, , , link] = x.split('\t');
    if (type !== 'hardlink') return x;
    const [, , size, mode] = byPath.get(link!)!.split('\t');
    return [path, 'file', size, mode, ''].join('\t');
  });
}

describe('the committed layer', () => {
  it("is the upper directory tarred as overlay2's native diff does", async () => {
    const c = run();
    scenario(c);
    const r = await commitContainer(c, { readLower: img.read, now: NOW });
    const { entries, bytes } = await parse(r.layer!.tar);
    expect(entries.map((e) => `${e.path} ${e.type} ${e.mode.toString(8)} ${e.size}`)).toEqual([
      'app dir 755 0',
      'app/cache dir 755 0',
      'app/cache/.wh..wh..opq file 755 0',
      'app/cache/index-v2.txt file 644 2',
      'app/.wh.index.html file 600 0',
      'cachelink symlink 777 0',
      'etc dir 755 0',
      'etc/app dir 755 0',
      'etc/app/app.conf file 644 10',
      'etc/passwd file 600 11',
    ]);
    // Copied-up parents keep the image's mtime, the opaque marker has mtime 0, times are whole
    // seconds, and uid/gid 0 are named root/root as Docker 20.10's commit names them
    // (tests/fixtures/docker/container/layer.tar; it used to say no names).
    expect(entries.find((e) => e.path === 'etc')!.mtime).toBe(1_700_000_000);
    expect(entries.find((e) => e.path.endsWith('.opq'))!.mtime).toBe(0);
    expect(
      entries.every(
        (e) =>
          Number.isInteger(e.mtime) &&
          e.uname === (e.uid === 0 ? 'root' : '') &&
          e.gname === (e.gid === 0 ? 'root' : ''),
      ),
    ).toBe(true);
    expect(r.layer!.diffId).toBe(sha(bytes));
    expect(bytes.length % 512).toBe(0);
    expect(r.layer!.entries.map((e) => e.path)).toEqual(entries.map((e) => e.path));
    expect(r.layer!.info).toMatchObject({
      key: `commit:${r.layer!.diffId}`,
      compression: 'none',
      storedSize: bytes.length,
      diffIdState: 'verified',
      stats: { whiteouts: 1, opaqueWhiteouts: 1, contentSize: 2 + 10 + 11 + 10 },
    });
  });

  it('on top of the image gives exactly the container filesystem (overlay model)', async () => {
    const c = run();
    scenario(c);
    c.move('/app/docs', '/app/manual');
    c.mkdir('/srv/www', { parents: true });
    c.rename('/srv/www', '/srv/site');
    const r = await commitContainer(c, { readLower: img.read, now: NOW });
    const o = buildOverlay([...img.layers, r.layer!.entries]);
    expect(hardlinksAsFiles(mergedListing(o, o.layerCount - 1))).toEqual(containerListing(c));
    // And the image below is untouched.
    const base = buildOverlay(img.layers);
    expect(mergedListing(base, base.layerCount - 1)).toEqual(
      mergedListing(img.overlay, img.overlay.layerCount - 1),
    );
  });

  it('needs the image bytes of files copied up unchanged', async () => {
    const c = run();
    c.chmod('etc/passwd', 0o600);
    await expect(commitContainer(c)).rejects.toThrow(/readLower/);
    const r = await commitContainer(c, { readLower: img.read });
    const { bytes, entries } = await parse(r.layer!.tar);
    const e = entries.find((x) => x.path === 'etc/passwd')!;
    expect(new TextDecoder().decode(bytes.subarray(e.dataOffset, e.dataOffset + e.size))).toBe(
      'root:x:0:0\n',
    );
  });
});

describe('the committed image', () => {
  it('has a config Docker would write, and an ID that is its sha256', async () => {
    const c = run();
    scenario(c);
    const r = await commitContainer(c, {
      repo: 'myapp',
      message: 'edited <conf> & more',
      author: 'Ada',
      readLower: img.read,
      now: NOW,
    });
    const text = new TextDecoder().decode(r.configBytes);
    expect(r.image.id).toBe(sha(r.configBytes));
    expect(r.image.configDoc.text).toBe(text);
    // Go's encoder: compact, top-level keys sorted (image.MarshalJSON), HTML characters escaped.
    expect(text).not.toMatch(/\s"|": /);
    expect(text).toContain('"comment":"edited \\u003cconf\\u003e \\u0026 more"');
    const cfg = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(cfg)).toEqual([
      'architecture',
      'author',
      'comment',
      'config',
      'container',
      'container_config',
      'created',
      'docker_version',
      'history',
      'os',
      'rootfs',
    ]);
    expect(cfg).toMatchObject({
      architecture: 'amd64',
      author: 'Ada',
      container: c.id,
      created: '2025-06-01T12:00:00.5Z',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [...img.image.diffIds, r.layer!.diffId] },
    });
    const config = cfg.config as Record<string, unknown>;
    expect(Object.keys(config)).toEqual([
      'Hostname',
      'Domainname',
      'User',
      'AttachStdin',
      'AttachStdout',
      'AttachStderr',
      'ExposedPorts',
      'Tty',
      'OpenStdin',
      'StdinOnce',
      'Env',
      'Cmd',
      'Image',
      'Volumes',
      'WorkingDir',
      'Entrypoint',
      'OnBuild',
      'Labels',
    ]);
    expect(config).toMatchObject({
      Hostname: c.shortId,
      Image: 'demo:1',
      Cmd: ['sh', '-c', 'echo a && echo b'],
      Volumes: null,
      Entrypoint: null,
      Labels: { a: '2', z: '1' },
    });
    expect(Object.keys(config.Labels as object)).toEqual(['a', 'z']);
    expect(cfg.container_config).toEqual(cfg.config);
    const history = cfg.history as Record<string, unknown>[];
    expect(history).toHaveLength(3);
    // created_by is the container's CMD joined with spaces (image.NewChildImage).
    expect(history[2]).toEqual({
      created: '2025-06-01T12:00:00.5Z',
      created_by: 'sh -c echo a && echo b',
      author: 'Ada',
      comment: 'edited <conf> & more',
    });
    expect(r.image).toMatchObject({
      index: -1,
      repoTags: ['myapp:latest'],
      parentId: img.image.id,
      diffIds: [...img.image.diffIds, r.layer!.diffId],
      layerKeys: [...img.image.layerKeys, r.layer!.key],
      chainIds: await chainIds([...img.image.diffIds, r.layer!.diffId]),
      platform: { os: 'linux', architecture: 'amd64' },
    });
    expect(r.image.history.map((h) => h.layerIndex)).toEqual([0, 1, 2]);
    expect(r.emptyLayer).toBe(false);
  });

  it('a container without changes commits an empty_layer step and no layer', async () => {
    const c = run();
    const r = await commitContainer(c, { now: NOW });
    expect(r.emptyLayer).toBe(true);
    expect(r.layer).toBeUndefined();
    expect(r.image.diffIds).toEqual(img.image.diffIds);
    expect(r.image.layerKeys).toEqual(img.image.layerKeys);
    expect(r.image.config.history!.at(-1)).toMatchObject({ empty_layer: true });
    expect(r.image.history.at(-1)!.emptyLayer).toBe(true);
    expect(r.image.history.at(-1)!.layerIndex).toBeUndefined();
    expect(r.image.repoTags).toEqual([]);
    expect(EMPTY_TAR_DIFF_ID).toBe(sha(new Uint8Array(1024)));
  });

  it('applies --change to config, not to container_config or created_by', async () => {
    const c = run();
    c.touch('/new');
    const r = await commitContainer(c, {
      repo: 'localhost/x',
      tag: 'v2',
      changes: ['ENV MODE=prod', 'CMD ["/app/run"]', 'EXPOSE 9000', 'LABEL a=3 "b c"="d e"'],
      now: NOW,
    });
    const cfg = r.image.config as Record<string, Record<string, unknown>>;
    expect(cfg.config).toMatchObject({
      Env: ['PATH=/bin', 'MODE=prod'],
      Cmd: ['/app/run'],
      ExposedPorts: { '8080/tcp': {}, '9000/tcp': {} },
      Labels: { a: '3', z: '1', 'b c': 'd e' },
    });
    expect(cfg.container_config).toMatchObject({ Cmd: ['sh', '-c', 'echo a && echo b'] });
    expect(r.image.history.at(-1)!.createdBy).toBe('sh -c echo a && echo b');
    expect(r.image.repoTags).toEqual(['localhost/x:v2']);
    await expect(commitContainer(c, { changes: ['RUN rm -rf /'] })).rejects.toThrow(
      'RUN is not a valid change command',
    );
  });

  it('normalises the reference as docker commit does', () => {
    expect(commitReference()).toBeUndefined();
    expect(commitReference('busybox')).toBe('busybox:latest');
    expect(commitReference('docker.io/library/busybox', 'x')).toBe('busybox:x');
    expect(() => commitReference(undefined, 'x')).toThrow();
    expect(() => commitReference('UPPER')).toThrow();
  });
});

describe('commits of commits and capabilities', () => {
  it('runs a container on a committed image, commits again and saves all three', async () => {
    const c = run();
    scenario(c);
    const first = await commitContainer(c, { repo: 'step', tag: '1', readLower: img.read });
    const tars = new Map([[first.layer!.key, first.layer!.tar]]);
    const read = lowerFileReader(img.opened, tars);
    const o = buildOverlay([...img.layers, first.layer!.entries]);
    const c2 = Container.create({
      image: first.image,
      lower: lowerFromOverlay(o, first.image.layerKeys),
    });
    const conf = c2.readFile('etc/app/app.conf');
    expect(conf.kind === 'lower' && conf.file.layerKey).toBe(first.layer!.key);
    if (conf.kind === 'lower')
      expect(
        new TextDecoder().decode(
          new Uint8Array(await ((await read(conf.file)) as Blob).arrayBuffer()),
        ),
      ).toBe('port=9090\n');
    c2.chmod('etc/app/app.conf', 0o640);
    c2.chmod('etc/passwd', 0o644);
    const second = await commitContainer(c2, { repo: 'step', tag: '2', readLower: read });
    expect(second.image.diffIds).toEqual([...first.image.diffIds, second.layer!.diffId]);
    expect(second.image.history).toHaveLength(4);
    expect(second.image.parentId).toBe(first.image.id);
    tars.set(second.layer!.key, second.layer!.tar);
    const saved = await saveArchive(
      await Promise.all(
        [img.image, first.image, second.image].map((i) =>
          saveInput(i, { opened: img.opened, tars }),
        ),
      ),
    );
    const back = await openArchive(saved.blob);
    expect(back.model.images.map((i) => i.id)).toEqual([
      img.image.id,
      first.image.id,
      second.image.id,
    ]);
    expect(back.model.images.map((i) => i.parentId)).toEqual([
      undefined,
      img.image.id,
      first.image.id,
    ]);
    for (const key of Object.keys(back.model.layers))
      expect(await verifyLayer(back, key)).toMatchObject({ diffIdState: 'verified' });
  });

  it('keeps security.capability through copy-up, as revision 2', async () => {
    const cap3 = Uint8Array.from([
      1, 0, 0, 3, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9,
    ]);
    const capImg = await openImage(
      await imageArchive([
        [
          d('bin/'),
          f('bin/ping', 'ping', { mode: 0o755, xattrs: { 'security.capability': cap3 } }),
        ],
      ]),
    );
    const c = Container.create({ image: capImg.image, lower: capImg.lower });
    c.touch('bin/ping');
    const r = await commitContainer(c, { readLower: capImg.read });
    const { entries } = await parse(r.layer!.tar);
    const ping = entries.find((e) => e.path === 'bin/ping')!;
    const v = ping.xattrs!['security.capability']!;
    expect(Array.from(v, (ch) => ch.charCodeAt(0))).toEqual([
      1,
      0,
      0,
      2,
      0x00,
      0x20,
      ...new Array(14).fill(0),
    ]);
  });
});

describe('Go JSON', () => {
  it('escapes as encoding/json and sorts map keys bytewise', () => {
    expect(goJson({ b: 1, a: [true, null, 'x<y>&\u2028'] })).toBe(
      '{"b":1,"a":[true,null,"x\\u003cy\\u003e\\u0026\\u2028"]}',
    );
    expect(goJson(goMap({ b: 1, B: 2, '10': 3, '9': 4, skip: undefined }))).toBe(
      '{"10":3,"9":4,"B":2,"b":1}',
    );
    expect(goJson('\ud800x')).toBe('"\\ufffdx"');
    expect(goJson('\\ud800')).toBe('"\\\\ud800"');
  });

  it('re-marshals times as RFC3339Nano', () => {
    expect(goTime('2024-01-01T00:00:00.000000000Z')).toBe('2024-01-01T00:00:00Z');
    expect(goTime('2024-01-01T00:00:00.120+00:00')).toBe('2024-01-01T00:00:00.12Z');
    expect(goTime('2024-01-01T00:00:00+02:00')).toBe('2024-01-01T00:00:00+02:00');
    expect(goTime('garbage')).toBe('garbage');
  });
});
