/**
 * Character classes and quoting exactly as Go's `unicode` and `strconv` packages define them.
 * BuildKit and moby are written in Go, and their behaviour at the edges (which characters split
 * words, what TrimSpace removes, how an error quotes its input) follows these definitions rather
 * than JavaScript's `\s` or JSON.stringify.
 */

/** Go's unicode.IsSpace: Latin-1 spaces plus the Unicode White_Space property (not U+FEFF, unlike JS `\s`). */
export function isGoSpace(ch: string): boolean {
  switch (ch) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case '\u0085':
    case '\u00a0':
      return true;
    default:
      return ch.length > 0 && ch.codePointAt(0)! > 0xff && /^[\p{Zs}\u2028\u2029]$/u.test(ch);
  }
}

/** Go's unicode.IsLetter (category L). */
export function isGoLetter(ch: string): boolean {
  return /^\p{L}$/u.test(ch);
}

/** Go's unicode.IsDigit (category Nd). */
export function isGoDigit(ch: string): boolean {
  return /^\p{Nd}$/u.test(ch);
}

/** Go's strings.TrimSpace. */
export function goTrimSpace(text: string): string {
  const chars = Array.from(text);
  let start = 0;
  let end = chars.length;
  while (start < end && isGoSpace(chars[start]!)) start++;
  while (end > start && isGoSpace(chars[end - 1]!)) end--;
  return chars.slice(start, end).join('');
}
