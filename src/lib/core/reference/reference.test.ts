import { describe, expect, it } from 'vitest';
import {
  InvalidReferenceError,
  familiarName,
  familiarString,
  familiarizeTag,
  isValidTag,
  parseImageReference,
  parseNormalizedNamed,
  parseReferenceStrict,
  referenceName,
  referenceString,
  splitRepoTag,
  tagNameOnly,
  tryParseImageReference,
  type ImageReference,
} from './reference';

const ffff = 'f'.repeat(64);
const DIGEST = 'sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidReferenceError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('distribution/reference normalize_test.go', () => {
  // TestValidateReferenceName
  it.each([
    'docker/docker',
    'library/debian',
    'debian',
    'localhost/library/debian',
    'localhost/debian',
    'LOCALDOMAIN/library/debian',
    'LOCALDOMAIN/debian',
    'docker.io/docker/docker',
    'docker.io/library/debian',
    'docker.io/debian',
    'index.docker.io/docker/docker',
    'index.docker.io/library/debian',
    'index.docker.io/debian',
    '127.0.0.1:5000/docker/docker',
    '127.0.0.1:5000/library/debian',
    '127.0.0.1:5000/debian',
    '192.168.0.1',
    '192.168.0.1:80',
    '192.168.0.1:8/debian',
    '192.168.0.2:25000/debian',
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    '[fc00::1]:5000/docker',
    '[fc00::1]:5000/docker/docker',
    '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
    'Docker/docker',
    'DOCKER/docker',
    // TestValidateRemoteName
    'docker-rules/docker',
    'docker---rules/docker',
    'doc/docker',
    'd/docker',
    'jess/t',
    'dock__er/docker',
  ])('valid: %s', (name) => {
    expect(() => parseNormalizedNamed(name)).not.toThrow();
  });

  it.each([
    'https://github.com/docker/docker',
    'docker/Docker',
    '-docker',
    '-docker/docker',
    '-docker.io/docker/docker',
    'docker///docker',
    'docker.io/docker/Docker',
    'docker.io/docker///docker',
    '[fc00::1]',
    '[fc00::1]:5000',
    'fc00::1:5000/debian',
    '[fe80::1%eth0]:5000/debian',
    '[2001:db8:3:4::192.0.2.33]:5000/debian',
    '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
    // TestValidateRemoteName
    'docker-/docker',
    '-docker-/docker',
    '____/____',
    '_docker/_docker',
    'dock..er/docker',
    'dock_.er/docker',
    'dock-.er/docker',
    'docker/',
    'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker',
  ])('invalid: %s', (name) => {
    expect(() => parseNormalizedNamed(name)).toThrow(InvalidReferenceError);
  });

  // TestParseRepositoryInfo: [path, familiar name, full name, ambiguous name, domain]
  it.each([
    ['fooo', 'localhost/fooo', 'localhost/fooo', 'localhost/fooo', 'localhost'],
    ['fooo/bar', 'localhost/fooo/bar', 'localhost/fooo/bar', 'localhost/fooo/bar', 'localhost'],
    ['fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN'],
    [
      'fooo/bar',
      'LOCALDOMAIN/fooo/bar',
      'LOCALDOMAIN/fooo/bar',
      'LOCALDOMAIN/fooo/bar',
      'LOCALDOMAIN',
    ],
    ['fooo/bar', 'fooo/bar', 'docker.io/fooo/bar', 'index.docker.io/fooo/bar', 'docker.io'],
    ['library/ubuntu', 'ubuntu', 'docker.io/library/ubuntu', 'library/ubuntu', 'docker.io'],
    ['nonlibrary/ubuntu', 'nonlibrary/ubuntu', 'docker.io/nonlibrary/ubuntu', '', 'docker.io'],
    ['other/library', 'other/library', 'docker.io/other/library', '', 'docker.io'],
    [
      'private/moonbase',
      '127.0.0.1:8000/private/moonbase',
      '127.0.0.1:8000/private/moonbase',
      '',
      '127.0.0.1:8000',
    ],
    [
      'privatebase',
      '127.0.0.1:8000/privatebase',
      '127.0.0.1:8000/privatebase',
      '',
      '127.0.0.1:8000',
    ],
    [
      'private/moonbase',
      'example.com/private/moonbase',
      'example.com/private/moonbase',
      '',
      'example.com',
    ],
    ['privatebase', 'example.com/privatebase', 'example.com/privatebase', '', 'example.com'],
    [
      'private/moonbase',
      'example.com:8000/private/moonbase',
      'example.com:8000/private/moonbase',
      '',
      'example.com:8000',
    ],
    [
      'privatebasee',
      'example.com:8000/privatebasee',
      'example.com:8000/privatebasee',
      '',
      'example.com:8000',
    ],
    [
      'library/ubuntu-12.04-base',
      'ubuntu-12.04-base',
      'docker.io/library/ubuntu-12.04-base',
      'index.docker.io/library/ubuntu-12.04-base',
      'docker.io',
    ],
    ['library/foo', 'foo', 'docker.io/library/foo', 'docker.io/foo', 'docker.io'],
    ['library/foo/bar', 'library/foo/bar', 'docker.io/library/foo/bar', '', 'docker.io'],
    ['store/foo/bar', 'store/foo/bar', 'docker.io/store/foo/bar', '', 'docker.io'],
    ['bar', 'Foo/bar', 'Foo/bar', '', 'Foo'],
    ['bar', 'FOO/bar', 'FOO/bar', '', 'FOO'],
  ])('repository info: %s / %s', (path, familiar, full, ambiguous, domain) => {
    for (const input of [familiar, full, ambiguous].filter(Boolean)) {
      const ref = parseNormalizedNamed(input);
      expect(familiarName(ref)).toBe(familiar);
      expect(referenceString(ref)).toBe(full);
      expect(ref.domain).toBe(domain);
      expect(ref.path).toBe(path);
    }
  });

  it('TestParseReferenceWithTagAndDigest', () => {
    const short =
      'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';
    const ref = parseNormalizedNamed(short);
    expect(referenceString(ref)).toBe('docker.io/library/' + short);
    expect(ref.tag).toBe('latest');
    expect(ref.digest).toBe(
      'sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa',
    );
    expect(familiarString(ref)).toBe(short);
  });

  // TestParseAnyReference (the name cases) and TestParseDockerRef (without tag+digest collapsing)
  it.each([
    ['redis', 'docker.io/library/redis', 'docker.io/library/redis:latest'],
    ['redis:latest', 'docker.io/library/redis:latest', 'docker.io/library/redis:latest'],
    [
      'docker.io/library/redis:latest',
      'docker.io/library/redis:latest',
      'docker.io/library/redis:latest',
    ],
    [`redis@${DIGEST}`, `docker.io/library/redis@${DIGEST}`, `docker.io/library/redis@${DIGEST}`],
    ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp', 'docker.io/dmcgowan/myapp:latest'],
    ['dmcgowan/myapp:latest', 'docker.io/dmcgowan/myapp:latest', 'docker.io/dmcgowan/myapp:latest'],
    [
      'docker.io/mcgowan/myapp:latest',
      'docker.io/mcgowan/myapp:latest',
      'docker.io/mcgowan/myapp:latest',
    ],
    [
      `dmcgowan/myapp@${DIGEST}`,
      `docker.io/dmcgowan/myapp@${DIGEST}`,
      `docker.io/dmcgowan/myapp@${DIGEST}`,
    ],
    [
      'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9',
      'docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9',
      'docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9:latest',
    ],
    ['dbcc1', 'docker.io/library/dbcc1', 'docker.io/library/dbcc1:latest'],
    ['busybox', 'docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['library/busybox', 'docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    [
      'docker.io/busybox:latest',
      'docker.io/library/busybox:latest',
      'docker.io/library/busybox:latest',
    ],
    [
      'library/busybox:latest',
      'docker.io/library/busybox:latest',
      'docker.io/library/busybox:latest',
    ],
    ['gcr.io/library/busybox', 'gcr.io/library/busybox', 'gcr.io/library/busybox:latest'],
  ])('%s → %s, with default tag %s', (input, normalized, withTag) => {
    const ref = parseNormalizedNamed(input);
    expect(referenceString(ref)).toBe(normalized);
    expect(referenceString(tagNameOnly(ref))).toBe(withTag);
    // re-parsing the normalized form is stable
    expect(referenceString(parseReferenceStrict(normalized))).toBe(normalized);
  });

  // TestNormalizedSplitHostname
  it.each([
    ['test.com/foo', 'test.com', 'foo'],
    ['test_com/foo', 'docker.io', 'test_com/foo'],
    ['docker/migrator', 'docker.io', 'docker/migrator'],
    ['test.com:8080/foo', 'test.com:8080', 'foo'],
    ['test-com:8080/foo', 'test-com:8080', 'foo'],
    ['foo', 'docker.io', 'library/foo'],
    ['xn--n3h.com/foo', 'xn--n3h.com', 'foo'],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
    ['docker.io/foo', 'docker.io', 'library/foo'],
    ['docker.io/library/foo', 'docker.io', 'library/foo'],
    ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar'],
  ])('split %s → %s + %s', (input, domain, path) => {
    const ref = parseNormalizedNamed(input);
    expect([ref.domain, ref.path]).toEqual([domain, path]);
  });
});

describe('distribution/reference reference_test.go TestReferenceParse (Parse)', () => {
  // [input, error, name, domain, tag, digest]
  const cases: [string, string | null, string?, string?, string?, string?][] = [
    ['test_com', null, 'test_com', ''],
    ['test.com:tag', null, 'test.com', '', 'tag'],
    ['test.com:5000', null, 'test.com', '', '5000'],
    ['test.com/repo:tag', null, 'test.com/repo', 'test.com', 'tag'],
    ['test:5000/repo', null, 'test:5000/repo', 'test:5000'],
    ['test:5000/repo:tag', null, 'test:5000/repo', 'test:5000', 'tag'],
    [
      `test:5000/repo@sha256:${ffff}`,
      null,
      'test:5000/repo',
      'test:5000',
      undefined,
      `sha256:${ffff}`,
    ],
    [
      `test:5000/repo:tag@sha256:${ffff}`,
      null,
      'test:5000/repo',
      'test:5000',
      'tag',
      `sha256:${ffff}`,
    ],
    ['', 'repository name must have at least one component'],
    [':justtag', 'invalid reference format'],
    [`@sha256:${ffff}`, 'invalid reference format'],
    ['repo@sha256:ffffffffffffffffffffffffffffffffff', 'invalid checksum digest length'],
    [`validname@invaliddigest:${ffff}`, 'unsupported digest algorithm'],
    // upstream's test binary does not register sha512; the docker CLI does, so it is accepted
    [`validname@sha512:${ffff}${ffff}`, null, 'validname', '', undefined, `sha512:${ffff}${ffff}`],
    [
      `validname@sha384:${ffff}${'f'.repeat(32)}`,
      null,
      'validname',
      '',
      undefined,
      `sha384:${ffff}${'f'.repeat(32)}`,
    ],
    ['Uppercase:tag', 'repository name must be lowercase'],
    ['test:5000/Uppercase/lowercase:tag', 'repository name must be lowercase'],
    ['lowercase:Uppercase', null, 'lowercase', '', 'Uppercase'],
    ['domain/' + 'a'.repeat(256) + ':tag', 'repository name must not be more than 255 characters'],
    [
      'a/'.repeat(127) + 'a:tag-puts-this-over-max',
      null,
      'a/'.repeat(127) + 'a',
      'a',
      'tag-puts-this-over-max',
    ],
    ['aa/asdf$$^/aa', 'invalid reference format'],
    ['sub-dom1.foo.com/bar/baz/quux', null, 'sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com'],
    [
      'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
      null,
      'sub-dom1.foo.com/bar/baz/quux',
      'sub-dom1.foo.com',
      'some-long-tag',
    ],
    [
      'b.gcr.io/test.example.com/my-app:test.example.com',
      null,
      'b.gcr.io/test.example.com/my-app',
      'b.gcr.io',
      'test.example.com',
    ],
    ['xn--n3h.com/myimage:xn--n3h.com', null, 'xn--n3h.com/myimage', 'xn--n3h.com', 'xn--n3h.com'],
    [
      `xn--7o8h.com/myimage:xn--7o8h.com@sha256:${ffff}`,
      null,
      'xn--7o8h.com/myimage',
      'xn--7o8h.com',
      'xn--7o8h.com',
      `sha256:${ffff}`,
    ],
    ['foo_bar.com:8080', null, 'foo_bar.com', '', '8080'],
    ['foo/foo_bar.com:8080', null, 'foo/foo_bar.com', 'foo', '8080'],
    ['192.168.1.1', null, '192.168.1.1', ''],
    ['192.168.1.1:tag', null, '192.168.1.1', '', 'tag'],
    ['192.168.1.1:5000', null, '192.168.1.1', '', '5000'],
    ['192.168.1.1/repo', null, '192.168.1.1/repo', '192.168.1.1'],
    ['192.168.1.1:5000/repo', null, '192.168.1.1:5000/repo', '192.168.1.1:5000'],
    ['192.168.1.1:5000/repo:5050', null, '192.168.1.1:5000/repo', '192.168.1.1:5000', '5050'],
    ['[2001:db8::1]', 'invalid reference format'],
    ['[2001:db8::1]:5000', 'invalid reference format'],
    ['[2001:db8::1]:tag', 'invalid reference format'],
    ['[2001:db8::1]/repo', null, '[2001:db8::1]/repo', '[2001:db8::1]'],
    [
      '[2001:db8:1:2:3:4:5:6]/repo:tag',
      null,
      '[2001:db8:1:2:3:4:5:6]/repo',
      '[2001:db8:1:2:3:4:5:6]',
      'tag',
    ],
    ['[2001:db8::1]:5000/repo', null, '[2001:db8::1]:5000/repo', '[2001:db8::1]:5000'],
    ['[2001:db8::1]:5000/repo:tag', null, '[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', 'tag'],
    [
      `[2001:db8::1]:5000/repo@sha256:${ffff}`,
      null,
      '[2001:db8::1]:5000/repo',
      '[2001:db8::1]:5000',
      undefined,
      `sha256:${ffff}`,
    ],
    [
      `[2001:db8::1]:5000/repo:tag@sha256:${ffff}`,
      null,
      '[2001:db8::1]:5000/repo',
      '[2001:db8::1]:5000',
      'tag',
      `sha256:${ffff}`,
    ],
    ['[2001:db8::]:5000/repo', null, '[2001:db8::]:5000/repo', '[2001:db8::]:5000'],
    ['[::1]:5000/repo', null, '[::1]:5000/repo', '[::1]:5000'],
    ['[fe80::1%eth0]:5000/repo', 'invalid reference format'],
    ['[fe80::1%@invalidzone]:5000/repo', 'invalid reference format'],
    [
      'example.com/' + 'a'.repeat(255) + ':tag',
      null,
      'example.com/' + 'a'.repeat(255),
      'example.com',
      'tag',
    ],
    // beyond upstream: go-digest's other errors
    [`repo@sha256:${'F'.repeat(64)}`, 'invalid checksum digest format'],
    [`repo@md5:${'0'.repeat(32)}`, 'unsupported digest algorithm'],
    [`repo@SHA256:${ffff}`, 'invalid checksum digest format'],
  ];

  it.each(cases)('%s', (input, error, name, domain, tag, digest) => {
    if (error) {
      expect(errorOf(() => parseReferenceStrict(input))).toBe(error);
      return;
    }
    const ref = parseReferenceStrict(input);
    expect(referenceString(ref)).toBe(input);
    expect(referenceName(ref)).toBe(name);
    expect(ref.domain).toBe(domain);
    expect(ref.tag).toBe(tag);
    expect(ref.digest).toBe(digest);
  });
});

describe('ParseNormalizedNamed error messages', () => {
  it.each([
    ['', 'invalid reference format'],
    ['Alpine', 'invalid reference format: repository name (library/Alpine) must be lowercase'],
    ['Alpine:3.19', 'invalid reference format: repository name (library/Alpine) must be lowercase'],
    [
      'docker/Docker',
      'invalid reference format: repository name (docker/Docker) must be lowercase',
    ],
    ['localhost:5000/App:1', 'invalid reference format: repository name (App) must be lowercase'],
    [
      '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
      'invalid repository name (1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a), cannot specify 64-byte hexadecimal strings',
    ],
    ['https://github.com/docker/docker', 'invalid reference format'],
    ['-docker', 'invalid reference format'],
    ['alpine:', 'invalid reference format'],
    ['alpine:-tag', 'invalid reference format'],
    ['alpine:' + 'a'.repeat(129), 'invalid reference format'],
    ['alpine@sha256:abc', 'invalid reference format'],
    [`alpine@sha256:${'F'.repeat(64)}`, 'invalid checksum digest format'],
    [`alpine:3@sha256:${'0'.repeat(65)}`, 'invalid checksum digest length'],
    [`alpine@md5:${'0'.repeat(32)}`, 'unsupported digest algorithm'],
    ['docker.io/' + 'a'.repeat(256), 'repository name must not be more than 255 characters'],
    ['alpine latest', 'invalid reference format'],
  ])('%j → %s', (input, message) => {
    expect(errorOf(() => parseNormalizedNamed(input))).toBe(message);
    expect(tryParseImageReference(input)).toEqual({ ok: false, error: message });
  });

  it('stays fast on pathological input', () => {
    const t0 = Date.now();
    for (const s of [
      'a'.repeat(20000) + '!',
      'a-'.repeat(10000) + '!',
      'a.'.repeat(10000) + '/!',
    ]) {
      expect(() => parseNormalizedNamed(s)).toThrow(InvalidReferenceError);
    }
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('parseImageReference', () => {
  const D = (registry: boolean, namespace: boolean, tag: boolean) => ({ registry, namespace, tag });
  it.each<[string, Omit<ImageReference, 'input'>]>([
    [
      'alpine',
      {
        registry: 'docker.io',
        path: 'library/alpine',
        namespace: 'library',
        name: 'docker.io/library/alpine',
        familiarName: 'alpine',
        tag: 'latest',
        digest: undefined,
        familiar: 'alpine:latest',
        canonical: 'docker.io/library/alpine:latest',
        defaultsApplied: D(true, true, true),
      },
    ],
    [
      'alpine:3.19',
      {
        registry: 'docker.io',
        path: 'library/alpine',
        namespace: 'library',
        name: 'docker.io/library/alpine',
        familiarName: 'alpine',
        tag: '3.19',
        digest: undefined,
        familiar: 'alpine:3.19',
        canonical: 'docker.io/library/alpine:3.19',
        defaultsApplied: D(true, true, false),
      },
    ],
    [
      'docker.io/alpine',
      {
        registry: 'docker.io',
        path: 'library/alpine',
        namespace: 'library',
        name: 'docker.io/library/alpine',
        familiarName: 'alpine',
        tag: 'latest',
        digest: undefined,
        familiar: 'alpine:latest',
        canonical: 'docker.io/library/alpine:latest',
        defaultsApplied: D(false, true, true),
      },
    ],
    [
      'index.docker.io/library/alpine:edge',
      {
        registry: 'docker.io',
        path: 'library/alpine',
        namespace: 'library',
        name: 'docker.io/library/alpine',
        familiarName: 'alpine',
        tag: 'edge',
        digest: undefined,
        familiar: 'alpine:edge',
        canonical: 'docker.io/library/alpine:edge',
        defaultsApplied: D(false, false, false),
      },
    ],
    [
      'myorg/app',
      {
        registry: 'docker.io',
        path: 'myorg/app',
        namespace: 'myorg',
        name: 'docker.io/myorg/app',
        familiarName: 'myorg/app',
        tag: 'latest',
        digest: undefined,
        familiar: 'myorg/app:latest',
        canonical: 'docker.io/myorg/app:latest',
        defaultsApplied: D(true, false, true),
      },
    ],
    [
      'ghcr.io/owner/repo/sub:v1',
      {
        registry: 'ghcr.io',
        path: 'owner/repo/sub',
        namespace: 'owner/repo',
        name: 'ghcr.io/owner/repo/sub',
        familiarName: 'ghcr.io/owner/repo/sub',
        tag: 'v1',
        digest: undefined,
        familiar: 'ghcr.io/owner/repo/sub:v1',
        canonical: 'ghcr.io/owner/repo/sub:v1',
        defaultsApplied: D(false, false, false),
      },
    ],
    [
      'localhost/app',
      {
        registry: 'localhost',
        path: 'app',
        namespace: '',
        name: 'localhost/app',
        familiarName: 'localhost/app',
        tag: 'latest',
        digest: undefined,
        familiar: 'localhost/app:latest',
        canonical: 'localhost/app:latest',
        defaultsApplied: D(false, false, true),
      },
    ],
    [
      'localhost:5000/app:1',
      {
        registry: 'localhost:5000',
        path: 'app',
        namespace: '',
        name: 'localhost:5000/app',
        familiarName: 'localhost:5000/app',
        tag: '1',
        digest: undefined,
        familiar: 'localhost:5000/app:1',
        canonical: 'localhost:5000/app:1',
        defaultsApplied: D(false, false, false),
      },
    ],
    [
      `[::1]:5000/app@${DIGEST}`,
      {
        registry: '[::1]:5000',
        path: 'app',
        namespace: '',
        name: '[::1]:5000/app',
        familiarName: '[::1]:5000/app',
        tag: undefined,
        digest: DIGEST,
        familiar: `[::1]:5000/app@${DIGEST}`,
        canonical: `[::1]:5000/app@${DIGEST}`,
        defaultsApplied: D(false, false, false),
      },
    ],
    [
      `busybox:1.36@${DIGEST}`,
      {
        registry: 'docker.io',
        path: 'library/busybox',
        namespace: 'library',
        name: 'docker.io/library/busybox',
        familiarName: 'busybox',
        tag: '1.36',
        digest: DIGEST,
        familiar: `busybox:1.36@${DIGEST}`,
        canonical: `docker.io/library/busybox:1.36@${DIGEST}`,
        defaultsApplied: D(true, true, false),
      },
    ],
    [
      'LOCALDOMAIN/debian',
      {
        registry: 'LOCALDOMAIN',
        path: 'debian',
        namespace: '',
        name: 'LOCALDOMAIN/debian',
        familiarName: 'LOCALDOMAIN/debian',
        tag: 'latest',
        digest: undefined,
        familiar: 'LOCALDOMAIN/debian:latest',
        canonical: 'LOCALDOMAIN/debian:latest',
        defaultsApplied: D(false, false, true),
      },
    ],
    [
      // a bare domain-looking name is still a Docker Hub official image (upstream FIXME)
      'example.com',
      {
        registry: 'docker.io',
        path: 'library/example.com',
        namespace: 'library',
        name: 'docker.io/library/example.com',
        familiarName: 'example.com',
        tag: 'latest',
        digest: undefined,
        familiar: 'example.com:latest',
        canonical: 'docker.io/library/example.com:latest',
        defaultsApplied: D(true, true, true),
      },
    ],
    [
      'docker.io/library/foo/bar',
      {
        registry: 'docker.io',
        path: 'library/foo/bar',
        namespace: 'library/foo',
        name: 'docker.io/library/foo/bar',
        familiarName: 'library/foo/bar',
        tag: 'latest',
        digest: undefined,
        familiar: 'library/foo/bar:latest',
        canonical: 'docker.io/library/foo/bar:latest',
        defaultsApplied: D(false, false, true),
      },
    ],
  ])('%s', (input, expected) => {
    expect(parseImageReference(input)).toEqual({ input, ...expected });
    expect(tryParseImageReference(input)).toEqual({ ok: true, reference: { input, ...expected } });
  });
});

describe('familiarizeTag', () => {
  it.each([
    ['docker.io/library/busybox:latest', 'busybox:latest'],
    ['docker.io/myorg/app:1', 'myorg/app:1'],
    ['index.docker.io/library/ubuntu:22.04', 'ubuntu:22.04'],
    ['docker.io/library/foo/bar:1', 'library/foo/bar:1'],
    ['ghcr.io/o/r:t', 'ghcr.io/o/r:t'],
    ['localhost:5000/app:1', 'localhost:5000/app:1'],
    ['busybox', 'busybox'],
    ['busybox:latest', 'busybox:latest'],
    [`docker.io/library/busybox@${DIGEST}`, `busybox@${DIGEST}`],
    ['<none>:<none>', '<none>:<none>'],
    ['Not A Reference', 'Not A Reference'],
  ])('%s → %s', (input, expected) => {
    expect(familiarizeTag(input)).toBe(expected);
  });
});

describe('splitRepoTag', () => {
  it.each([
    ['busybox:latest', 'busybox', 'latest'],
    ['docker.io/library/busybox:latest', 'busybox', 'latest'],
    ['myorg/app:v1.2', 'myorg/app', 'v1.2'],
    ['localhost:5000/app:1', 'localhost:5000/app', '1'],
    ['localhost:5000/app', 'localhost:5000/app', '<none>'],
    ['[::1]:5000/app:v2', '[::1]:5000/app', 'v2'],
    ['ghcr.io/owner/repo/sub:v1', 'ghcr.io/owner/repo/sub', 'v1'],
    [`myorg/app@${DIGEST}`, 'myorg/app', '<none>'],
    [`myorg/app:1@${DIGEST}`, 'myorg/app', '1'],
    ['<none>:<none>', '<none>', '<none>'],
    // not a valid reference: split at the last ':' after the last '/'
    ['localhost:5000/App:1', 'localhost:5000/App', '1'],
    ['localhost:5000/App', 'localhost:5000/App', '<none>'],
    ['Weird Name:tag!', 'Weird Name', 'tag!'],
  ])('%s → %s + %s', (input, repository, tag) => {
    expect(splitRepoTag(input)).toEqual({ repository, tag });
  });
});

describe('isValidTag', () => {
  it.each([
    ['latest', true],
    ['v1.2.3-rc_1', true],
    ['_x', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['-x', false],
    ['.x', false],
    ['', false],
  ])('%s → %s', (tag, ok) => {
    expect(isValidTag(tag)).toBe(ok);
  });
});
