/**
 * Image references parsed and normalized the way Docker does it.
 *
 * Followed (reimplemented, not copied), distribution/reference v0.6 (the version docker/cli
 * vendors; unchanged on main):
 * - `regexp.go`: the grammar (domain, path components, tag, digest, 64-hex identifier);
 * - `reference.go`: `Parse` (errors `invalid reference format`, `repository name must be
 *   lowercase`, `repository name must have at least one component`, `repository name must not be
 *   more than 255 characters`), `String` forms;
 * - `normalize.go`: `ParseNormalizedNamed` / `splitDockerDomain` (default domain `docker.io`,
 *   `library/` for single-component Docker Hub names, `index.docker.io` → `docker.io`, a first
 *   component is a domain when it is `localhost`, contains `.` or `:`, or has uppercase letters),
 *   `TagNameOnly` (`latest` only when there is neither tag nor digest), `familiarizeName`;
 * - `helpers.go`: `FamiliarName`, `FamiliarString`;
 * - opencontainers/go-digest v1.0.0 `digest.go` / `algorithm.go`: digest validation (`sha256`,
 *   `sha384`, `sha512` are available in the docker CLI; errors `invalid checksum digest format`,
 *   `invalid checksum digest length`, `unsupported digest algorithm`).
 */

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

// --- grammar (regexp.go) ---------------------------------------------------------------------
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = host + optionalPort;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const referenceRegexp = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;
const anchoredTagRegexp = new RegExp(`^${tagPat}$`);
/** go-digest `DigestRegexpAnchored`. */
const goDigestRegexp = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** Hex length of the digest algorithms the docker CLI has available. */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** An invalid reference; `message` is distribution/reference's (or go-digest's) error text. */
export class InvalidReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReferenceError';
  }
}

export const ERR_REFERENCE_INVALID_FORMAT = 'invalid reference format';
export const ERR_NAME_CONTAINS_UPPERCASE = 'repository name must be lowercase';
export const ERR_NAME_EMPTY = 'repository name must have at least one component';
export const ERR_NAME_TOO_LONG = `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`;
export const ERR_DIGEST_INVALID_FORMAT = 'invalid checksum digest format';
export const ERR_DIGEST_INVALID_LENGTH = 'invalid checksum digest length';
export const ERR_DIGEST_UNSUPPORTED = 'unsupported digest algorithm';

/** A syntactically valid reference, not normalized (distribution's `Parse`). */
export interface ParsedReference {
  /** `''` when the name has no domain part. */
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

/** go-digest v1.0.0 `Digest.Validate`. Throws {@link InvalidReferenceError}. */
export function validateDigest(digest: string): void {
  const i = digest.indexOf(':');
  if (i <= 0 || i + 1 === digest.length) throw new InvalidReferenceError(ERR_DIGEST_INVALID_FORMAT);
  const algorithm = digest.slice(0, i);
  const encoded = digest.slice(i + 1);
  const size = Object.hasOwn(DIGEST_HEX_LENGTH, algorithm) ? DIGEST_HEX_LENGTH[algorithm] : 0;
  if (!size) {
    throw new InvalidReferenceError(
      goDigestRegexp.test(digest) ? ERR_DIGEST_UNSUPPORTED : ERR_DIGEST_INVALID_FORMAT,
    );
  }
  if (encoded.length !== size) throw new InvalidReferenceError(ERR_DIGEST_INVALID_LENGTH);
  if (!/^[a-f0-9]+$/.test(encoded)) throw new InvalidReferenceError(ERR_DIGEST_INVALID_FORMAT);
}

/** distribution's `Parse`: checks the syntax only (no default domain, path or tag). */
export function parseReferenceStrict(s: string): ParsedReference {
  if (s === '') throw new InvalidReferenceError(ERR_NAME_EMPTY);
  const m = referenceRegexp.exec(s);
  if (!m) {
    const lower = s.toLowerCase();
    if (lower !== s && referenceRegexp.test(lower)) {
      throw new InvalidReferenceError(ERR_NAME_CONTAINS_UPPERCASE);
    }
    throw new InvalidReferenceError(ERR_REFERENCE_INVALID_FORMAT);
  }
  const name = m[1]!;
  const nm = anchoredNameRegexp.exec(name);
  const domain = nm ? (nm[1] ?? '') : '';
  const path = nm ? nm[2]! : name;
  if (path.length > NAME_TOTAL_LENGTH_MAX) throw new InvalidReferenceError(ERR_NAME_TOO_LONG);
  const out: ParsedReference = { domain, path };
  if (m[2]) out.tag = m[2];
  if (m[3]) {
    validateDigest(m[3]);
    out.digest = m[3];
  }
  return out;
}

/** `splitDockerDomain` of normalize.go, also telling which defaults it applied. */
function splitDockerDomain(name: string): {
  domain: string;
  remainder: string;
  defaultDomain: boolean;
  defaultNamespace: boolean;
} {
  const slash = name.indexOf('/');
  if (slash < 0) {
    // A single element ("ubuntu", "ubuntu:latest") is always a Docker Hub official image.
    return {
      domain: DEFAULT_DOMAIN,
      remainder: OFFICIAL_REPO_PREFIX + name,
      defaultDomain: true,
      defaultNamespace: true,
    };
  }
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  let defaultDomain = false;
  if (maybeDomain === 'localhost') {
    [domain, remainder] = [maybeDomain, maybeRemote];
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    [domain, remainder] = [DEFAULT_DOMAIN, maybeRemote];
  } else if (/[.:]/.test(maybeDomain) || maybeDomain.toLowerCase() !== maybeDomain) {
    [domain, remainder] = [maybeDomain, maybeRemote];
  } else {
    [domain, remainder, defaultDomain] = [DEFAULT_DOMAIN, name, true];
  }
  let defaultNamespace = false;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) {
    remainder = OFFICIAL_REPO_PREFIX + remainder;
    defaultNamespace = true;
  }
  return { domain, remainder, defaultDomain, defaultNamespace };
}

/** distribution's `ParseNormalizedNamed`: the fully qualified reference, without default tag. */
export function parseNormalizedNamed(s: string): ParsedReference {
  if (anchoredIdentifierRegexp.test(s)) {
    throw new InvalidReferenceError(
      `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  const { domain, remainder } = splitDockerDomain(s);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw new InvalidReferenceError(
      `${ERR_REFERENCE_INVALID_FORMAT}: repository name (${remote}) must be lowercase`,
    );
  }
  return parseReferenceStrict(`${domain}/${remainder}`);
}

/** `Name()`: domain and path. */
export function referenceName(ref: ParsedReference): string {
  return ref.domain ? `${ref.domain}/${ref.path}` : ref.path;
}

/** `String()`: `name[:tag][@digest]`. */
export function referenceString(ref: ParsedReference): string {
  let s = referenceName(ref);
  if (ref.tag) s += `:${ref.tag}`;
  if (ref.digest) s += `@${ref.digest}`;
  return s;
}

/** `familiarizeName`: drops `docker.io/` and, for a single remaining component, `library/`. */
export function familiarize(ref: ParsedReference): ParsedReference {
  if (ref.domain !== DEFAULT_DOMAIN) return ref;
  let path = ref.path;
  if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) path = rest;
  }
  return { ...ref, domain: '', path };
}

/** `FamiliarName`. */
export function familiarName(ref: ParsedReference): string {
  return referenceName(familiarize(ref));
}

/** `FamiliarString`. */
export function familiarString(ref: ParsedReference): string {
  return referenceString(familiarize(ref));
}

/** `TagNameOnly`: adds `latest` when there is neither a tag nor a digest. */
export function tagNameOnly(ref: ParsedReference): ParsedReference {
  return ref.tag || ref.digest ? ref : { ...ref, tag: DEFAULT_TAG };
}

/** A reference as Docker understands it, with the defaults it fills in. */
export interface ImageReference {
  input: string;
  /** The registry domain (with port): `docker.io`, `localhost:5000`, `[::1]:5000`, `ghcr.io`. */
  registry: string;
  /** The repository path on the registry: `library/alpine`, `myorg/team/app`. */
  path: string;
  /** The path without its last component: `library`, `myorg/team`, or `''` (`localhost/app`). */
  namespace: string;
  /** `registry/path`: `docker.io/library/alpine`. */
  name: string;
  /** `FamiliarName`: `alpine`, `myorg/app`, `localhost:5000/app`. */
  familiarName: string;
  /** The tag given, or `latest` when neither a tag nor a digest was given. */
  tag: string | undefined;
  digest: string | undefined;
  /** `FamiliarString` with the default tag: `alpine:latest`. */
  familiar: string;
  /** Fully qualified, with the default tag: `docker.io/library/alpine:latest`. */
  canonical: string;
  /** Which parts Docker's normalization supplied rather than the input. */
  defaultsApplied: { registry: boolean; namespace: boolean; tag: boolean };
}

/**
 * Parses an image reference the way `docker pull` / `docker tag` do (`ParseNormalizedNamed`, then
 * `TagNameOnly`). Throws {@link InvalidReferenceError} with distribution's message.
 */
export function parseImageReference(input: string): ImageReference {
  const parsed = parseNormalizedNamed(input);
  const split = splitDockerDomain(input);
  const full = tagNameOnly(parsed);
  const lastSlash = parsed.path.lastIndexOf('/');
  return {
    input,
    registry: parsed.domain,
    path: parsed.path,
    namespace: lastSlash >= 0 ? parsed.path.slice(0, lastSlash) : '',
    name: referenceName(parsed),
    familiarName: familiarName(parsed),
    tag: full.tag,
    digest: full.digest,
    familiar: familiarString(full),
    canonical: referenceString(full),
    defaultsApplied: {
      registry: split.defaultDomain,
      namespace: split.defaultNamespace,
      tag: full !== parsed,
    },
  };
}

/** {@link parseImageReference} without throwing. */
export function tryParseImageReference(
  input: string,
): { ok: true; reference: ImageReference } | { ok: false; error: string } {
  try {
    return { ok: true, reference: parseImageReference(input) };
  } catch (e) {
    if (e instanceof InvalidReferenceError) return { ok: false, error: e.message };
    throw e;
  }
}

/**
 * The familiar form of a repo tag, as the daemon reports `RepoTags`:
 * `docker.io/library/busybox:latest` → `busybox:latest`. Unparseable input is returned unchanged.
 */
export function familiarizeTag(repoTag: string): string {
  try {
    return familiarString(parseNormalizedNamed(repoTag));
  } catch (e) {
    if (e instanceof InvalidReferenceError) return repoTag;
    throw e;
  }
}

/**
 * The REPOSITORY and TAG columns of `docker image ls` for one repo tag: the familiar name and the
 * tag (`<none>` when there is none). `localhost:5000/app:1` → `localhost:5000/app` + `1`. Input
 * Docker cannot parse is split at the last `:` after the last `/` (any `@digest` dropped).
 */
export function splitRepoTag(repoTag: string): { repository: string; tag: string } {
  if (repoTag === '<none>:<none>') return { repository: '<none>', tag: '<none>' };
  try {
    const ref = parseNormalizedNamed(repoTag);
    return { repository: familiarName(ref), tag: ref.tag ?? '<none>' };
  } catch (e) {
    if (!(e instanceof InvalidReferenceError)) throw e;
  }
  const at = repoTag.indexOf('@');
  const s = at >= 0 ? repoTag.slice(0, at) : repoTag;
  const colon = s.lastIndexOf(':');
  if (colon > s.lastIndexOf('/')) return { repository: s.slice(0, colon), tag: s.slice(colon + 1) };
  return { repository: s, tag: '<none>' };
}

/** True when `tag` is a valid tag (`[\w][\w.-]{0,127}`). */
export function isValidTag(tag: string): boolean {
  return anchoredTagRegexp.test(tag);
}
