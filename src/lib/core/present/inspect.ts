/**
 * The inspect documents: what `docker image inspect` prints for an image (the Inspect view, and
 * the CLI's `inspect --docker`), and the CLI's own `inspect --json` document (its shape is
 * documented in the README).
 */
import type { ArchiveModel, ImageInfo } from '../model/types';
import { goIndent, goJson, goMap, goTime, GoMap } from '../model/gojson';
import { imageSize, type ImageSet } from './sizes';

/** A config value as Go's `json.Unmarshal` finds it under a struct field (case-insensitive). */
function field(o: Readonly<Record<string, unknown>> | undefined, name: string): unknown {
  if (!o || typeof o !== 'object') return undefined;
  if (Object.hasOwn(o, name)) return o[name];
  const lower = name.toLowerCase();
  const k = Object.keys(o).find((k) => k.toLowerCase() === lower);
  return k === undefined ? undefined : o[k];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `[]string`: null or absent is nil (`null`), an array as it is. */
const strings = (v: unknown) => (Array.isArray(v) ? v : null);
/** moby `strslice.StrSlice`: also accepts a single string. */
const strSlice = (v: unknown) => (typeof v === 'string' ? [v] : strings(v));
/** A Go map (`map[string]…`): keys sorted; null or absent is nil. */
const map = (v: unknown, value: (x: unknown) => unknown = (x) => x) =>
  isObject(v) ? goMap(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x)]))) : null;
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const bool = (v: unknown) => v === true;
const omitEmpty = <T>(v: T): T | undefined =>
  v === '' ||
  v === false ||
  v === 0 ||
  v === null ||
  v === undefined ||
  (Array.isArray(v) && v.length === 0) ||
  (v instanceof GoMap && Object.keys(v.entries).length === 0)
    ? undefined
    : v;
const int = (v: unknown) => (typeof v === 'number' ? Math.trunc(v) : 0);

/**
 * moby `api/types/container.Config` as Docker 20.10 marshals it: every field in declaration
 * order with Go's zero value when the image's config lacks it (`"Hostname": ""`,
 * `"Volumes": null`, …), the `omitempty` ones left out when empty, maps with sorted keys.
 */
function containerConfig(c: Readonly<Record<string, unknown>> | undefined) {
  const hc = field(c, 'Healthcheck');
  return {
    Hostname: str(field(c, 'Hostname')),
    Domainname: str(field(c, 'Domainname')),
    User: str(field(c, 'User')),
    AttachStdin: bool(field(c, 'AttachStdin')),
    AttachStdout: bool(field(c, 'AttachStdout')),
    AttachStderr: bool(field(c, 'AttachStderr')),
    ExposedPorts: omitEmpty(map(field(c, 'ExposedPorts'), () => ({}))),
    Tty: bool(field(c, 'Tty')),
    OpenStdin: bool(field(c, 'OpenStdin')),
    StdinOnce: bool(field(c, 'StdinOnce')),
    Env: strings(field(c, 'Env')),
    Cmd: strSlice(field(c, 'Cmd')),
    Healthcheck: isObject(hc)
      ? {
          Test: omitEmpty(strings(field(hc, 'Test'))),
          Interval: omitEmpty(int(field(hc, 'Interval'))),
          Timeout: omitEmpty(int(field(hc, 'Timeout'))),
          StartPeriod: omitEmpty(int(field(hc, 'StartPeriod'))),
          Retries: omitEmpty(int(field(hc, 'Retries'))),
        }
      : undefined,
    ArgsEscaped: omitEmpty(bool(field(c, 'ArgsEscaped'))),
    Image: str(field(c, 'Image')),
    Volumes: map(field(c, 'Volumes'), () => ({})),
    WorkingDir: str(field(c, 'WorkingDir')),
    Entrypoint: strSlice(field(c, 'Entrypoint')),
    NetworkDisabled: omitEmpty(bool(field(c, 'NetworkDisabled'))),
    MacAddress: omitEmpty(str(field(c, 'MacAddress'))),
    OnBuild: strings(field(c, 'OnBuild')),
    Labels: map(field(c, 'Labels')),
    StopSignal: omitEmpty(str(field(c, 'StopSignal'))),
    StopTimeout:
      typeof field(c, 'StopTimeout') === 'number' ? int(field(c, 'StopTimeout')) : undefined,
    Shell: omitEmpty(strSlice(field(c, 'Shell'))),
  };
}

/**
 * What `docker image inspect IMAGE` prints (Docker 20.10's `types.ImageInspect`, in its order),
 * as after `docker load` of the archive; compared byte for byte with genuine Docker in
 * tests/unit/docker-genuine.test.ts.
 * - `Config` and `ContainerConfig` go through Go's `container.Config`: every field, zero values
 *   filled in (a BuildKit image's config has only the set ones); `Config` is `null` when the
 *   image config has none, `ContainerConfig` all zeros;
 * - `Comment` the config's, else the newest history entry's (moby image_inspect);
 * - `Parent` from manifest.json (saved with its parent), `RepoDigests` empty (a loaded image has
 *   none), `Size` and `VirtualSize` the layers' sizes ({@link imageSize});
 * - left out, because no archive holds them: `GraphDriver` (where the daemon's overlay2 keeps the
 *   layers on its disk) and `Metadata.LastTagTime` (when it was tagged on that daemon).
 * Docker 25 and later drop `Container`, `ContainerConfig`, `DockerVersion` when empty and
 * `VirtualSize` (API 1.44); this prints the 20.10 document, the one the corpus holds.
 *
 * Maps are {@link GoMap}s: print with {@link dockerImageInspectText}, or `JSON.parse` that.
 */
export function dockerImageInspect(set: ImageSet, image: ImageInfo) {
  const raw = image.config as Readonly<Record<string, unknown>>;
  const configComment = str(raw.comment);
  const size = imageSize(set, image).bytes;
  const rawConfig = field(raw, 'config');
  const containerCfg = field(raw, 'container_config');
  return [
    {
      Id: image.id,
      RepoTags: image.repoTags,
      RepoDigests: [] as string[],
      Parent: image.parentId ?? '',
      Comment: configComment || (image.history.at(-1)?.comment ?? ''),
      Created: goTime(str(raw.created) || '0001-01-01T00:00:00Z'),
      Container: str(raw.container),
      ContainerConfig: containerConfig(isObject(containerCfg) ? containerCfg : undefined),
      DockerVersion: str(raw.docker_version),
      Author: str(raw.author),
      Config: isObject(rawConfig) ? containerConfig(rawConfig) : null,
      Architecture: str(raw.architecture),
      Variant: omitEmpty(str(raw.variant)),
      Os: str(raw.os),
      OsVersion: omitEmpty(str(raw['os.version'])),
      Size: size,
      VirtualSize: size,
      RootFS: {
        Type: str(image.config.rootfs?.type),
        Layers: omitEmpty(image.diffIds),
      },
    },
  ];
}

const UNESCAPED: Record<string, string> = { u003c: '<', u003e: '>', u0026: '&' };

/**
 * The text `docker image inspect IMAGE` prints: Go's JSON without HTML escaping (`<`, `>`, `&`
 * as they are: the daemon's encoder has `SetEscapeHTML(false)`), indented by 4 spaces, and `\n`.
 */
export function dockerImageInspectText(set: ImageSet, image: ImageInfo): string {
  const json = goJson(dockerImageInspect(set, image)).replace(
    /\\(u[0-9a-f]{4}|[^u])/g,
    (all, seq: string) => UNESCAPED[seq] ?? all,
  );
  return goIndent(json, '    ') + '\n';
}

/** The CLI's `inspect --json` document: every image, layer and check of the archive. */
export function inspectDocument(model: ArchiveModel) {
  return {
    format: model.kind,
    formatLabel: model.kindLabel,
    outerCompression: model.outerCompression,
    images: model.images.map((image) => ({
      id: image.id,
      repoTags: image.repoTags,
      created: image.created ?? null,
      architecture: image.platform.architecture,
      os: image.platform.os,
      ...(image.platform.variant ? { variant: image.platform.variant } : {}),
      size: imageSize(model, image).bytes,
      manifestDigest: image.manifestDoc?.digest ?? null,
      config: image.config,
      layers: image.layerKeys.map((key) => {
        const l = model.layers[key]!;
        return {
          digest: l.digest ?? null,
          diffId: l.diffId ?? null,
          mediaType: l.mediaType ?? null,
          compression: l.compression,
          present: l.present,
          storedSize: l.storedSize,
          uncompressedSize: l.stats?.uncompressedSize ?? null,
          entries: l.stats?.entries ?? null,
          whiteouts: l.stats?.whiteouts ?? null,
          opaqueWhiteouts: l.stats?.opaqueWhiteouts ?? null,
          contentSize: l.stats?.contentSize ?? null,
          digestVerified: l.digestState === 'verified',
          diffIdVerified: l.diffIdState === 'verified',
          ...(l.computedDigest ? { computedDigest: l.computedDigest } : {}),
          ...(l.computedDiffId ? { computedDiffId: l.computedDiffId } : {}),
        };
      }),
      history: image.history.map((h) => ({
        created: h.created ?? null,
        createdBy: h.createdBy,
        comment: h.comment,
        emptyLayer: h.emptyLayer,
        layerIndex: h.layerIndex ?? null,
      })),
      chainIds: image.chainIds,
    })),
    absentManifests: model.absentManifests,
    warnings: model.warnings,
  };
}
