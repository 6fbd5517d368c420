/**
 * `layerscope` command line: the same core as the app, in Node. Prints what `docker image ls`,
 * `docker image history`, `docker image inspect`, dive's export and dive's CI gate would show,
 * an extracted filesystem, or layerscope's own JSON document. The commands, flags and help are
 * in args.ts; exit statuses: 0 done, 1 a ci rule failed, 2 any error (`error: …` on stderr).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { FileBlob } from './file-blob';
import {
  COMMANDS,
  commandHelp,
  commandSpec,
  mainHelp,
  parseCommand,
  UsageError,
  USAGE,
  type Args,
} from './args';
import { selectImage, SelectError } from './select';
import {
  buildRules,
  ciReport,
  CiConfigError,
  DEFAULT_RULES,
  parseRulesFile,
  RULE_KEYS,
  type RuleValues,
} from './ci';
import { diveExport, goJsonIndent } from './dive-export';
import { progressLine, type ProgressLine } from './progress';
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
import { buildOverlay, diveLayerFiles, mergedListing } from '../lib/core/overlay';
import { escapeTerminal, escapeTerminalJson } from '../lib/core/format/terminal';

declare const __LAYERSCOPE_VERSION__: string | undefined;

/** The package's version: set by the CLI build, read from package.json when run from sources. */
export function version(): string {
  if (typeof __LAYERSCOPE_VERSION__ === 'string') return __LAYERSCOPE_VERSION__;
  const pkg = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** `--filter dangling=true|false`, the one `docker image ls` filter an archive can answer. */
function lsFilter(filter: string | undefined, usage: string): { dangling?: boolean } {
  if (filter === undefined) return {};
  const m = /^dangling=(true|false)$/.exec(filter);
  if (!m)
    throw new UsageError(`--filter: only dangling=true or dangling=false is supported`, usage);
  return { dangling: m[1] === 'true' };
}

export interface CliIo {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown; isTTY?: boolean };
}

export interface RunOptions {
  /** The time relative dates (`2 days ago`) are counted from; default: the clock's. */
  now?: Date;
  /** The directory a `.dive-ci` is looked for in; default: the process's. */
  cwd?: string;
}

function intFlag(args: Args, name: string): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined || v === true) return undefined;
  if (!/^\d+$/.test(v))
    throw new UsageError(
      `--${name} takes a whole number from 0, not "${v}"`,
      `usage: ${args.spec.usage}`,
    );
  return Number(v);
}

function strFlag(args: Args, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/**
 * Everything the CLI prints passes through core/format/terminal: names, tags, created_by and
 * error messages come from the archive, and a terminal would act on their escape sequences.
 * JSON output keeps to JSON's own escapes (`\u009b`), so it still parses to the same values.
 * (The progress line alone writes to the raw stderr: it is our own `\r` and numbers.)
 */
function terminalSafe(io: CliIo) {
  return {
    out: { write: (s: string) => io.out.write(escapeTerminal(s)) },
    err: { write: (s: string) => io.err.write(escapeTerminal(s)) },
    json: (text: string) => io.out.write(escapeTerminalJson(text) + '\n'),
  };
}

/** The rule values for `ci`: dive's defaults, then the rules file, then the flags. */
function ciRuleValues(args: Args, cwd: string): RuleValues {
  const values: RuleValues = { ...DEFAULT_RULES };
  const given = strFlag(args, 'ci-config');
  const path = given ?? '.dive-ci';
  let text: string | undefined;
  try {
    text = readFileSync(given ? path : `${cwd}/${path}`, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // dive reads .dive-ci only when it exists; a file named with --ci-config must be there.
    if (given || code !== 'ENOENT')
      throw new CiConfigError(
        `cannot read CI config file ${path}: ${code ?? (e as Error).message}`,
      );
  }
  if (text !== undefined) Object.assign(values, parseRulesFile(text, path));
  for (const key of RULE_KEYS) {
    const v = strFlag(args, key);
    if (v !== undefined) values[key] = v;
  }
  return values;
}

export async function run(
  argv: string[],
  rawIo: CliIo = { out: process.stdout, err: process.stderr },
  options: RunOptions = {},
): Promise<number> {
  const io = terminalSafe(rawIo);
  const first = argv[0];
  if (first === undefined) {
    io.err.write(`error: no command given\n${USAGE}\n`);
    return 2;
  }
  if (first === '--help' || first === '-h') {
    io.out.write(mainHelp());
    return 0;
  }
  if (first === '--version' || first === '-V') {
    io.out.write(`layerscope ${version()}\n`);
    return 0;
  }
  if (first === 'help') {
    const topic = argv[1];
    const spec = topic === undefined ? undefined : commandSpec(topic);
    if (topic !== undefined && !spec) {
      io.err.write(
        `error: no command "${topic}"; the commands: ${COMMANDS.map((c) => c.name).join(', ')}\n${USAGE}\n`,
      );
      return 2;
    }
    io.out.write(spec ? commandHelp(spec) : mainHelp());
    return 0;
  }

  let blob: FileBlob | undefined;
  let prog: ProgressLine = { done() {} };
  /** What the archive's reading noticed (a layer missing, an item skipped): said on stderr. */
  let warnings: readonly string[] = [];
  try {
    const spec = commandSpec(first);
    if (!spec)
      throw new UsageError(
        first.startsWith('-')
          ? `unknown flag ${first}: give a command first`
          : `unknown command "${first}"; the commands: ${COMMANDS.map((c) => c.name).join(', ')}`,
      );
    const args = parseCommand(spec, argv.slice(1));
    if (args.flags.has('help')) {
      io.out.write(commandHelp(spec));
      return 0;
    }
    const usage = `usage: ${spec.usage}`;
    if (!args.file) throw new UsageError(`${spec.name} needs a FILE`, usage);
    const modes = ['json', 'docker', 'dive-json'].filter((m) => args.flags.has(m));
    if (modes.length > 1) throw new UsageError(`give one of --${modes.join(', --')}`, usage);
    const layerIndex = intFlag(args, 'layer');
    const ciValues =
      spec.name === 'ci' ? ciRuleValues(args, options.cwd ?? process.cwd()) : undefined;
    const rules = ciValues && buildRules(ciValues);

    try {
      blob = await FileBlob.open(args.file);
    } catch (e) {
      throw new ArchiveError(
        'not-tar',
        `cannot open ${args.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    prog = progressLine(rawIo.err, rawIo.err.isTTY === true && !args.flags.has('quiet'));
    const { onProgress } = prog;
    const archive = await openImageArchive(blob as unknown as Blob, {
      fileName: basename(args.file),
      onProgress,
    });
    const model = archive.model;
    warnings = model.warnings;
    const allLayers = [...new Set(model.images.flatMap((i) => i.layerKeys))];
    const image = selectImage(model, {
      image: strFlag(args, 'image'),
      platform: strFlag(args, 'platform'),
    });
    const noTrunc = args.flags.has('no-trunc');
    const now = options.now ?? new Date();
    const indexImage = async () => {
      const idx = await archive.indexLayers({ keys: image.layerKeys, onProgress });
      return image.layerKeys.map((key) => idx.get(key) ?? []);
    };

    switch (spec.name) {
      case 'inspect': {
        if (args.flags.has('dive-json')) {
          const layers = await indexImage();
          const wasted = buildOverlay(layers).wastedSpace();
          const doc = diveExport(model, image, diveLayerFiles(layers), wasted);
          prog.done();
          io.json(goJsonIndent(doc));
          return 0;
        }
        await archive.indexLayers({ keys: allLayers, onProgress });
        if (args.flags.has('docker')) {
          prog.done();
          // Go's JSON indented by 4 spaces, as docker/cli cli/command/inspect/inspector.go prints it.
          io.json(dockerImageInspectText(model, image).trimEnd());
          return 0;
        }
        const failed = (await archive.verify({ keys: allLayers, onProgress })).find((v) => v.error);
        if (failed) throw failed.error;
        prog.done();
        io.json(JSON.stringify(inspectDocument(model), null, 2));
        return 0;
      }
      case 'ls': {
        await archive.indexLayers({ keys: allLayers, onProgress });
        prog.done();
        const rows = imageLsRows(
          imageLs(model, {
            all: args.flags.has('all'),
            ...lsFilter(strFlag(args, 'filter'), usage),
          }),
          { noTrunc, now },
        );
        const format = strFlag(args, 'format');
        if (format !== undefined && format !== 'table') {
          io.out.write(imageLsTemplate(format, rows, { utcOffsetMinutes: localUtcOffsetMinutes }));
        } else {
          io.out.write(imageLsTable(rows, { digests: args.flags.has('digests') }));
        }
        return 0;
      }
      case 'history': {
        await archive.indexLayers({ keys: image.layerKeys, onProgress });
        prog.done();
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
        const k = layerIndex ?? image.layerKeys.length - 1;
        if (k >= image.layerKeys.length)
          throw new UsageError(
            `--layer ${k}: the image has ${image.layerKeys.length} layer(s)`,
            usage,
          );
        const keys = image.layerKeys.slice(0, k + 1);
        const idx = await archive.indexLayers({ keys, onProgress });
        prog.done();
        const overlay = buildOverlay(keys.map((key) => idx.get(key) ?? []));
        for (const line of mergedListing(overlay, k)) io.out.write(line + '\n');
        return 0;
      }
      case 'ci': {
        const wasted = buildOverlay(await indexImage()).wastedSpace();
        prog.done();
        const report = ciReport(wasted, rules!);
        io.out.write(report.text);
        return report.pass ? 0 : 1;
      }
    }
    throw new UsageError(`unknown command "${first}"`);
  } catch (e) {
    prog.done();
    if (e instanceof UsageError) {
      io.err.write(`error: ${e.message}\n${e.usage}\n`);
      return 2;
    }
    if (e instanceof TemplateError) {
      io.err.write(`error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ArchiveError || e instanceof SelectError || e instanceof CiConfigError) {
      io.err.write(`error: ${e.message}\n`);
      return 2;
    }
    // A defect of ours: still status 2 (1 means a ci rule failed), and the stack for a report.
    io.err.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
    if (process.env.LAYERSCOPE_DEBUG) io.err.write(`${(e as Error)?.stack ?? ''}\n`);
    return 2;
  } finally {
    // After the progress line is gone, and after the output: warnings never mix into a table.
    prog.done();
    for (const w of warnings) io.err.write(`warning: ${w}\n`);
    await blob?.close();
  }
}
