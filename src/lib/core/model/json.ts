/**
 * JSON documents read from an archive: parsed, then held to `LIMITS.jsonDepth`. V8's `JSON.parse`
 * itself takes any depth, but what comes after does not (the worker's structured clone, the
 * CLI's `JSON.stringify`, recursive views), so a document nested past the limit is refused here
 * with a message that says so, before anything else touches it.
 */
import { ArchiveError } from './errors';
import { LIMITS } from './limits';

/** How deep arrays and objects nest in `value` (a scalar is 0, `{}` is 1), stopping past `max`. */
export function jsonDepth(value: unknown, max = Infinity): number {
  // A loop with its own stack: a recursive walk would overflow on the very input it guards against.
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > max) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth]);
  }
  return deepest;
}

/**
 * `JSON.parse(text)` for a document named `what` ("manifest.json", "the image config …"):
 * `bad-json` when it does not parse, `limit` when it nests deeper than `LIMITS.jsonDepth`.
 */
export function parseArchiveJson<T = unknown>(text: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ArchiveError(
      'bad-json',
      `${what} is not valid JSON (${(e as Error).message}): the archive is damaged. Save it again.`,
    );
  }
  if (jsonDepth(value, LIMITS.jsonDepth) > LIMITS.jsonDepth)
    throw new ArchiveError(
      'limit',
      `${what} nests arrays and objects more than ${LIMITS.jsonDepth} levels deep, layerscope's limit for one document: real image documents nest at most 5. The archive was not written by an image tool; save the image again with \`docker save\`.`,
    );
  return value as T;
}
