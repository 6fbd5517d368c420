/**
 * The simulated containers of one opened archive (issue 5): `docker run`, file changes in the
 * writable layer, `docker diff`, `docker commit`, `docker rm`, kept in IndexedDB.
 *
 * The core `Container` is a mutable object outside Svelte. The views never hold one: `list` holds
 * a `ContainerFacts` per container (its `docker ps` line, `docker diff`, events and writable
 * layer), taken after each change and replaced by new facts after the next one, in `$state.raw`.
 * Whatever a view derives from the facts it got from here follows every change, with nothing
 * else to read or to forget. Every method that changes something returns normally or throws a
 * `ContainerFsError` / `ContainerConfigError` with the message a real container would give;
 * `apply` catches it into `error` for the view.
 *
 * The lesson runner drives it through `run(action, …)` (the actions: core/container/actions.ts).
 */
import {
  Container,
  ContainerConfigError,
  ContainerFsError,
  actionTakesPath,
  commitContainer,
  dockerDiff,
  lowerFromOverlay,
  type ContainerAction,
  type ContainerEvent,
  type DockerDiff,
  type LowerFs,
  type UpperEntry,
} from '../core/container';
import type { ImageInfo } from '../core/model/types';
import { recentId } from '../persistence/recent';
import { deleteContainer, loadArchive, putCommit, putContainer } from '../persistence/containers';
import type { Session } from './session.svelte';

/** What the containers need of their session (one `Session`, state/session.svelte.ts). */
export type ContainerHost = Pick<
  Session,
  'source' | 'model' | 'overlayNow' | 'addImage' | 'readFile'
>;

/**
 * One container as the views see it after its last change: never changed, replaced by new facts
 * after every change to the container. `live` is the simulation itself, for what is read on
 * demand (the merged tree as directories open, a file's bytes): reach it only through the facts
 * the state gives, so whatever reads it also follows their replacement.
 */
export interface ContainerFacts {
  readonly live: Container;
  readonly id: string;
  /** The 12-hex ID `docker ps` shows. */
  readonly shortId: string;
  readonly name: string;
  /** RFC 3339. */
  readonly created: string;
  /** What `docker run` was given. */
  readonly imageRef: string;
  readonly image: ImageInfo;
  /** `docker diff` (path order as Docker's), and the tree's marks by path. */
  readonly diff: DockerDiff;
  /** Every operation so far, oldest first. */
  readonly events: readonly ContainerEvent[];
  /** The writable layer, depth first, children in byte order (a committed tar's order). */
  readonly upper: readonly { readonly path: string; readonly entry: UpperEntry }[];
  /** When these facts were taken (ms since the epoch). */
  readonly at: number;
}

function factsOf(c: Container): ContainerFacts {
  return Object.freeze({
    live: c,
    id: c.id,
    shortId: c.shortId,
    name: c.name,
    created: c.created,
    imageRef: c.imageRef,
    image: c.image,
    diff: dockerDiff(c),
    events: Object.freeze([...c.events]),
    upper: Object.freeze(c.upperEntries()),
    at: Date.now(),
  });
}

export interface RunOptions {
  /** The image to `start` from (default: the image of the current container, else image 0). */
  image?: ImageInfo;
  /** For `edit`, `delete`, `recreate-dir`: a container path, with or without the leading `/`. */
  path?: string;
  /** For `edit`: the new text (default: the current text plus one line). */
  text?: string;
}

export interface CommitForm {
  repo?: string;
  tag?: string;
  message?: string;
  author?: string;
}

/** A text file bigger than this is not opened in the editor. */
export const EDIT_MAX_BYTES = 256 * 1024;

export type TextContent =
  { kind: 'text'; text: string; size: number } | { kind: 'binary' | 'too-big'; size: number };

const utf8 = new TextEncoder();

/** The repository part of `repo:tag` (`localhost/app:1.0` → `localhost/app`). */
function repositoryOf(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const at = tag.indexOf('@');
  const name = at < 0 ? tag : tag.slice(0, at);
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

export class ContainersState {
  readonly #session: ContainerHost;
  /** Every container of the archive, oldest first; the array and the changed facts are new after each change. */
  list = $state.raw<readonly ContainerFacts[]>([]);
  /** The container the view shows (and lesson operations act on). */
  currentId = $state<string | undefined>();
  /** The image made by the last commit, and the container it came from. */
  lastCommit = $state.raw<{ imageId: string; container: string } | undefined>();
  /** The last failed operation, as a shell would print it (cleared by the next success). */
  error = $state<string | undefined>();
  /** False once IndexedDB refused to keep something: the view says changes will not survive. */
  persisted = $state(true);
  /** True once the stored containers of this archive were read (tests wait on it). */
  loaded = $state(false);
  /** The panel the view brings into sight (a lesson's `diff` / `commit`). */
  focus = $state<'diff' | 'commit' | undefined>();
  busy = $state(false);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache of built filesystems
  readonly #lowers = new Map<string, LowerFs>();
  /** Storage writes in order, so a `docker rm` is never undone by a put still in flight. */
  #writes: Promise<unknown> = Promise.resolve();

  constructor(session: ContainerHost) {
    this.#session = session;
  }

  /** The archive's identity for storage: what the recent list calls it. */
  get archiveKey(): string {
    const s = this.#session.source;
    if (s.sampleId) return `sample:${s.sampleId}`;
    const lastModified = s.file instanceof File ? s.file.lastModified : 0;
    return recentId(s.fileName, s.file.size, lastModified);
  }

  get current(): ContainerFacts | undefined {
    return this.list.find((c) => c.id === this.currentId);
  }

  /** The containers started from an image, oldest first. */
  forImage(image: ImageInfo): ContainerFacts[] {
    return this.list.filter((c) => c.image.id === image.id);
  }

  /** The container shown for an image: the current one if it is of this image, else its last. */
  currentFor(image: ImageInfo): ContainerFacts | undefined {
    const cur = this.current;
    if (cur && cur.image.id === image.id) return cur;
    return this.forImage(image).at(-1);
  }

  get lastCommitImage(): ImageInfo | undefined {
    const id = this.lastCommit?.imageId;
    return id ? this.#session.model?.images.find((i) => i.id === id) : undefined;
  }

  /** The image's read-only part, shared by all its containers. */
  lower(image: ImageInfo): LowerFs {
    let l = this.#lowers.get(image.id);
    if (!l) {
      const overlay = this.#session.overlayNow(image);
      if (!overlay) throw new ContainerConfigError('The image is not indexed yet.');
      l = lowerFromOverlay(overlay, image.layerKeys);
      this.#lowers.set(image.id, l);
    }
    return l;
  }

  /** Reattaches what was kept for this archive: committed images first, then containers. */
  async load(): Promise<void> {
    const kept = await loadArchive(this.archiveKey);
    const session = this.#session;
    for (const c of kept.commits) {
      const base = session.model?.images.find((i) => i.id === c.image.parentId);
      if (base) session.addImage(c.image, c.layer);
    }
    const restored: ContainerFacts[] = [];
    for (const k of kept.containers) {
      if (this.list.some((c) => c.id === k.id)) continue;
      const image = session.model?.images.find((i) => i.id === k.state.image.id);
      if (!image) continue;
      try {
        restored.push(factsOf(Container.restore(k.state, { image, lower: this.lower(image) })));
      } catch {
        // A record this version cannot use: left in storage, not shown.
      }
    }
    if (restored.length) {
      this.list = [...restored, ...this.list];
      this.currentId ??= restored.at(-1)!.id;
    }
    this.loaded = true;
  }

  /** `docker run IMAGE`: a new container with an empty writable layer; it becomes current. */
  start(image: ImageInfo, opts: { name?: string } = {}): ContainerFacts {
    const c = Container.create({
      image,
      lower: this.lower(image),
      name: opts.name,
      takenNames: this.list.map((x) => x.name),
    });
    const facts = factsOf(c);
    this.list = [...this.list, facts];
    this.currentId = c.id;
    this.error = undefined;
    void this.#persist(c);
    return facts;
  }

  select(id: string): void {
    this.currentId = id;
  }

  /** `docker rm`: the container and its writable layer are gone; the image is untouched. */
  async remove(id: string): Promise<void> {
    this.list = this.list.filter((c) => c.id !== id);
    if (this.currentId === id) this.currentId = this.list.at(-1)?.id;
    if (!(await this.#write(() => deleteContainer(id)))) this.persisted = false;
  }

  /**
   * Runs a file operation on a container (default: the current one). A failure is kept in
   * `error` and rethrown, so a caller can tell.
   */
  apply(fn: (c: Container) => void, on?: ContainerFacts): ContainerFacts {
    const c = (on ?? this.current)?.live;
    if (!c) throw new ContainerConfigError('No container is running: start one first.');
    try {
      fn(c);
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      // What a failed operation did before it failed is shown too.
      this.#changed(c);
      throw e;
    }
    this.error = undefined;
    const facts = this.#changed(c);
    void this.#persist(c);
    return facts;
  }

  createFile(path: string, text: string, on?: ContainerFacts): void {
    this.apply((c) => c.createFile(path, utf8.encode(text)), on);
  }

  writeText(path: string, text: string, on?: ContainerFacts): void {
    if (utf8.encode(text).length > EDIT_MAX_BYTES)
      throw new RangeError(`The editor keeps files up to ${EDIT_MAX_BYTES} bytes.`);
    this.apply((c) => c.writeFile(path, utf8.encode(text)), on);
  }

  mkdir(path: string, on?: ContainerFacts): void {
    this.apply((c) => c.mkdir(path), on);
  }

  /** `rm` (files) or `rm -r` (directories). */
  delete(path: string, on?: ContainerFacts): void {
    this.apply((c) => {
      const dir = c.stat(path).type === 'dir';
      c.remove(path, { recursive: dir });
    }, on);
  }

  /** `rmdir`: only an empty directory. */
  rmdir(path: string, on?: ContainerFacts): void {
    this.apply((c) => c.rmdir(path), on);
  }

  /** `mv FROM TO`: rename(2), or mv's copy-and-delete for a directory from the image. */
  rename(from: string, to: string, on?: ContainerFacts): void {
    this.apply((c) => c.move(from, to), on);
  }

  /** `rm -r DIR && mkdir DIR`: the new directory is opaque. */
  recreateDir(path: string, on?: ContainerFacts): void {
    this.apply((c) => {
      c.remove(path, { recursive: true });
      c.mkdir(path);
    }, on);
  }

  /** A file's text as the container sees it (from the writable layer or an image layer). */
  async readText(path: string, on?: ContainerFacts): Promise<TextContent> {
    const c = (on ?? this.current)?.live;
    if (!c) throw new ContainerConfigError('No container is running.');
    const content = c.readFile(path);
    const size = content.kind === 'bytes' ? content.data.length : content.file.size;
    if (size > EDIT_MAX_BYTES) return { kind: 'too-big', size };
    const bytes =
      content.kind === 'bytes'
        ? content.data
        : await this.#session.readFile(content.file.layerKey, content.file, size);
    if (bytes.includes(0)) return { kind: 'binary', size };
    try {
      return { kind: 'text', text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), size };
    } catch {
      return { kind: 'binary', size };
    }
  }

  /** An edit as a lesson makes it: the current text and one more line, saved. */
  async edit(path: string, text?: string, on?: ContainerFacts): Promise<void> {
    const c = on ?? this.current;
    if (!c) throw new ContainerConfigError('No container is running: start one first.');
    let next = text;
    if (next === undefined) {
      const now = await this.readText(path, c);
      const before = now.kind === 'text' ? now.text : '';
      const sep = before === '' || before.endsWith('\n') ? '' : '\n';
      next = `${before}${sep}# edited in container ${c.name}\n`;
    }
    this.writeText(path, next, c);
  }

  /** Default `docker commit` arguments: the image's repository, tagged with the container name. */
  commitDefaults(c: ContainerFacts): Required<CommitForm> {
    return {
      repo: repositoryOf(c.image.repoTags[0]) ?? 'committed',
      tag: c.name.replace(/[^\w.-]/g, '-').slice(0, 128),
      message: '',
      author: '',
    };
  }

  /** `docker commit`: a new image beside the original, in every view; it is kept too. */
  async commit(form: CommitForm = {}, on?: ContainerFacts): Promise<ImageInfo> {
    const c = on ?? this.current;
    if (!c) throw new ContainerConfigError('No container is running: start one first.');
    const session = this.#session;
    this.busy = true;
    try {
      const defaults = this.commitDefaults(c);
      const r = await commitContainer(c.live, {
        repo: form.repo?.trim() || defaults.repo,
        tag: form.tag?.trim() || (form.repo?.trim() ? undefined : defaults.tag),
        message: form.message?.trim() || undefined,
        author: form.author?.trim() || undefined,
        readLower: (f) => session.readFile(f.layerKey, f, f.size),
      });
      const image = session.addImage(r.image, r.layer);
      this.lastCommit = { imageId: image.id, container: c.id };
      this.error = undefined;
      const stored = await this.#write(() =>
        putCommit({
          key: `${this.archiveKey}\u0000${image.id}`,
          archive: this.archiveKey,
          savedAt: Date.now(),
          image: { ...r.image },
          layer: r.layer && {
            key: r.layer.key,
            diffId: r.layer.diffId,
            tar: r.layer.tar,
            entries: r.layer.entries,
            info: r.layer.info,
          },
        }),
      );
      if (!stored) this.persisted = false;
      return image;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      throw e;
    } finally {
      this.busy = false;
    }
  }

  /**
   * The lesson runner's entry point: `start` a container from `opts.image`; the other actions
   * act on the current container (`edit`, `delete`, `recreate-dir` need `opts.path`).
   */
  async run(action: ContainerAction, opts: RunOptions = {}): Promise<void> {
    const path = opts.path ?? '';
    if (actionTakesPath(action) && !path)
      throw new ContainerFsError('EINVAL', 'stat', '', `${action} needs a path`);
    switch (action) {
      case 'start': {
        const image = opts.image ?? this.current?.image ?? this.#session.model?.images[0];
        if (!image) throw new ContainerConfigError('No image to start a container from.');
        this.start(image);
        this.focus = undefined;
        return;
      }
      case 'edit':
        return this.edit(path, opts.text);
      case 'delete':
        return this.delete(path);
      case 'recreate-dir':
        return this.recreateDir(path);
      case 'diff':
        this.focus = 'diff';
        return;
      case 'commit':
        this.focus = 'commit';
        await this.commit();
        return;
    }
  }

  /** New facts for a container that changed, in place of its old ones. */
  #changed(c: Container): ContainerFacts {
    const facts = factsOf(c);
    this.list = this.list.map((f) => (f.live === c ? facts : f));
    return facts;
  }

  #write(fn: () => Promise<boolean>): Promise<boolean> {
    const next = this.#writes.then(fn, fn);
    this.#writes = next;
    return next;
  }

  async #persist(c: Container): Promise<void> {
    const state = c.snapshot();
    const ok = await this.#write(() =>
      // Removed meanwhile: nothing to keep.
      this.list.some((f) => f.live === c)
        ? putContainer({
            id: c.id,
            archive: this.archiveKey,
            savedAt: Date.parse(c.created) || Date.now(),
            state,
          })
        : Promise.resolve(true),
    );
    if (!ok) this.persisted = false;
  }
}
