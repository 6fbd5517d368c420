/**
 * Every failure the engine reports to a user. `message` says what the file is and what to do; the
 * app and the CLI show it as is (the CLI as `error: <message>`), so both speak with one voice.
 */
export type ArchiveErrorCode =
  | 'empty'
  | 'not-tar'
  | 'zip'
  | 'compressed-not-tar'
  | 'unsupported-compression'
  | 'lone-manifest'
  | 'registry-manifest'
  | 'filesystem-export'
  | 'single-layer'
  | 'docker-dir'
  | 'pre-1.10'
  | 'incomplete-oci'
  | 'no-image'
  | 'no-images'
  | 'null-manifest'
  | 'oci-no-image'
  | 'truncated'
  | 'corrupt'
  | 'missing-config'
  | 'missing-layer'
  | 'layer-count'
  | 'bad-json'
  | 'limit'
  /** A file or a save asked of a host (the worker) that has no archive open. */
  | 'no-archive'
  | 'cancelled';

export class ArchiveError extends Error {
  constructor(
    readonly code: ArchiveErrorCode,
    message: string,
    /** Extra facts for the error panel (top-level entries seen, offsets...). Untrusted text. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'ArchiveError';
  }
}

export function isAbort(e: unknown): boolean {
  return (
    (e instanceof Error || (typeof e === 'object' && e !== null)) &&
    (e as { name?: string }).name === 'AbortError'
  );
}
