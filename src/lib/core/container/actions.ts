/**
 * The container actions by name: what a lesson step (`action.container`) and the container state's
 * `run` can ask of the simulation. The one list: the lesson format and the state take it from here.
 */

/** Each action, and whether it acts on one path of the container (`edit /etc/app.conf`). */
const ACTIONS = {
  /** `docker run IMAGE`: a new container with an empty writable layer. */
  start: { path: false },
  /** Writes a file: the text it has plus one line, copied up first when it comes from the image. */
  edit: { path: true },
  /** `rm` / `rm -r`: a whiteout when the image has the path. */
  delete: { path: true },
  /** `rm -r DIR && mkdir DIR`: the new directory is opaque. */
  'recreate-dir': { path: true },
  /** `docker diff`: changes nothing. */
  diff: { path: false },
  /** `docker commit`: a new image from the container. */
  commit: { path: false },
} as const satisfies Record<string, { path: boolean }>;

export type ContainerAction = keyof typeof ACTIONS;

/** Every action, in the order a container lives through them. */
export const CONTAINER_ACTIONS = Object.keys(ACTIONS) as ContainerAction[];

export function isContainerAction(v: unknown): v is ContainerAction {
  return typeof v === 'string' && Object.hasOwn(ACTIONS, v);
}

/** True for the actions that need a path (`edit`, `delete`, `recreate-dir`). */
export function actionTakesPath(a: ContainerAction): boolean {
  return ACTIONS[a].path;
}
