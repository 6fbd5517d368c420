/**
 * The container view's `docker diff`, `ps -s` size and `docker commit` against genuine Docker:
 * tests/fixtures/docker/container/ holds what Docker 20.10 printed and wrote for a container of
 * legacy.tar's `ls-base:1` that ran `changes.sh` (scripts/build-docker-fixtures.sh). layerscope's
 * container makes the same changes on the same image, and its text, layer headers and config are
 * compared with Docker's. Expected values come only from Docker's files.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openAsBlob, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openArchive } from '../../src/lib/core/archive/open';
import { indexLayer } from '../../src/lib/core/archive/layers';
import { buildOverlay } from '../../src/lib/core/overlay';
import { Container, lowerFileReader, lowerFromOverlay } from '../../src/lib/core/container';
import { dockerDiff } from '../../src/lib/core/container/diff';
import { commitContainer, type CommitResult } from '../../src/lib/core/container/commit';
import { containerPsSize, diffRows, formatDiff, type ImageSet } from '../../src/lib/core/present';
import type { ImageInfo, LayerInfo } from '../../src/lib/core/model/types';
import type { LowerReader } from '../../src/lib/core/container/lower';

const CORPUS = join(import.meta.dirname, '../fixtures/docker');
const DIR = join(CORPUS, 'container');
const enc = new TextEncoder();

interface RawHeader {
  name: string;
  mode: string;
  uid: string;
  gid: string;
  size: number;
  type: string;
  linkname: string;
  uname: string;
  gname: string;
  /** PAX records of the `x` header before this entry. */
  pax: string;
}

const field = (b: Uint8Array, at: number, len: number) => {
  const s = b.subarray(at, at + len);
  const end = s.indexOf(0);
  return new TextDecoder().decode(end < 0 ? s : s.subarray(0, end));
};

/** Every header of an uncompressed tar, field by field as stored (a PAX `x` header is its own). */
function rawHeaders(tar: Uint8Array): RawHeader[] {
  const out: RawHeader[] = [];
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    const size = parseInt(field(h, 124, 12).trim() || '0', 8);
    const type = field(h, 156, 1);
    out.push({
      name: field(h, 0, 100),
      mode: field(h, 100, 8),
      uid: field(h, 108, 8),
      gid: field(h, 116, 8),
      size,
      type,
      linkname: field(h, 157, 100),
      uname: field(h, 265, 32),
      gname: field(h, 297, 32),
      pax: type === 'x' ? field(tar, off + 512, size) : '',
    });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/**
 * `docker diff` lists siblings in Go map order (random from run to run), each directory's present
 * children before its deleted ones, every change after its parent. Both texts get siblings by
 * name, keeping that structure, so the rest is compared line for line.
 */
function siblingsByName(text: string): string {
  const lines = text.trimEnd().split('\n');
  const parent = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';
  const children = new Map<string, string[]>();
  for (const l of lines) {
    const p = l.slice(2);
    children.set(parent(p), [...(children.get(parent(p)) ?? []), l]);
  }
  const out: string[] = [];
  const walk = (dir: string) => {
    const kids = (children.get(dir) ?? []).sort((a, b) => {
      const da = a[0] === 'D' ? 1 : 0;
      const db = b[0] === 'D' ? 1 : 0;
      return da - db || (a.slice(2) < b.slice(2) ? -1 : 1);
    });
    for (const k of kids) {
      out.push(k);
      walk(k.slice(2));
    }
  };
  walk('/');
  expect(out.length, 'every line of the diff is under the root').toBe(lines.length);
  return out.join('\n') + '\n';
}

/** `changes.sh`, line by line, through the container's own operations. */
async function applyChanges(c: Container, readLower: LowerReader) {
  const script = readFileSync(join(DIR, 'changes.sh'), 'utf8').trimEnd().split('\n');
  const text = async (p: string) => {
    const content = c.readFile(p);
    const data = content.kind === 'bytes' ? content.data : await readLower(content.file);
    return data instanceof Blob ? data.text() : new TextDecoder().decode(data);
  };
  for (const line of script) {
    let m: RegExpExecArray | null;
    if ((m = /^echo (\S+) >> \/(\S+)$/.exec(line)))
      c.writeFile(m[2]!, enc.encode((await text(m[2]!)) + m[1] + '\n'));
    else if ((m = /^echo (\S+) > \/(\S+)$/.exec(line)))
      c.createFile(m[2]!, enc.encode(m[1] + '\n'));
    else if ((m = /^rm -rf \/(\S+)$/.exec(line))) c.remove(m[1]!, { recursive: true });
    else if ((m = /^rm \/(\S+)$/.exec(line))) c.remove(m[1]!);
    else if ((m = /^mkdir -p \/(\S+)$/.exec(line))) c.mkdir(m[1]!, { parents: true });
    else if ((m = /^mkdir \/(\S+)$/.exec(line))) c.mkdir(m[1]!);
    else if ((m = /^ln -s (\S+) \/(\S+)$/.exec(line))) c.symlink(m[1]!, m[2]!);
    else if ((m = /^chmod ([0-7]+) \/(\S+)$/.exec(line))) c.chmod(m[2]!, parseInt(m[1]!, 8));
    else throw new Error(`changes.sh: no container operation for: ${line}`);
  }
}

interface Capture {
  file: string;
  args: string[];
  before: number;
  after: number;
}

describe('the container view against genuine Docker (tests/fixtures/docker/container)', () => {
  const commands = (
    JSON.parse(readFileSync(join(DIR, 'commands.json'), 'utf8')) as { commands: Capture[] }
  ).commands;
  const at = (file: string) => commands.find((c) => c.file === file)!;
  let container: Container;
  let image: ImageInfo;
  let committed: CommitResult;
  let set: ImageSet;

  beforeAll(async () => {
    const opened = await openArchive(await openAsBlob(join(CORPUS, 'legacy/legacy.tar')));
    image = opened.model.images.find((i) => i.repoTags.includes('ls-base:1'))!;
    const layers = [];
    const stats: Record<string, LayerInfo> = {};
    for (const key of image.layerKeys) {
      const indexed = await indexLayer(opened, key);
      layers.push(indexed.entries);
      stats[key] = { ...opened.model.layers[key]!, stats: indexed.stats };
    }
    set = { images: [image], layers: stats };
    const started = at('out/diff.txt').before * 1000;
    container = Container.create({
      image,
      lower: lowerFromOverlay(buildOverlay(layers), image.layerKeys),
      now: () => started,
      interactive: false,
      // What `docker run` was given (input, not an expected value): the command Docker recorded.
      cmd: JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')).config.Cmd,
    });
    await applyChanges(container, lowerFileReader(opened));
    const commit = commands.find((c) => c.args[0] === 'commit')!;
    committed = await commitContainer(container, {
      repo: 'ls-view',
      tag: '1',
      readLower: lowerFileReader(opened),
      now: () => commit.before * 1000,
      dockerVersion: JSON.parse(readFileSync(join(DIR, 'commands.json'), 'utf8')).dockerVersion,
    });
  });

  it('docker diff: the same lines, in the same structure', () => {
    const docker = readFileSync(join(DIR, 'out/diff.txt'), 'utf8');
    const ours = formatDiff(diffRows(dockerDiff(container).changes));
    expect(siblingsByName(ours)).toBe(siblingsByName(docker));
  });

  it('docker ps -s: the same SIZE', () => {
    const docker = readFileSync(join(DIR, 'out/ps-s.txt'), 'utf8').trimEnd().split('\n');
    const sizeAt = docker[0]!.indexOf('SIZE');
    expect(containerPsSize(container, set)).toBe(docker[1]!.slice(sizeAt));
  });

  it('docker commit: the layer has the same headers as Docker wrote', async () => {
    const docker = rawHeaders(new Uint8Array(readFileSync(join(DIR, 'layer.tar'))));
    const ours = rawHeaders(new Uint8Array(await committed.layer!.tar.arrayBuffer()));
    // What the kernel decides, not Docker's tar writer: overlayfs whiteouts are character
    // devices sharing one inode, so go-archive's hard link detection gives the second and later
    // whiteouts the linkname of the first (with their type still '0'). Compared without it.
    const kernel = (h: RawHeader) =>
      h.name.split('/').pop()!.startsWith('.wh.') && h.type === '0' ? { ...h, linkname: '' } : h;
    expect(ours.map(kernel)).toEqual(docker.map(kernel));
  });

  it('docker commit: the config has the same fields as Docker wrote', async () => {
    const docker = JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8'));
    const ours = JSON.parse(new TextDecoder().decode(committed.configBytes));
    // No top-level comment without -m; docker_version; Config.OnBuild null.
    expect(Object.keys(ours)).toEqual(Object.keys(docker));
    expect(ours.docker_version).toBe(docker.docker_version);
    expect(ours.config.OnBuild).toBe(docker.config.OnBuild);
    // The container's ID (and so its Hostname) is random; creation times are the clock's.
    const noHost = (c: Record<string, unknown>) => ({ ...c, Hostname: '' });
    expect(noHost(ours.config)).toEqual(noHost(docker.config));
    expect(noHost(ours.container_config)).toEqual(noHost(docker.container_config));
    const noTime = (h: { created?: string }[]) => h.map((e) => ({ ...e, created: '' }));
    expect(noTime(ours.history)).toEqual(noTime(docker.history));
    expect(ours.os).toBe(docker.os);
    expect(ours.architecture).toBe(docker.architecture);
  });
});
