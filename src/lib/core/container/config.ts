/**
 * The container's `Config` as Docker builds it: what the CLI sends for `docker run`, merged with
 * the image's config (moby daemon/commit.go `merge`, called by daemon/create.go
 * `mergeAndVerifyConfig` and again by `docker commit`), `--change` instructions applied as
 * `docker commit -c` does (daemon/builder/dockerfile `BuildFromConfig`), and written as Go's
 * encoding/json writes moby's api/types/container `Config` struct.
 */
import type { ImageConfig } from '../model/types';
import { goMap } from '../model/gojson';
import type { DockerContainerConfig } from './types';

type ImageRunConfig = NonNullable<ImageConfig['config']>;

function strings(v: unknown): string[] | null {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null;
}

function record<T>(v: unknown): Record<string, T> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, T>) } : null;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * What the docker CLI sends for `docker run [-it|-d] IMAGE [CMD...]` (cli/command/container
 * opts.go `parse`): -it attaches all three streams with a TTY and open stdin; -d attaches none.
 */
export function containerConfigFor(o: {
  imageRef: string;
  cmd?: string[];
  interactive: boolean;
}): DockerContainerConfig {
  const it = o.interactive;
  return {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: it,
    AttachStdout: it,
    AttachStderr: it,
    Tty: it,
    OpenStdin: it,
    StdinOnce: it,
    Env: null,
    Cmd: o.cmd && o.cmd.length > 0 ? [...o.cmd] : null,
    Image: o.imageRef,
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    Labels: null,
  };
}

/** A container config from the image's (what a `docker commit` of it starts from), for merging. */
function asContainerConfig(
  c: ImageRunConfig | DockerContainerConfig,
): Partial<DockerContainerConfig> {
  const r = c as Record<string, unknown>;
  const out: Partial<DockerContainerConfig> = {
    User: str(r.User),
    Env: strings(r.Env),
    Cmd: strings(r.Cmd),
    Entrypoint: strings(r.Entrypoint),
    WorkingDir: str(r.WorkingDir),
    Labels: record<string>(r.Labels),
    ExposedPorts: record<object>(r.ExposedPorts) ?? undefined,
    Volumes: record<object>(r.Volumes),
    StopSignal: str(r.StopSignal) || undefined,
  };
  const hc = record<unknown>(r.Healthcheck);
  if (hc) out.Healthcheck = hc;
  return out;
}

/**
 * moby daemon/commit.go `merge(userConf, imageConf)`: fills what the user config leaves empty
 * from the image's, and unions env, labels, exposed ports and volumes. Returns a new object.
 */
export function mergeConfig(
  user: DockerContainerConfig,
  imageRun: ImageRunConfig | DockerContainerConfig,
): DockerContainerConfig {
  const img = asContainerConfig(imageRun);
  const c: DockerContainerConfig = structuredClone(user);
  if (c.User === '') c.User = img.User ?? '';
  if (!c.ExposedPorts || Object.keys(c.ExposedPorts).length === 0) {
    if (img.ExposedPorts) c.ExposedPorts = { ...img.ExposedPorts };
  } else if (img.ExposedPorts) {
    for (const port of Object.keys(img.ExposedPorts)) c.ExposedPorts[port] ??= {};
  }
  if (!c.Env || c.Env.length === 0) c.Env = img.Env ? [...img.Env] : null;
  else {
    for (const imageEnv of img.Env ?? []) {
      const key = imageEnv.split('=')[0];
      if (!c.Env.some((e) => e.split('=')[0] === key)) c.Env.push(imageEnv);
    }
  }
  c.Labels ??= {};
  for (const [k, v] of Object.entries(img.Labels ?? {})) if (!(k in c.Labels)) c.Labels[k] = v;
  if (!c.Entrypoint || c.Entrypoint.length === 0) {
    if (!c.Cmd || c.Cmd.length === 0) c.Cmd = img.Cmd ? [...img.Cmd] : null;
    if (c.Entrypoint === null) c.Entrypoint = img.Entrypoint ? [...img.Entrypoint] : null;
  }
  if (img.Healthcheck) {
    if (!c.Healthcheck) c.Healthcheck = { ...img.Healthcheck };
    else
      for (const [k, v] of Object.entries(img.Healthcheck)) {
        const cur = c.Healthcheck[k];
        if (cur === undefined || cur === 0 || (Array.isArray(cur) && cur.length === 0))
          c.Healthcheck[k] = v;
      }
  }
  if (c.WorkingDir === '') c.WorkingDir = img.WorkingDir ?? '';
  if (!c.Volumes || Object.keys(c.Volumes).length === 0) c.Volumes = img.Volumes ?? null;
  else Object.assign(c.Volumes, img.Volumes ?? {});
  if (!c.StopSignal && img.StopSignal) c.StopSignal = img.StopSignal;
  return c;
}

/** The Dockerfile instructions `docker commit --change` accepts (builder.go validCommitCommands). */
const COMMIT_COMMANDS = new Set([
  'cmd',
  'entrypoint',
  'env',
  'expose',
  'label',
  'onbuild',
  'stopsignal',
  'user',
  'volume',
  'workdir',
]);

/** `["a", "b"]` (exec form) or a shell-form string wrapped in the shell. */
function commandLine(rest: string, shell: string[]): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(t);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    } catch {
      // not JSON: Docker then takes it as shell form
    }
  }
  return [...shell, t];
}

function unquote(s: string): string {
  if (s.length >= 2 && ((s[0] === '"' && s.at(-1) === '"') || (s[0] === "'" && s.at(-1) === "'")))
    return s.slice(1, -1).replace(/\\(.)/g, '$1');
  return s;
}

/** Splits `k=v k2="v 2"` into pairs, respecting quotes. */
function keyValues(rest: string): [string, string][] {
  const words = rest.match(/(?:[^\s"']+|"(?:\\.|[^"\\])*"|'[^']*')+/g) ?? [];
  if (words.length > 0 && !words[0]!.includes('=')) {
    // Legacy `ENV key value with spaces`.
    const [k, ...v] = rest.trim().split(/\s+/);
    return [[k!, v.join(' ')]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    return [unquote(w.slice(0, i)), unquote(w.slice(i + 1))];
  });
}

/**
 * Applies `docker commit -c` instructions to a copy of `config` (BuildFromConfig: each one
 * dispatched like its Dockerfile instruction). Throws Docker's error for anything else.
 */
export function applyChanges(config: DockerContainerConfig, changes: readonly string[]) {
  const c: DockerContainerConfig = structuredClone(config);
  let cmdSet = false;
  const shell = c.Shell && c.Shell.length > 0 ? c.Shell : ['/bin/sh', '-c'];
  for (const line of changes.flatMap((l) => l.split('\n'))) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const m = /^(\S+)\s*(.*)$/s.exec(t)!;
    const cmd = m[1]!.toLowerCase();
    const rest = m[2]!;
    if (!COMMIT_COMMANDS.has(cmd)) throw new Error(`${m[1]} is not a valid change command`);
    switch (cmd) {
      case 'cmd':
        c.Cmd = commandLine(rest, shell);
        cmdSet = true;
        break;
      case 'entrypoint':
        c.Entrypoint = commandLine(rest, shell);
        // dispatchEntrypoint: an ENTRYPOINT without a CMD in the same changes clears the CMD.
        if (!cmdSet) c.Cmd = null;
        break;
      case 'env':
        c.Env ??= [];
        for (const [k, v] of keyValues(rest)) {
          const i = c.Env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) c.Env[i] = `${k}=${v}`;
          else c.Env.push(`${k}=${v}`);
        }
        break;
      case 'label':
        c.Labels ??= {};
        for (const [k, v] of keyValues(rest)) c.Labels[k] = v;
        break;
      case 'expose':
        c.ExposedPorts ??= {};
        for (const p of rest.trim().split(/\s+/).filter(Boolean))
          c.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
        break;
      case 'volume': {
        c.Volumes ??= {};
        const vs = commandLine(rest, []);
        for (const v of vs.length === 1 ? vs[0]!.split(/\s+/).filter(Boolean) : vs)
          c.Volumes[v] = {};
        break;
      }
      case 'workdir':
        c.WorkingDir = rest.trim();
        break;
      case 'user':
        c.User = rest.trim();
        break;
      case 'stopsignal':
        c.StopSignal = rest.trim();
        break;
      case 'onbuild':
        c.OnBuild = [...(c.OnBuild ?? []), rest.trim()];
        break;
    }
  }
  return c;
}

/** moby docker-image-spec HealthcheckConfig, every field `omitempty`. */
function healthcheckJson(h: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const k of ['Test', 'Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries']) {
    const v = h[k];
    if (v === undefined || v === null || v === 0 || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}

const nonEmpty = <T>(v: T[] | undefined | null) => (v && v.length > 0 ? v : undefined);

/** The struct as encoding/json writes it: declaration order, `omitempty` honoured, maps sorted. */
export function containerConfigJson(c: DockerContainerConfig): Record<string, unknown> {
  const ports = c.ExposedPorts && Object.keys(c.ExposedPorts).length > 0 ? c.ExposedPorts : null;
  return {
    Hostname: c.Hostname,
    Domainname: c.Domainname,
    User: c.User,
    AttachStdin: c.AttachStdin,
    AttachStdout: c.AttachStdout,
    AttachStderr: c.AttachStderr,
    ExposedPorts: ports
      ? goMap(Object.fromEntries(Object.keys(ports).map((k) => [k, {}])))
      : undefined,
    Tty: c.Tty,
    OpenStdin: c.OpenStdin,
    StdinOnce: c.StdinOnce,
    Env: c.Env,
    Cmd: c.Cmd,
    Healthcheck: c.Healthcheck ? healthcheckJson(c.Healthcheck) : undefined,
    ArgsEscaped: c.ArgsEscaped || undefined,
    Image: c.Image,
    Volumes: c.Volumes
      ? goMap(Object.fromEntries(Object.keys(c.Volumes).map((k) => [k, {}])))
      : null,
    WorkingDir: c.WorkingDir,
    Entrypoint: c.Entrypoint,
    NetworkDisabled: c.NetworkDisabled || undefined,
    // []string without omitempty: nil is `null` (Docker's committed config has "OnBuild": null).
    OnBuild: c.OnBuild ?? null,
    Labels: c.Labels ? goMap(c.Labels) : null,
    StopSignal: c.StopSignal || undefined,
    StopTimeout: c.StopTimeout ?? undefined,
    Shell: nonEmpty(c.Shell),
  };
}
