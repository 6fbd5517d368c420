/**
 * Issue 5, "Done when": run a container on a real sample, change it, commit it, save the image as
 * Docker 25+ `docker save` does, and check the archive with independent tools on this machine:
 * `skopeo inspect` and `skopeo copy docker-archive:FILE oci:DIR:TAG` (containers/image), then
 * `umoci unpack` (opencontainers/umoci), whose extracted rootfs must be the container's
 * filesystem, and `podman load` (issue 18) into private storage. A missing tool fails the test with a message; it is never skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffLines } from '../../src/lib/core/present/diff';
import { execFileSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  lstatSync,
  mkdtempSync,
  openAsBlob,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { openArchive, type OpenedArchive } from '../../src/lib/core/archive/open';
import { indexLayer, verifyLayer } from '../../src/lib/core/archive/layers';
import { buildOverlay, mergedListing } from '../../src/lib/core/overlay';
import {
  Container,
  commitContainer,
  containerListing,
  dockerDiff,
  lowerFileReader,
  lowerFromOverlay,
  type CommitResult,
} from '../../src/lib/core/container';
import { saveArchive, saveInput } from '../../src/lib/core/save/save';
import type { ImageInfo } from '../../src/lib/core/model/types';

const SAMPLE = join(import.meta.dirname, '../../sample-images/busybox-app.tar');
const enc = new TextEncoder();

function tool(name: string): string {
  for (const dir of ['/usr/bin', '/usr/local/bin', '/bin']) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(
    `${name} is not installed: this test checks the saved archive with real tools. Install it (Debian: apt-get install -y ${name}).`,
  );
}

function runTool(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr || err.message}`, {
      cause: e,
    });
  }
}

/** `find -printf '%P\t%y\t%s\t%m\t%l'` as the sample oracles list a rootfs (hardlinks: files). */
function rootfsListing(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, path));
      const type = st.isDirectory()
        ? 'dir'
        : st.isSymbolicLink()
          ? 'symlink'
          : st.isFile()
            ? 'file'
            : 'other';
      const mode = st.isSymbolicLink() ? 0o777 : st.mode & 0o7777;
      const link = st.isSymbolicLink() ? readlinkSync(join(root, path)) : '';
      out.push(`${path}\t${type}\t${type === 'file' ? st.size : 0}\t${mode.toString(8)}\t${link}`);
      if (st.isDirectory()) walk(path);
    }
  };
  walk('');
  return out.sort((a, b) =>
    Buffer.compare(Buffer.from(a.split('\t')[0]!), Buffer.from(b.split('\t')[0]!)),
  );
}

describe('commit and save, checked by skopeo and umoci', () => {
  let skopeo: string;
  let umoci: string;
  let work: string;
  let opened: OpenedArchive;
  let image: ImageInfo;
  let container: Container;
  let commit: CommitResult;
  let file: string;
  let listingBefore: string[];

  beforeAll(async () => {
    skopeo = tool('skopeo');
    umoci = tool('umoci');
    work = mkdtempSync(join(tmpdir(), 'layerscope-commit-'));
    opened = await openArchive(await openAsBlob(SAMPLE), { fileName: 'busybox-app.tar' });
    image = opened.model.images[0]!;
    const layers = [];
    for (const key of image.layerKeys) layers.push((await indexLayer(opened, key)).entries);
    const overlay = buildOverlay(layers);
    listingBefore = mergedListing(overlay, overlay.layerCount - 1);
    container = Container.create({ image, lower: lowerFromOverlay(overlay, image.layerKeys) });
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('changes the container: copy-up, whiteout, opaque directory, rename', () => {
    const c = container;
    expect(c.stat('etc/app/app.conf')).toMatchObject({ origin: 'image', layer: 7 });
    c.writeFile('/etc/app/app.conf', enc.encode('# edited in layerscope\nport=9999\n'));
    c.remove('/app/www/index.html');
    c.remove('/app/docs', { recursive: true });
    c.mkdir('/app/docs');
    c.createFile('/app/docs/NEW.txt', enc.encode('only me\n'));
    c.rename('/etc/group', '/etc/group.bak');
    expect(c.upperEntry('app/docs')?.opaque).toBe(true);
    expect(c.upperEntry('app/www/index.html')?.type).toBe('whiteout');
    expect(diffLines(dockerDiff(c).changes)).toEqual([
      'C /app',
      'C /app/docs',
      'A /app/docs/NEW.txt',
      'D /app/docs/README.txt',
      'D /app/docs/说明.txt',
      'C /app/www',
      'D /app/www/index.html',
      'C /etc',
      'C /etc/app',
      'C /etc/app/app.conf',
      'A /etc/group.bak',
      'D /etc/group',
    ]);
  });

  it('commits a new layer and saves a Docker 25+ archive', async () => {
    commit = await commitContainer(container, {
      repo: 'busybox-app',
      tag: 'edited',
      message: 'edited in layerscope',
      readLower: lowerFileReader(opened),
    });
    expect(commit.image.diffIds).toEqual([...image.diffIds, commit.layer!.diffId]);
    const saved = await saveInput(commit.image, {
      opened,
      tars: new Map([[commit.layer!.key, commit.layer!.tar]]),
    }).then((input) => saveArchive([input]));
    expect(saved.fileName).toBe('busybox-app_edited.tar');
    file = join(work, saved.fileName);
    await finished(Readable.fromWeb(saved.blob.stream() as never).pipe(createWriteStream(file)));
    expect(lstatSync(file).size).toBe(saved.blob.size);
  });

  it('skopeo inspect sees the image with one more layer', () => {
    const inspect = JSON.parse(runTool(skopeo, ['inspect', `docker-archive:${file}`])) as {
      Layers: string[];
      RepoTags: string[];
    };
    expect(inspect.Layers).toHaveLength(image.layerKeys.length + 1);
    expect(inspect.Layers.at(-1)).toBe(commit.layer!.diffId);
    const config = JSON.parse(
      runTool(skopeo, ['inspect', '--config', `docker-archive:${file}`]),
    ) as { rootfs: { diff_ids: string[] }; history: { created_by?: string; comment?: string }[] };
    expect(config.rootfs.diff_ids).toEqual(commit.image.diffIds);
    expect(config.history.at(-1)).toMatchObject({
      created_by: 'serve',
      comment: 'edited in layerscope',
    });
  });

  it('skopeo copy + umoci unpack give the container filesystem', () => {
    const oci = join(work, 'oci');
    const bundle = join(work, 'bundle');
    runTool(skopeo, ['--insecure-policy', 'copy', `docker-archive:${file}`, `oci:${oci}:edited`]);
    const rootless = process.getuid?.() === 0 ? [] : ['--rootless'];
    runTool(umoci, ['unpack', ...rootless, '--image', `${oci}:edited`, bundle]);
    const rootfs = join(bundle, 'rootfs');
    expect(readFileSync(join(rootfs, 'etc/app/app.conf'), 'utf8')).toBe(
      '# edited in layerscope\nport=9999\n',
    );
    expect(existsSync(join(rootfs, 'app/www/index.html'))).toBe(false);
    expect(existsSync(join(rootfs, 'app/www'))).toBe(true);
    expect(readdirSync(join(rootfs, 'app/docs'))).toEqual(['NEW.txt']);
    expect(existsSync(join(rootfs, 'etc/group'))).toBe(false);
    expect(readFileSync(join(rootfs, 'etc/group.bak'), 'utf8')).toMatch(/^root:/);
    // The whole tree, entry by entry, is what the container shows.
    expect(rootfsListing(rootfs)).toEqual(containerListing(container));
  });

  it('podman load takes the archive: same image ID and layers', () => {
    // Private storage (vfs: no kernel overlay needed), so nothing of the machine's is touched.
    const podman = [
      '--root',
      join(work, 'podman-root'),
      '--runroot',
      join(work, 'podman-run'),
      '--storage-driver',
      'vfs',
      '--events-backend',
      'file',
    ];
    const out = runTool(tool('podman'), [...podman, 'load', '-q', '-i', file]);
    expect(out).toMatch(/Loaded image/);
    const [inspect] = JSON.parse(
      runTool(tool('podman'), [...podman, 'image', 'inspect', commit.image.id]),
    ) as { Id: string; RootFS: { Layers: string[] }; RepoTags: string[] }[];
    expect(`sha256:${inspect!.Id}`).toBe(commit.image.id);
    expect(inspect!.RootFS.Layers).toEqual(commit.image.diffIds);
  });

  it('reads back with our engine: same ID, every diffID verified, image layers unchanged', async () => {
    const back = await openArchive(await openAsBlob(file), { fileName: 'saved.tar' });
    expect(back.model.kind).toBe('docker-oci');
    expect(back.model.images[0]!.id).toBe(commit.image.id);
    for (const key of back.model.images[0]!.layerKeys) {
      expect(await verifyLayer(back, key)).toMatchObject({ diffIdState: 'verified' });
    }
    // The source image is as it was.
    const layers = [];
    for (const key of image.layerKeys) layers.push((await indexLayer(opened, key)).entries);
    const o = buildOverlay(layers);
    expect(mergedListing(o, o.layerCount - 1)).toEqual(listingBefore);
  });
});
