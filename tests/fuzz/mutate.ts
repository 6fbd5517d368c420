/**
 * Mutations of an image archive, from blind byte damage to structure-aware edits that get past the
 * first line of defence (a header flip with its checksum repaired, a layer re-compressed around a
 * broken tar, a JSON document with a value of the wrong type). Every mutation is a pure function
 * of the baseline and a seeded `Rng`, so a case is reproducible from its seed.
 */
import { gzip } from 'pako';
import { BLOCK, F } from '../../src/lib/core/tar/header';
import { entryHeaderBlocks, setChecksum } from '../../src/lib/core/tar/write';
import type { TarEntry } from '../../src/lib/core/tar/types';
import type { Compression } from '../../src/lib/core/model/types';
import type { Rng } from './rng';

/** A member of the (uncompressed) outer tar. */
export interface Member {
  path: string;
  type: TarEntry['type'];
  mode: number;
  /** First header block of the entry (extension headers included). */
  headerOffset: number;
  dataOffset: number;
  size: number;
  /** End of the padded data. */
  end: number;
}

/** A layer blob of the baseline, located in the outer tar. */
export interface LayerBlob {
  key: string;
  member?: Member;
  offset: number;
  size: number;
  compression: Compression;
  /** Header block offsets of the layer's own tar, relative to its uncompressed start. */
  innerHeaders: number[];
  /** The uncompressed tar (compressed layers only; kept for re-compression). */
  plain?: Uint8Array;
}

export interface Baseline {
  name: string;
  /** The input as given (possibly a compressed archive). */
  bytes: Uint8Array;
  outerCompression: Compression;
  /** The uncompressed outer tar. */
  tar: Uint8Array;
  members: Member[];
  /** Every header block of the outer tar. */
  headerBlocks: number[];
  /** JSON documents (manifest.json, index.json, manifests, configs) in the outer tar. */
  json: { path: string; offset: number; size: number; member?: Member }[];
  layers: LayerBlob[];
  /** Strings seen in the JSON documents: digests, paths, tags (swapped into other documents). */
  strings: string[];
}

export interface Mutation {
  op: string;
  detail: string;
  bytes: Uint8Array;
}

export interface Codecs {
  gzip(data: Uint8Array): Uint8Array;
}

export const pakoCodecs: Codecs = { gzip: (d) => gzip(d, { level: 1 }) };

const enc = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const pad = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

/** The tar with `m`'s header chain and data replaced by `replacement` (or removed). */
function spliceMember(tar: Uint8Array, m: Member, replacement: Uint8Array | null): Uint8Array {
  return concat([
    tar.subarray(0, m.headerOffset),
    replacement ?? new Uint8Array(0),
    tar.subarray(Math.min(m.end, tar.length)),
  ]);
}

/** A regular-file entry for `m` holding `data` (its own fresh header chain). */
function fileEntry(m: Member, data: Uint8Array): Uint8Array {
  return concat([
    entryHeaderBlocks({ path: m.path, type: 'file', mode: m.mode, size: data.length }),
    data,
    new Uint8Array(pad(data.length)),
  ]);
}

/** Flip `n` bytes of `buf` in [start, end): random values or a bit. */
function flipBytes(buf: Uint8Array, start: number, end: number, n: number, rng: Rng): number[] {
  const at: number[] = [];
  if (end <= start) return at;
  for (let i = 0; i < n; i++) {
    const p = rng.range(start, end - 1);
    buf[p] = rng.chance(0.5) ? buf[p]! ^ (1 << rng.int(8)) : rng.int(256);
    at.push(p);
  }
  return at;
}

const HEADER_FIELDS: [number, number][] = [
  [F.name, 100],
  [F.mode, 8],
  [F.uid, 8],
  [F.size, 12],
  [F.size, 12],
  [F.mtime, 12],
  [F.typeflag, 1],
  [F.typeflag, 1],
  [F.linkname, 100],
  [F.magic, 8],
  [F.prefix, 155],
];

/** Damage one header block at `h`: bytes of a field, a hostile size / typeflag / name. */
function damageHeader(buf: Uint8Array, h: number, rng: Rng): string {
  const kind = rng.weighted([
    ['flip', 4],
    ['size', 2],
    ['typeflag', 1],
    ['name', 1],
  ] as const);
  let what: string;
  if (kind === 'flip') {
    const [off, len] = rng.pick(HEADER_FIELDS);
    const at = flipBytes(buf, h + off, h + off + len, rng.range(1, 3), rng);
    what = `flip@${at.map((p) => p - h).join(',')}`;
  } else if (kind === 'size') {
    const choices = [0, 1, 511, 512, 513, 1 << 20, 2 ** 31, 8 ** 11 - 1];
    const v = rng.chance(0.7) ? rng.pick(choices) : rng.int(1 << 24);
    if (rng.chance(0.15)) {
      // GNU base-256, possibly negative or beyond 2^53.
      buf[h + F.size] = rng.pick([0x80, 0xff]);
      for (let i = 1; i < 12; i++) buf[h + F.size + i] = rng.int(256);
      what = 'size=base256';
    } else {
      const s = v.toString(8).padStart(11, '0');
      for (let i = 0; i < 11; i++) buf[h + F.size + i] = s.charCodeAt(i);
      buf[h + F.size + 11] = 0;
      what = `size=${v}`;
    }
  } else if (kind === 'typeflag') {
    const t = rng.pick([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      'x',
      'g',
      'L',
      'K',
      'S',
      'V',
      '\0',
    ]);
    buf[h + F.typeflag] = t.charCodeAt(0);
    what = `typeflag=${JSON.stringify(t)}`;
  } else {
    const names: (string | number[])[] = [
      '../../../etc/passwd',
      '/etc/shadow',
      'a/../../b',
      'ctl\x01\x1b[31m\x7fname',
      [0x66, 0xff, 0xfe, 0xc0, 0x80, 0x2f, 0x78],
      '.wh..wh..opq',
      '.wh.',
      'x/.wh.y/z',
      'manifest.json',
      'index.json',
      '',
    ];
    const n = rng.pick(names);
    const b = typeof n === 'string' ? enc.encode(n) : Uint8Array.from(n);
    buf.fill(0, h + F.name, h + F.name + 100);
    buf.set(b.subarray(0, 100), h + F.name);
    what = `name=${JSON.stringify(typeof n === 'string' ? n : 'invalid-utf8')}`;
  }
  if (rng.chance(0.7)) {
    setChecksum(buf, h);
    what += '+checksum';
  }
  return what;
}

/** Mutations of a tar (a layer's own tar), length-changing ones included. */
function mutateTar(
  tar: Uint8Array,
  headers: number[],
  rng: Rng,
): { bytes: Uint8Array; detail: string } {
  const blocks = Math.floor(tar.length / BLOCK);
  const kind = rng.weighted([
    ['header', 5],
    ['truncate', 2],
    ['insert', 1],
    ['dup', 1],
    ['del', 1],
  ] as const);
  if (kind === 'header' && headers.length > 0) {
    const out = tar.slice();
    const h = rng.pick(headers);
    return { bytes: out, detail: `header@${h} ${damageHeader(out, h, rng)}` };
  }
  if (kind === 'truncate' || blocks === 0) {
    const cut = rng.int(blocks + 1) * BLOCK;
    return { bytes: tar.slice(0, cut), detail: `truncate@${cut}` };
  }
  const at = rng.int(blocks + 1) * BLOCK;
  const n = rng.range(1, 4) * BLOCK;
  if (kind === 'insert') {
    const junk = rng.chance(0.5) ? rng.bytes(n) : new Uint8Array(n);
    return {
      bytes: concat([tar.subarray(0, at), junk, tar.subarray(at)]),
      detail: `insert@${at}+${n}`,
    };
  }
  if (kind === 'dup') {
    const seg = tar.subarray(at, at + n);
    return {
      bytes: concat([tar.subarray(0, at + seg.length), seg, tar.subarray(at + seg.length)]),
      detail: `dup@${at}+${seg.length}`,
    };
  }
  return { bytes: concat([tar.subarray(0, at), tar.subarray(at + n)]), detail: `del@${at}+${n}` };
}

// ---------------------------------------------------------------------------------------------
// JSON

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function nested(depth: number): Json {
  let v: Json = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function randomValue(rng: Rng, strings: string[]): Json {
  return rng.weighted<() => Json>([
    [() => null, 3],
    [() => rng.chance(0.5), 1],
    [() => rng.pick([0, -1, 1, 2 ** 53 + 2, 1e308, -0.5, 4096, 2 ** 31]), 2],
    [() => rng.pick(['', 'x', '0', 'null', 'sha256:', 'sha256:zz', ':', '/']), 2],
    [() => (strings.length ? rng.pick(strings) : 'x'), 4],
    [() => '../'.repeat(rng.range(1, 8)) + 'etc/passwd', 1],
    [() => '/' + (strings.length ? rng.pick(strings) : 'abs'), 1],
    [() => 'A'.repeat(rng.pick([300, 70_000])), 1],
    [() => [], 2],
    [() => ({}), 2],
    [() => [null, 1, 'x'], 1],
    [() => ({ a: 1, Config: 1, Layers: 'x', manifests: {}, digest: 5 }), 1],
    [() => nested(rng.pick([50, 3000])), 1],
    [() => '<script>alert(1)</script>\u0000\u202e', 1],
  ])();
}

interface Slot {
  parent: Json[] | { [k: string]: Json } | undefined;
  key: string | number;
  value: Json;
}

function slots(root: Json): Slot[] {
  const out: Slot[] = [{ parent: undefined, key: '', value: root }];
  const walk = (v: Json, depth: number) => {
    if (depth > 64 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v))
      v.forEach((c, i) => {
        out.push({ parent: v, key: i, value: c });
        walk(c, depth + 1);
      });
    else
      for (const [k, c] of Object.entries(v)) {
        out.push({ parent: v, key: k, value: c });
        walk(c, depth + 1);
      }
  };
  walk(root, 0);
  return out;
}

function collectStrings(v: Json, into: Set<string>, depth = 0): void {
  if (depth > 64) return;
  if (typeof v === 'string') {
    if (v.length < 300) into.add(v);
  } else if (Array.isArray(v)) for (const c of v) collectStrings(c, into, depth + 1);
  else if (v && typeof v === 'object')
    for (const [k, c] of Object.entries(v)) {
      into.add(k);
      collectStrings(c, into, depth + 1);
    }
}

export function jsonStrings(texts: string[]): string[] {
  const set = new Set<string>();
  for (const t of texts) {
    try {
      collectStrings(JSON.parse(t) as Json, set);
    } catch {
      // not JSON: nothing to collect
    }
  }
  return [...set];
}

/** A structural mutation: a value of another type, a key removed, an element repeated… */
function mutateJson(root: Json, rng: Rng, strings: string[]): { value: Json; detail: string } {
  if (rng.chance(0.08)) {
    const v = randomValue(rng, strings);
    return { value: v, detail: `root=${JSON.stringify(v)?.slice(0, 40)}` };
  }
  const all = slots(root).slice(1);
  if (all.length === 0) return { value: randomValue(rng, strings), detail: 'root=random' };
  const s = rng.pick(all);
  const p = s.parent!;
  const set = (v: Json) => {
    if (Array.isArray(p)) p[s.key as number] = v;
    else p[s.key as string] = v;
  };
  const kind = rng.weighted([
    ['replace', 5],
    ['delete', 2],
    ['repeat', 1],
    ['wrap', 1],
    ['string', 2],
  ] as const);
  const where = `${String(s.key).slice(0, 30)}`;
  switch (kind) {
    case 'replace': {
      const v = randomValue(rng, strings);
      set(v);
      return { value: root, detail: `${where}=${JSON.stringify(v)?.slice(0, 40)}` };
    }
    case 'delete':
      if (Array.isArray(p)) p.splice(s.key as number, 1);
      else delete p[s.key as string];
      return { value: root, detail: `delete ${where}` };
    case 'repeat': {
      const n = rng.pick([2, 10, 2000]);
      if (Array.isArray(p)) p.splice(s.key as number, 0, ...Array<Json>(n - 1).fill(s.value));
      else set(Array<Json>(n).fill(s.value));
      return { value: root, detail: `repeat ${where} ×${n}` };
    }
    case 'wrap':
      set(rng.chance(0.5) ? [s.value] : { v: s.value });
      return { value: root, detail: `wrap ${where}` };
    default: {
      const str = typeof s.value === 'string' ? s.value : (JSON.stringify(s.value) ?? '');
      const v = rng.pick([
        str + '/',
        '../' + str,
        str.slice(0, Math.max(0, str.length - 1)),
        str.replace(/[0-9a-f](?=[0-9a-f]*$)/, 'g'),
        str.toUpperCase(),
        str + str,
      ]);
      set(v);
      return { value: root, detail: `${where}~${JSON.stringify(v).slice(0, 40)}` };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The operators

export type OpName =
  | 'truncate'
  | 'insert'
  | 'dup-block'
  | 'del-block'
  | 'zero-range'
  | 'flip-outer-header'
  | 'flip-json'
  | 'flip-layer'
  | 'json-struct'
  | 'layer-truncate'
  | 'layer-inner'
  | 'member-drop'
  | 'member-dup'
  | 'member-symlink'
  | 'layer-swap';

export const OP_WEIGHTS: readonly (readonly [OpName, number])[] = [
  ['truncate', 3],
  ['insert', 1],
  ['dup-block', 1],
  ['del-block', 1],
  ['zero-range', 0.5],
  ['flip-outer-header', 2.5],
  ['flip-json', 2],
  ['flip-layer', 3],
  ['json-struct', 3.5],
  ['layer-truncate', 1.5],
  ['layer-inner', 2.5],
  ['member-drop', 1],
  ['member-dup', 0.7],
  ['member-symlink', 1],
  ['layer-swap', 0.5],
];

/** The outer tar after a structural edit, re-compressed like the input when we can (gzip). */
function repack(b: Baseline, tar: Uint8Array, codecs: Codecs): Uint8Array {
  return b.outerCompression === 'gzip' ? codecs.gzip(tar) : tar;
}

/** The whole input truncated at `cut` (the every-512-byte-boundary sweep uses this). */
export function truncateAt(b: Baseline, cut: number): Mutation {
  return { op: 'truncate', detail: `@${cut}`, bytes: b.bytes.subarray(0, cut) };
}

export function mutate(b: Baseline, rng: Rng, codecs: Codecs = pakoCodecs): Mutation {
  // Operators that need structure the baseline lacks fall back to blind damage.
  let op = rng.weighted(OP_WEIGHTS);
  if ((op === 'flip-json' || op === 'json-struct') && b.json.length === 0) op = 'truncate';
  if (
    (op === 'flip-layer' || op === 'layer-truncate' || op === 'layer-inner') &&
    b.layers.length === 0
  )
    op = 'flip-outer-header';
  if (op === 'layer-swap' && b.layers.length < 2) op = 'flip-layer';
  if (op.startsWith('member') && b.members.length === 0) op = 'insert';
  if (op === 'flip-layer' && b.layers.length === 0) op = 'truncate';
  if (op === 'flip-outer-header' && b.headerBlocks.length === 0) op = 'truncate';
  const raw = b.bytes;
  const n = raw.length;
  const blocks = Math.floor(n / BLOCK);

  switch (op) {
    case 'truncate': {
      const cut = rng.chance(0.75) ? rng.int(blocks + 1) * BLOCK : rng.int(n + 1);
      return { op, detail: `@${cut}`, bytes: raw.subarray(0, cut) };
    }
    case 'insert': {
      const at = rng.chance(0.5) ? rng.int(blocks + 1) * BLOCK : rng.int(n + 1);
      const junk = rng.bytes(rng.chance(0.5) ? rng.range(1, 64) : rng.range(1, 2) * BLOCK);
      return {
        op,
        detail: `@${at}+${junk.length}`,
        bytes: concat([raw.subarray(0, at), junk, raw.subarray(at)]),
      };
    }
    case 'dup-block':
    case 'del-block': {
      const at = rng.int(blocks + 1) * BLOCK;
      const len = rng.range(1, 4) * BLOCK;
      const bytes =
        op === 'dup-block'
          ? concat([raw.subarray(0, at + len), raw.subarray(at, at + len), raw.subarray(at + len)])
          : concat([raw.subarray(0, at), raw.subarray(at + len)]);
      return { op, detail: `@${at}+${len}`, bytes };
    }
    case 'zero-range': {
      const out = raw.slice();
      const at = rng.int(n + 1);
      const len = rng.range(1, 4096);
      out.fill(0, at, at + len);
      return { op, detail: `@${at}+${len}`, bytes: out };
    }
    case 'flip-outer-header': {
      const tar = b.tar.slice();
      const h = rng.pick(b.headerBlocks);
      const what = damageHeader(tar, h, rng);
      return { op, detail: `@${h} ${what}`, bytes: repack(b, tar, codecs) };
    }
    case 'flip-json': {
      const tar = b.tar.slice();
      const doc = rng.pick(b.json);
      const count = rng.range(1, 4);
      const at: number[] = [];
      for (let i = 0; i < count && doc.size > 0; i++) {
        const p = doc.offset + rng.int(doc.size);
        tar[p] = rng.chance(0.5)
          ? '{}[]":,0123456789-.eE tfn\\'.charCodeAt(rng.int(26))
          : rng.int(256);
        at.push(p - doc.offset);
      }
      return { op, detail: `${doc.path}@${at.join(',')}`, bytes: repack(b, tar, codecs) };
    }
    case 'flip-layer': {
      const tar = b.tar.slice();
      const l = rng.pick(b.layers);
      let what: string;
      if (l.compression === 'none' && l.innerHeaders.length > 0 && rng.chance(0.6)) {
        const h = l.offset + rng.pick(l.innerHeaders);
        what = `header@${h - l.offset} ${damageHeader(tar, h, rng)}`;
      } else {
        const r = rng.next();
        const [s, e] =
          r < 0.3
            ? [l.offset, l.offset + Math.min(32, l.size)]
            : r < 0.45
              ? [l.offset + Math.max(0, l.size - 16), l.offset + l.size]
              : [l.offset, l.offset + l.size];
        const at = flipBytes(tar, s, e, rng.range(1, 4), rng);
        what = `bytes@${at.map((p) => p - l.offset).join(',')}`;
      }
      return { op, detail: `${l.key} ${what}`, bytes: repack(b, tar, codecs) };
    }
    case 'json-struct': {
      const docs = b.json.filter((d) => d.member);
      if (docs.length === 0) return mutate(b, rng, codecs);
      const doc = rng.pick(docs);
      const text = new TextDecoder().decode(b.tar.subarray(doc.offset, doc.offset + doc.size));
      let value: Json;
      try {
        value = JSON.parse(text) as Json;
      } catch {
        value = null;
      }
      const m = mutateJson(value, rng, b.strings);
      const data = enc.encode(JSON.stringify(m.value) ?? 'null');
      const tar = spliceMember(b.tar, doc.member!, fileEntry(doc.member!, data));
      return { op, detail: `${doc.path} ${m.detail}`, bytes: repack(b, tar, codecs) };
    }
    case 'layer-truncate': {
      const l = rng.pick(b.layers.filter((x) => x.member));
      if (!l) return mutate(b, rng, codecs);
      const cut =
        l.compression === 'none'
          ? rng.int(Math.floor(l.size / BLOCK) + 1) * BLOCK
          : rng.int(l.size + 1);
      const data = b.tar.subarray(l.offset, l.offset + cut);
      const tar = spliceMember(b.tar, l.member!, fileEntry(l.member!, data));
      return { op, detail: `${l.key}@${cut}/${l.size}`, bytes: repack(b, tar, codecs) };
    }
    case 'layer-inner': {
      const l = rng.pick(b.layers.filter((x) => x.member));
      if (!l) return mutate(b, rng, codecs);
      const plain =
        l.compression === 'none' ? b.tar.subarray(l.offset, l.offset + l.size) : l.plain;
      if (!plain) return mutate(b, rng, codecs);
      const inner = mutateTar(plain, l.innerHeaders, rng);
      const data = l.compression === 'none' ? inner.bytes : codecs.gzip(inner.bytes);
      const tar = spliceMember(b.tar, l.member!, fileEntry(l.member!, data));
      return { op, detail: `${l.key} ${inner.detail}`, bytes: repack(b, tar, codecs) };
    }
    case 'member-drop': {
      const m = rng.pick(b.members);
      return { op, detail: m.path, bytes: repack(b, spliceMember(b.tar, m, null), codecs) };
    }
    case 'member-dup': {
      const m = rng.pick(b.members);
      const chain = b.tar.subarray(m.headerOffset, m.end);
      const tar = concat([b.tar.subarray(0, m.end), chain, b.tar.subarray(m.end)]);
      return { op, detail: m.path, bytes: repack(b, tar, codecs) };
    }
    case 'member-symlink': {
      const m = rng.pick(b.members);
      const other = rng.pick(b.members).path;
      const base = m.path.slice(m.path.lastIndexOf('/') + 1);
      const target = rng.pick([
        base,
        `./${base}`,
        other,
        `../${other}`,
        `/${other}`,
        '../../../../etc/passwd',
        'missing',
      ]);
      const link = entryHeaderBlocks({ path: m.path, type: 'symlink', linkname: target });
      const hard = rng.chance(0.3);
      const entry = hard
        ? entryHeaderBlocks({ path: m.path, type: 'hardlink', linkname: target })
        : link;
      return {
        op,
        detail: `${m.path} -${hard ? 'hard' : 'sym'}-> ${target}`,
        bytes: repack(b, spliceMember(b.tar, m, entry), codecs),
      };
    }
    case 'layer-swap': {
      const withMember = b.layers.filter((x) => x.member);
      if (withMember.length < 2) return mutate(b, rng, codecs);
      const a = rng.pick(withMember);
      const c = rng.pick(withMember.filter((x) => x !== a));
      const data = b.tar.slice(c.offset, c.offset + c.size);
      const tar = spliceMember(b.tar, a.member!, fileEntry(a.member!, data));
      return { op, detail: `${a.key} <- ${c.key}`, bytes: repack(b, tar, codecs) };
    }
  }
}
