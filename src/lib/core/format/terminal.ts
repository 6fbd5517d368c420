/**
 * Text from an archive on its way to a terminal. Tags, `created_by`, comments, file names, link
 * targets and error messages are the archive author's words, and a terminal acts on some
 * characters instead of showing them: ESC and the 8-bit CSI start sequences that move the cursor,
 * clear the screen, set the window title (OSC 0/2), forge hyperlinks (OSC 8) or write the
 * clipboard (OSC 52); BEL, backspace and CR overwrite what was printed. Every such character is
 * shown as a visible escape instead, as git quotes paths and `ls -b` / `ls -q` do, so the output
 * can be read and nothing in it runs.
 *
 * Kept: `\n` (the output's own lines; docker keeps a newline inside CREATED BY too) and `\t` (the
 * `files` listing's separator, and tabwriter input). Also shown escaped: the bidi controls that
 * reorder what is displayed (U+202A–U+202E, U+2066–U+2069, "Trojan Source"), which are not
 * terminal commands but make a line read differently from what it is.
 */

const NAMED: Record<number, string> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0b: '\\v',
  0x0c: '\\f',
  0x0d: '\\r',
  0x1b: '\\e',
};

// C0 but \t and \n, DEL, C1, the bidi embeddings/overrides and isolates.
const UNSAFE_CLASS =
  '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]';
const UNSAFE = new RegExp(UNSAFE_CLASS, 'g');
/** The same class without `g`: `test` on a global RegExp keeps state between calls. */
const HAS_UNSAFE = new RegExp(UNSAFE_CLASS);

const hex = (c: number, width: number) => c.toString(16).padStart(width, '0');

function escapeOne(ch: string): string {
  const c = ch.charCodeAt(0);
  const named = NAMED[c];
  if (named) return named;
  return c <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`;
}

/** `s` with every character a terminal would act on shown as a visible escape (`\e`, `\x9b`…). */
export function escapeTerminal(s: string): string {
  return HAS_UNSAFE.test(s) ? s.replace(UNSAFE, escapeOne) : s;
}

/**
 * JSON text safe for a terminal and still the same JSON: `JSON.stringify` already escapes C0
 * controls, which leaves DEL, C1 and the bidi controls, here written as `\u` escapes (they can only
 * occur inside strings, where `\uXXXX` means the same character).
 */
export function escapeTerminalJson(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (ch) => `\\u${hex(ch.charCodeAt(0), 4)}`,
  );
}

/** Whether `s` holds a character {@link escapeTerminal} would escape. */
export function hasTerminalControls(s: string): boolean {
  return HAS_UNSAFE.test(s);
}
