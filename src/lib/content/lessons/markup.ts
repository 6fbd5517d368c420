/**
 * The tiny markup of lesson texts: paragraphs separated by a blank line, `code` in backticks and
 * **bold** in double asterisks. Nothing else is special; a single newline inside a paragraph is a
 * space. The runner renders the spans as text nodes (never as HTML), so `<missing>` or `<none>` in
 * a lesson is shown literally.
 */

export interface Span {
  kind: 'text' | 'code' | 'bold';
  text: string;
}

/** One paragraph: a list of spans. */
export type Paragraph = Span[];

export interface MarkupResult {
  paragraphs: Paragraph[];
  problems: string[];
}

/** Parses lesson markup. Problems (an unclosed backtick or `**`, an empty span) are reported. */
export function parseMarkup(text: string): MarkupResult {
  const problems: string[] = [];
  const paragraphs: Paragraph[] = [];
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  for (const block of blocks) {
    const flat = block.replace(/\s*\n\s*/g, ' ');
    const spans: Span[] = [];
    let kind: Span['kind'] = 'text';
    let buf = '';
    const push = () => {
      if (buf.length === 0) {
        if (kind !== 'text') problems.push(`empty ${kind} span in "${flat.slice(0, 40)}…"`);
      } else {
        const last = spans.at(-1);
        if (last && last.kind === kind) last.text += buf;
        else spans.push({ kind, text: buf });
      }
      buf = '';
    };
    for (let i = 0; i < flat.length; i++) {
      const ch = flat[i]!;
      if (ch === '`' && kind !== 'bold') {
        push();
        kind = kind === 'code' ? 'text' : 'code';
      } else if (ch === '*' && flat[i + 1] === '*' && kind !== 'code') {
        push();
        kind = kind === 'bold' ? 'text' : 'bold';
        i++;
      } else {
        buf += ch;
      }
    }
    if (kind !== 'text') problems.push(`unclosed ${kind} span in "${flat.slice(0, 40)}…"`);
    kind = 'text';
    push();
    paragraphs.push(spans);
  }
  return { paragraphs, problems };
}

/** The text outside code spans (for language and sentence checks). */
export function proseOf(text: string): string {
  return parseMarkup(text)
    .paragraphs.map((p) => p.map((s) => (s.kind === 'code' ? 'X' : s.text)).join(''))
    .join('\n');
}

/** Plain text with the markup removed (for searching and for screen readers). */
export function plainText(text: string): string {
  return parseMarkup(text)
    .paragraphs.map((p) => p.map((s) => s.text).join(''))
    .join('\n\n');
}
