import { splitRepoTag as coreSplit } from '../../core/reference/reference';

/** `docker image ls` REPOSITORY and TAG; an untagged image shows `<none>` in both. */
export function splitRepoTag(ref: string | undefined): { repository: string; tag: string } {
  return ref ? coreSplit(ref) : { repository: '<none>', tag: '<none>' };
}
