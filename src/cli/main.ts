/**
 * `layerscope` command line: the same core as the app, in Node. Prints what `docker image ls`,
 * `docker image history` and an extracted filesystem would show, or one JSON document.
 */
import { basename } from 'node:path';
import { FileBlob } from './file-blob';
import { openImageArchive } from '../lib/core/engine';
import { ArchiveError } from '../lib/core/model/errors';
import {
  dockerImageInspectText,
  historyRows,
  historyTable,
  imageHistory,
  imageLs,
  imageLsRows,
  imageLsTable,
  inspectDocument,
  localUtcOffsetMinutes,
  imageLsTemplate,
  TemplateError,
} from '../lib/core/present';
import { buildOverlay, mergedListing } from '../lib/core/overlay';
import { escapeTerminal, escapeTerminalJson } from '../lib/core/format/terminal';

const USAGE = `usage: layerscope <command> FILE [options]

commands:
  inspect FILE [--json]                 the archive's images, layers and history (JSON)
  inspect FILE --docker [--image N]     what \`docker image inspect\` would print (JSON)
  ls FILE [-a] [--no-trunc] [--digests] [--filter dangling=true|false] [--format FORMAT]
                                        what \`docker image ls\` would print
  history FILE [--image N] [--no-trunc] [--human=false]
                                        what \`docker image history\` would print
  files FILE [--image N] [--layer K]    the merged filesystem up to layer K (default: all),
                                        tab-separated: path type size mode link

N and K count from 0. FILE is a docker save / podman save / skopeo archive (.tar, .tar.gz).`;

interface Args {
  command?: string;
  file?: string;
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[]): Args {
  const flags = new Map<string, string | true>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-a') flags.set('all', true);
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else if (
        ['--image', '--layer', '--filter', '--format'].includes(a) &&
        argv[i + 1] !== undefined
      )
        flags.set(a.slice(2), argv[++i]!);
      else flags.set(a.slice(2), true);
    } else rest.push(a);
  }
  return { command: rest[0], file: rest[1], flags };
}

function intFlag(args: Args, name: string): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined || v === true) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} takes a whole number from 0`);
  return n;
}

class UsageError extends Error {}

/** `--filter dangling=true|false`, the one `docker image ls` filter an archive can answer. */
function lsFilter(args: Args): { dangling?: boolean } {
  const f = args.flags.get('filter');
  if (f === undefined) return {};
  const m = typeof f === 'string' ? /^dangling=(true|false)$/.exec(f) : null;
  if (!m) throw new UsageError(`--filter: only dangling=true or dangling=false is supported`);
  return { dangling: m[1] === 'true' };
}

export interface CliIo {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
}

export interface RunOptions {
  /** The time relative dates (`2 days ago`) are counted from; default: the clock's. */
  now?: Date;
}

/**
 * Everything the CLI prints passes through core/format/terminal: names, tags, created_by and
 * error messages come from the archive, and a terminal would act on their escape sequences.
 * JSON output keeps to JSON's own escapes (`\u009b`), so it still parses to the same values.
 */
function terminalSafe(io: CliIo): CliIo & { json(text: string): void } {
  return {
    out: { write: (s: string) => io.out.write(escapeTerminal(s)) },
    err: { write: (s: string) => io.err.write(escapeTerminal(s)) },
    json: (text: string) => io.out.write(escapeTerminalJson(text) + '\n'),
  };
}

export async function run(
  argv: string[],
  io: CliIo = { out: process.stdout, err: process.stderr },
  options: RunOptions = {},
): Promise<number> {
  const safe = terminalSafe(io);
  io = safe;
  const args = parseArgs(argv);
  if (!args.command || args.flags.has('help') || args.command === 'help') {
    io.out.write(USAGE + '\n');
    return args.command ? 0 : 2;
  }
  try {
    if (!['inspect', 'ls', 'history', 'files'].includes(args.command))
      throw new UsageError(`unknown command "${args.command}"`);
    if (!args.file) throw new UsageError(`${args.command} needs a FILE`);
    let blob: Blob;
    try {
      blob = (await FileBlob.open(args.file)) as unknown as Blob;
    } catch (e) {
      throw new ArchiveError(
        'not-tar',
        `cannot open ${args.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    const archive = await openImageArchive(blob, { fileName: basename(args.file) });
    const model = archive.model;
    const allLayers = [...new Set(model.images.flatMap((i) => i.layerKeys))];
    const imageIndex = intFlag(args, 'image') ?? 0;
    const image = model.images[imageIndex];
    if (!image)
      throw new UsageError(
        `--image ${imageIndex}: the archive has ${model.images.length} image(s)`,
      );
    const noTrunc = args.flags.has('no-trunc');
    const now = options.now ?? new Date();

    switch (args.command) {
      case 'inspect': {
        await archive.indexLayers({ keys: allLayers });
        if (args.flags.has('docker')) {
          // Go's JSON indented by 4 spaces, as docker/cli cli/command/inspect/inspector.go prints it.
          io.out.write(dockerImageInspectText(model, image));
          return 0;
        }
        const failed = (await archive.verify({ keys: allLayers })).find((v) => v.error);
        if (failed) throw failed.error;
        safe.json(JSON.stringify(inspectDocument(model), null, 2));
        return 0;
      }
      case 'ls': {
        await archive.indexLayers({ keys: allLayers });
        const rows = imageLsRows(
          imageLs(model, { all: args.flags.has('all'), ...lsFilter(args) }),
          {
            noTrunc,
            now,
          },
        );
        const format = args.flags.get('format');
        if (typeof format === 'string' && format !== 'table') {
          io.out.write(imageLsTemplate(format, rows, { utcOffsetMinutes: localUtcOffsetMinutes }));
        } else {
          io.out.write(imageLsTable(rows, { digests: args.flags.has('digests') }));
        }
        return 0;
      }
      case 'history': {
        await archive.indexLayers({ keys: image.layerKeys });
        const human = args.flags.get('human') !== 'false';
        const rows = historyRows(imageHistory(model, image), {
          noTrunc,
          human,
          now,
          utcOffsetMinutes: localUtcOffsetMinutes,
        });
        io.out.write(historyTable(rows, { human }));
        return 0;
      }
      case 'files': {
        const k = intFlag(args, 'layer') ?? image.layerKeys.length - 1;
        if (k >= image.layerKeys.length)
          throw new UsageError(`--layer ${k}: the image has ${image.layerKeys.length} layer(s)`);
        const keys = image.layerKeys.slice(0, k + 1);
        const idx = await archive.indexLayers({ keys });
        const overlay = buildOverlay(keys.map((key) => idx.get(key) ?? []));
        for (const line of mergedListing(overlay, k)) io.out.write(line + '\n');
        return 0;
      }
    }
    return 2;
  } catch (e) {
    if (e instanceof UsageError || e instanceof TemplateError) {
      io.err.write(`error: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof ArchiveError) {
      io.err.write(`error: ${e.message}\n`);
      return 2;
    }
    io.err.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}
