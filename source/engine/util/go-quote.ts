/**
 * Go's `strconv.Quote` and `fmt.Sprintf("%q", []string)`: BuildKit's AST dump and docker's error
 * messages quote this way, so the Dockerfile parser and the shell expander share it. The
 * conformance results were produced by Go, so the dump must quote exactly as Go does: `\x00`
 * rather than JSON's `\u0000`, printable non-ASCII kept literal, other runes as `\uNNNN`.
 */

// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space only.
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

const shortEscapes: Record<number, string> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
};

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') {
      out += '\\' + ch;
    } else if (cp === 0x20 || (cp > 0x7e && printable.test(ch)) || (cp > 0x20 && cp < 0x7f)) {
      out += ch;
    } else if (shortEscapes[cp] !== undefined) {
      out += shortEscapes[cp];
    } else if (cp < 0x20 || cp === 0x7f) {
      out += '\\x' + hex(cp, 2);
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate cannot come from valid UTF-8; Go would see the (printable) replacement rune.
      out += '\ufffd';
    } else if (cp < 0x10000) {
      out += '\\u' + hex(cp, 4);
    } else {
      out += '\\U' + hex(cp, 8);
    }
  }
  return out + '"';
}

/** `fmt.Sprintf("%q", values)` for a []string: `["a" "b"]`. */
export function goQuoteList(values: readonly string[]): string {
  return '[' + values.map(goQuote).join(' ') + ']';
}
