import { describe, expect, it } from 'vitest';
import type { WorkerFailureCode } from '../workers/protocol';
import zh from './zh.json';
import en from './en.json';

/** Every code the engine or the worker reports (the compiler checks that none is left out). */
const CODES = {
  empty: true,
  'not-tar': true,
  zip: true,
  'compressed-not-tar': true,
  'unsupported-compression': true,
  'lone-manifest': true,
  'registry-manifest': true,
  'filesystem-export': true,
  'single-layer': true,
  'docker-dir': true,
  'pre-1.10': true,
  'incomplete-oci': true,
  'no-image': true,
  'no-images': true,
  'null-manifest': true,
  'oci-no-image': true,
  truncated: true,
  corrupt: true,
  'missing-config': true,
  'missing-layer': true,
  'layer-count': true,
  'bad-json': true,
  limit: true,
  'no-archive': true,
  'cannot-save': true,
  'worker-crashed': true,
  cancelled: true,
  internal: true,
} satisfies Record<WorkerFailureCode, true>;

describe('messages', () => {
  it('say in Chinese what every error code means (the engine itself speaks English)', () => {
    const kinds = zh.error.kind as Record<string, string>;
    expect(Object.keys(kinds).sort()).toStrictEqual(Object.keys(CODES).sort());
    for (const text of Object.values(kinds)) expect(text).toMatch(/[\u4e00-\u9fff]/);
  });

  it('have the same keys in both languages, but for the Chinese error summaries', () => {
    const keys = (o: object, at = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === 'object' && v !== null ? keys(v as object, `${at}${k}.`) : [`${at}${k}`],
      );
    const zhKeys = keys(zh).filter((k) => !k.startsWith('error.kind.') && k !== 'error.original');
    expect(zhKeys.sort()).toStrictEqual(keys(en).sort());
  });
});
