/**
 * What `docker run` prints when the daemon refuses to create the container.
 *
 * Followed (reimplemented, not copied), docker/cli 20.10 `cli/command/container/run.go`: a
 * failed create goes to `reportError(stderr, "run", err.Error(), true)`, which ends the message
 * with one period, adds `See 'docker run --help'.` and prefixes `docker: `; the client's error is
 * `Error response from daemon: <the daemon's message>`.
 */
import type { ContainerConfigError } from '../container/types';

/** The lines `docker run` writes to stderr for a refusal of the daemon, with their newline. */
export function dockerRunRefusal(e: Pick<ContainerConfigError, 'message'>): string {
  const message = `Error response from daemon: ${e.message}`.replace(/\.$/, '') + '.';
  return `docker: ${message}\nSee 'docker run --help'.\n`;
}
