/**
 * No escape sequence from an archive reaches the terminal (issue 20, item 4). An archive whose
 * tags, history, file names and link targets carry the sequences real CLIs have had CVEs for —
 * a window title (OSC 0), a screen clear (CSI 2J), a forged hyperlink (OSC 8), a clipboard write
 * (OSC 52), an 8-bit CSI, a carriage return and a backspace that overwrite what was printed — is
 * given to every command of the CLI's table (src/cli/args.ts), bare and with each of its
 * switches, and to an error path whose message names an entry. Nothing printed may hold a
 * control character but the newline (and the tab `files` separates its columns with); JSON
 * output still parses to the archive's own strings.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main';
import { COMMANDS } from '../../src/cli/args';
import { file, plainTar, podmanArchive } from '../fixtures/archives';

const TITLE = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J\x1b[H';
const LINK = '\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\';
const CLIPBOARD = '\x1b]52;c;cm0gLXJmIH4=\x07';
const CSI8 = '\x9b31m';
const OVERWRITE = 'safe\rEVIL\x08\x08';
const ALL = [TITLE, CLEAR, LINK, CLIPBOARD, CSI8, OVERWRITE];

const work = mkdtempSync(join(tmpdir(), 'layerscope-escapes-'));
const archive = join(work, 'hostile.tar');
writeFileSync(
  archive,
  podmanArchive([
    {
      tags: [`localhost/app:1`, `localhost/x${TITLE}:2`],
      layers: [
        [
          file(`etc/${TITLE}name`, 'x'),
          file(`etc/${CLIPBOARD}`, 'y'),
          file(`etc/${CSI8}`, 'z'),
          { path: 'etc/link', type: 'symlink', mode: 0o777, linkname: `${LINK}${CLEAR}` },
        ],
        [file(`srv/${OVERWRITE}`, 'w')],
      ],
      history: [
        { created_by: `/bin/sh -c echo ${TITLE}${CLEAR}`, comment: LINK },
        { created_by: `/bin/sh -c ${CLIPBOARD}${CSI8}${OVERWRITE}`, comment: CLIPBOARD },
      ],
    },
  ]),
);

/** A manifest naming a layer file that is not there, its name carrying a sequence. */
const broken = join(work, 'broken.tar');
const enc = new TextEncoder();
writeFileSync(
  broken,
  plainTar([
    [
      'config.json',
      enc.encode(
        `{"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:${'0'.repeat(64)}"]}}`,
      ),
    ],
    [
      'manifest.json',
      enc.encode(JSON.stringify([{ Config: 'config.json', Layers: [`gone${TITLE}${CLEAR}.tar`] }])),
    ],
  ]),
);

/** A manifest naming a config that is not there. */
const missingConfig = join(work, 'missing-config.tar');
writeFileSync(
  missingConfig,
  plainTar([
    ['manifest.json', enc.encode(JSON.stringify([{ Config: `cfg${TITLE}.json`, Layers: [] }]))],
  ]),
);

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await run(
    args,
    { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } },
    { now: new Date('2026-12-07T00:00:00Z') },
  );
  return { code, out, err };
}

/** Every control character (C0, DEL, C1) but the newline, and the tab where `tab` is allowed. */
const controls = (tab: boolean) => ({
  exec(text: string): [string] | null {
    for (const ch of text) {
      const c = ch.codePointAt(0)!;
      const control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
      if (control && ch !== '\n' && !(tab && ch === '\t')) return [ch];
    }
    return null;
  },
});

/** Each command bare, and with each of its switches that change the output. */
const variants: string[][] = COMMANDS.flatMap((c) => [
  [c.name],
  ...Object.entries(c.flags)
    .filter(([name, f]) => f.kind !== 'value' && name !== 'help' && name !== 'quiet')
    .map(([name, f]) => [c.name, f.kind === 'bool=' ? `--${name}=false` : `--${name}`]),
  ...(c.flags.layer ? [[c.name, '--layer', '0']] : []),
  ...(c.flags.image ? [[c.name, '--image', 'localhost/app:1']] : []),
]);

describe('the CLI lets no escape sequence from an archive reach the terminal', () => {
  it('covers every command of the table', () => {
    expect(new Set(variants.map((v) => v[0]))).toEqual(new Set(COMMANDS.map((c) => c.name)));
  });

  for (const v of variants) {
    it(`layerscope ${v.join(' ')}`, async () => {
      const [command, ...flags] = v;
      const r = await cli([command!, archive, ...flags]);
      const text = r.out + r.err;
      expect(text.length).toBeGreaterThan(0);
      const found = controls(command === 'files').exec(text);
      expect(
        found,
        found ? `U+${found[0].codePointAt(0)!.toString(16)} in ${JSON.stringify(text)}` : '',
      ).toBeNull();
      if (
        (r.code === 0 && r.out.trimStart().startsWith('{')) ||
        r.out.trimStart().startsWith('[')
      ) {
        // JSON keeps the strings: its escapes are JSON's, and parsing gives the archive's text.
        const doc = JSON.stringify(JSON.parse(r.out));
        expect(ALL.some((s) => doc.includes(JSON.stringify(s).slice(1, -1)))).toBe(true);
      }
    });
  }

  it('a warning naming an entry of the archive is escaped, on stderr', async () => {
    const r = await cli(['ls', broken]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^warning: .*is missing from the archive/);
    expect(controls(false).exec(r.out + r.err)).toBeNull();
    // The sequence is shown, visibly: `\e` for ESC, as `ls` and `git` do.
    expect(r.err).toContain('gone\\e]0;pwned');
  });

  it('an error naming an entry of the archive is escaped too', async () => {
    const r = await cli(['history', missingConfig]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: /);
    expect(controls(false).exec(r.out + r.err)).toBeNull();
    expect(r.err).toContain('cfg\\e]0;pwned');
  });
});
