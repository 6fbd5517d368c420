export { Container, normalise, type ContainerEnv, type CreateContainerOptions } from './container';
export {
  EMPTY_LOWER,
  lowerFileReader,
  lowerFromOverlay,
  type LowerFs,
  type LowerInode,
  type LowerNode,
  type LowerReader,
} from './lower';
export {
  dockerDiff,
  type DiffChange,
  type DiffKind,
  type DiffOptions,
  type DockerDiff,
} from './diff';
export {
  commitContainer,
  commitReference,
  writableLayerTar,
  EMPTY_TAR_DIFF_ID,
  type CommitOptions,
  type CommitResult,
  type CommittedLayer,
} from './commit';
export { containerListing } from './listing';
export {
  CONTAINER_ACTIONS,
  actionTakesPath,
  isContainerAction,
  type ContainerAction,
} from './actions';
export { randomId, randomName, uniqueName, NAME_WORDS } from './names';
export * from './types';
