import { describe, expect, it } from 'vitest';
import { escapeTerminal, escapeTerminalJson, hasTerminalControls } from './terminal';

/** What a hostile archive author writes to take over a terminal. */
const ATTACKS = {
  title: '\u001b]0;pwned\u0007',
  title8: '\u001b]2;pwned\u001b\\',
  clear: '\u001b[2J\u001b[H',
  hyperlink: '\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\',
  clipboard: '\u001b]52;c;cm0gLXJmIH4K\u0007',
  csi8: '\u009b31m',
  osc8bit: '\u009d0;pwned\u009c',
  overwrite: 'safe\rEVIL',
  backspace: 'abc\b\b\bxyz',
  del: 'a\u007fb',
  bidi: 'invoice-\u202egnp.exe',
  isolate: 'a\u2066b\u2069c',
};

describe('escapeTerminal', () => {
  it.each(Object.entries(ATTACKS))('%s: nothing a terminal acts on is left', (_name, attack) => {
    const out = escapeTerminal(attack);
    expect(hasTerminalControls(out)).toBe(false);
    // Only printable ASCII and the text's own printable characters remain.
    for (const ch of out) {
      const c = ch.codePointAt(0)!;
      expect(c === 0x0a || c === 0x09 || (c >= 0x20 && c !== 0x7f && (c < 0x80 || c > 0x9f))).toBe(
        true,
      );
    }
  });

  it('writes the common controls as the escapes people know', () => {
    expect(escapeTerminal(ATTACKS.title)).toBe('\\e]0;pwned\\a');
    expect(escapeTerminal(ATTACKS.overwrite)).toBe('safe\\rEVIL');
    expect(escapeTerminal(ATTACKS.csi8)).toBe('\\x9b31m');
    expect(escapeTerminal(ATTACKS.bidi)).toBe('invoice-\\u202egnp.exe');
    expect(escapeTerminal('\u0000\u001f')).toBe('\\x00\\x1f');
  });

  it('keeps newlines, tabs and every printable character of any script', () => {
    const text = 'RUN echo 你好\tcafé 🐳 ∑\n#(nop) CMD ["sh"]';
    expect(escapeTerminal(text)).toBe(text);
  });

  it('gives the same answer on every call (no state between calls)', () => {
    for (let i = 0; i < 3; i++) {
      expect(hasTerminalControls('x\u001b')).toBe(true);
      expect(hasTerminalControls('plain')).toBe(false);
    }
  });
});

describe('escapeTerminalJson', () => {
  it('leaves no control in JSON text and parses back to the same value', () => {
    const value = { tags: Object.values(ATTACKS), name: 'café' };
    const json = escapeTerminalJson(JSON.stringify(value, null, 2));
    expect(hasTerminalControls(json)).toBe(false);
    expect(JSON.parse(json)).toEqual(value);
  });
});
