/**
 * The control-file syntax of dpkg's databases (deb822, Debian Policy 5.1 "Syntax of control
 * files"): stanzas of `Field: value` lines separated by blank lines, a value continued on lines
 * that start with a space or a tab. Hand-written: it is twenty lines, and no maintained library
 * reports the line a broken stanza fails on, which is what a truncated database needs.
 */

export interface Stanza {
  /** Field names as written; the first value wins when a name repeats. */
  fields: Map<string, string>;
  /** 1-based line of the stanza's first field. */
  line: number;
}

export interface StanzaProblem {
  line: number;
  message: string;
}

/** Every stanza of `text`; a line that is neither a field nor a continuation is a problem. */
export function parseStanzas(text: string): { stanzas: Stanza[]; problems: StanzaProblem[] } {
  const stanzas: Stanza[] = [];
  const problems: StanzaProblem[] = [];
  let cur: Stanza | undefined;
  let last: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') {
      cur = undefined;
      last = undefined;
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      if (!cur || last === undefined) {
        problems.push({ line: i + 1, message: 'a continuation line outside any field' });
        continue;
      }
      cur.fields.set(last, `${cur.fields.get(last)}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) {
      problems.push({ line: i + 1, message: `not a "Field: value" line` });
      last = undefined;
      continue;
    }
    if (!cur) {
      cur = { fields: new Map(), line: i + 1 };
      stanzas.push(cur);
    }
    last = line.slice(0, colon);
    if (!cur.fields.has(last)) cur.fields.set(last, line.slice(colon + 1).trim());
    else last = undefined;
  }
  return { stanzas, problems };
}
