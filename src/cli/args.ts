/**
 * The CLI's commands, their flags and their help: one table, so `--help`, the parser and the
 * usage errors never disagree. Flags are `--name value` or `--name=value`; a boolean flag takes
 * no value (`--json`) except the ones docker spells `--human=false`.
 */

export interface FlagSpec {
  /** `value`: takes a value; `bool`: none; `bool=`: none, or `=true` / `=false` (docker's). */
  kind: 'value' | 'bool' | 'bool=';
  /** How the value is shown in the help: `N`, `PATH`. */
  arg?: string;
  help: string;
  short?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Paragraphs after the flags. */
  more?: string;
}

const IMAGE_FLAGS: Record<string, FlagSpec> = {
  image: {
    kind: 'value',
    arg: 'IMAGE',
    help: 'the image to show: its index (from 0, as `ls` lists them), a reference (app:1.0, docker.io/library/app:1.0) or an image ID or digest prefix of 4 hex digits or more',
  },
  platform: {
    kind: 'value',
    arg: 'OS/ARCH[/VARIANT]',
    help: 'the image of this platform, in an archive of several (linux/arm64/v8)',
  },
};

const QUIET: Record<string, FlagSpec> = {
  quiet: {
    kind: 'bool',
    short: 'q',
    help: 'no progress line on stderr (there is none anyway when stderr is not a terminal)',
  },
};

const HELP: Record<string, FlagSpec> = {
  help: { kind: 'bool', short: 'h', help: 'this help' },
};

export const EXIT_CODES = `exit status:
  0  done (for ci: no rule failed)
  1  ci: at least one rule failed
  2  an error, printed as \`error: <message>\` on stderr: bad usage (the usage line follows),
     a file that cannot be read or is not an image archive, a layer whose digest does not
     match (inspect), no image matching --image / --platform, an invalid .dive-ci`;

export const COMMANDS: CommandSpec[] = [
  {
    name: 'inspect',
    summary: "the archive's images, layers and history as one JSON document",
    usage: 'layerscope inspect FILE [--json | --docker | --dive-json] [--image IMAGE] [options]',
    flags: {
      json: {
        kind: 'bool',
        help: "layerscope's own document (the default): every image, layer and history step; every digest and diffID verified",
      },
      docker: {
        kind: 'bool',
        help: 'what `docker image inspect IMAGE` would print',
      },
      'dive-json': {
        kind: 'bool',
        help: "what `dive IMAGE --json` writes (dive's export: layer[] and image{}), for scripts written for dive",
      },
      ...IMAGE_FLAGS,
      ...QUIET,
      ...HELP,
    },
  },
  {
    name: 'ls',
    summary: 'what `docker image ls` would print',
    usage:
      'layerscope ls FILE [-a] [--no-trunc] [--digests] [--filter dangling=true|false] [--format FORMAT] [options]',
    flags: {
      all: {
        kind: 'bool',
        short: 'a',
        help: 'intermediate images too (untagged parents of other images), as docker image ls -a',
      },
      'no-trunc': { kind: 'bool', help: 'full image IDs' },
      digests: {
        kind: 'bool',
        help: 'a DIGEST column (<none> for an image loaded from an archive)',
      },
      filter: {
        kind: 'value',
        arg: 'dangling=true|false',
        help: 'only dangling (untagged, no child) images, or none of them',
      },
      format: {
        kind: 'value',
        arg: 'FORMAT',
        help: "a Go template of docker's fields ('{{.Repository}}:{{.Tag}}', '{{json .}}', 'table …')",
      },
      ...QUIET,
      ...HELP,
    },
  },
  {
    name: 'history',
    summary: 'what `docker image history` would print',
    usage: 'layerscope history FILE [--image IMAGE] [--no-trunc] [--human=false] [options]',
    flags: {
      'no-trunc': { kind: 'bool', help: 'full IDs and commands' },
      human: {
        kind: 'bool=',
        help: '--human=false: sizes in bytes and dates in RFC 3339, in the local time zone (TZ)',
      },
      ...IMAGE_FLAGS,
      ...QUIET,
      ...HELP,
    },
  },
  {
    name: 'files',
    summary: 'the merged filesystem up to a layer, one path a line',
    usage: 'layerscope files FILE [--image IMAGE] [--layer K] [options]',
    flags: {
      layer: {
        kind: 'value',
        arg: 'K',
        help: 'merge the layers 0..K (from 0; default all); tab-separated: path type size mode link',
      },
      ...IMAGE_FLAGS,
      ...QUIET,
      ...HELP,
    },
  },
  {
    name: 'ci',
    summary: "dive's CI gate: PASS/FAIL per rule, exit 1 when one fails",
    usage:
      'layerscope ci FILE [--ci-config PATH] [--lowestEfficiency=R] [--highestWastedBytes=B] [--highestUserWastedPercent=R] [options]',
    flags: {
      'ci-config': {
        kind: 'value',
        arg: 'PATH',
        help: 'the rules file (default: .dive-ci in the current directory, when there is one)',
      },
      lowestEfficiency: {
        kind: 'value',
        arg: 'R',
        help: "fail when dive's efficiency score is below R (0-1; default 0.9)",
      },
      highestWastedBytes: {
        kind: 'value',
        arg: 'B',
        help: "fail when dive's wasted bytes are over B (20MB, 1.5GiB, 4096; default disabled)",
      },
      highestUserWastedPercent: {
        kind: 'value',
        arg: 'R',
        help: "fail when dive's wasted bytes over the bytes above the base layer exceed R (0-1; default 0.1)",
      },
      ...IMAGE_FLAGS,
      ...QUIET,
      ...HELP,
    },
    more: `The rules, their names, defaults and messages are dive's (\`dive --ci\`), and so is the
rules file, YAML as dive reads it:

  rules:
    lowestEfficiency: 0.95
    highestWastedBytes: 20MB        # B, kB, MB, GB (x1000), KiB, MiB, GiB (x1024)
    highestUserWastedPercent: 0.20  # ratio 0-1

A flag overrides the file; a rule set to disabled, off, false or nothing is SKIPped.

Beside dive's figures, ci prints reclaimableBytes: what rebuilding the image with each
file written once, in its final form, would save. dive's wastedBytes adds up every copy
of each file written more than once, the copy the image still needs included: a 100 MB
file written in one layer and rewritten in the next counts 200 MB in wastedBytes, while
100 MB can be won back (dive issue #684). The rules use dive's figures, so that a
.dive-ci gives the same verdict as under dive.`,
  },
];

export const USAGE = `usage: layerscope <command> FILE [options]
       layerscope help <command> | <command> --help | --version`;

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** Words into lines of at most `width` characters (a longer word has a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

function flagLines(flags: Record<string, FlagSpec>): string[] {
  const left = Object.entries(flags).map(([name, f]) => {
    const short = f.short ? `-${f.short}, ` : '    ';
    const arg = f.kind === 'value' ? ` ${f.arg ?? 'VALUE'}` : f.kind === 'bool=' ? '[=false]' : '';
    return `  ${short}--${name}${arg}`;
  });
  const width = Math.min(Math.max(...left.map((l) => l.length)) + 2, 40);
  return Object.values(flags).map((f, i) => {
    const l = left[i]!;
    const help = wrap(f.help, 96 - width).join(`\n${' '.repeat(width)}`);
    return l.length + 2 > width ? `${l}\n${' '.repeat(width)}${help}` : `${l.padEnd(width)}${help}`;
  });
}

/** `layerscope --help`. */
export function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 4;
  return `${USAGE}

Reads an image archive (docker save, podman save, skopeo copy ... docker-archive: or
oci-archive:, plain or gzip/zstd compressed) with no Docker daemon, and prints what docker,
dive or an extracted filesystem would show.

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary}`).join('\n')}

\`layerscope <command> --help\` says more about each.

options:
  -h, --help      this help
  -V, --version   the version of layerscope

While it reads, a progress line (percent, MB/s, layer n of m) is rewritten on stderr when
stderr is a terminal; --quiet silences it.

${EXIT_CODES}
`;
}

/** `layerscope help CMD`, `layerscope CMD --help`. */
export function commandHelp(c: CommandSpec): string {
  return `usage: ${c.usage.replace(/^layerscope /, 'layerscope ')}

${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.

options:
${flagLines(c.flags).join('\n')}
${c.more ? `\n${c.more}\n` : ''}
${EXIT_CODES}
`;
}

export class UsageError extends Error {
  /** The usage line printed after the message: the command's own when known. */
  constructor(
    message: string,
    readonly usage: string = USAGE,
  ) {
    super(message);
  }
}

export interface Args {
  command: string;
  spec: CommandSpec;
  file?: string;
  flags: Map<string, string | true>;
}

/**
 * Parses `argv` after the command name against the command's flags. An unknown flag, a flag
 * given twice, a value missing or given to a flag that takes none, and a second FILE are usage
 * errors that name what was wrong.
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): Args {
  const usage = `usage: ${spec.usage}`;
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  const byShort = new Map(
    Object.entries(spec.flags)
      .filter(([, f]) => f.short)
      .map(([n, f]) => [f.short!, n]),
  );
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    let name: string;
    let value: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      value = eq > 0 ? a.slice(eq + 1) : undefined;
    } else if (a.startsWith('-') && a.length > 1) {
      const long = byShort.get(a.slice(1));
      if (!long) throw new UsageError(`unknown flag ${a} for ${spec.name}`, usage);
      name = long;
    } else {
      positional.push(a);
      continue;
    }
    const f = spec.flags[name];
    if (!f) throw new UsageError(`unknown flag --${name} for ${spec.name}`, usage);
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`, usage);
    if (f.kind === 'value') {
      if (value === undefined) {
        value = argv[i + 1];
        if (value === undefined) throw new UsageError(`--${name} needs a value`, usage);
        i++;
      }
      flags.set(name, value);
    } else if (value !== undefined) {
      if (f.kind === 'bool' || !['true', 'false'].includes(value))
        throw new UsageError(
          f.kind === 'bool'
            ? `--${name} takes no value`
            : `--${name} takes true or false, not "${value}"`,
          usage,
        );
      flags.set(name, value);
    } else flags.set(name, true);
  }
  if (positional.length > 1)
    throw new UsageError(`${spec.name} takes one FILE, not ${positional.length}`, usage);
  return { command: spec.name, spec, file: positional[0], flags };
}
