/**
 * Renders a terminal screen captured with `tmux capture-pane -e -p` (text with SGR escape
 * sequences) as an SVG: one <text> run per stretch of equal style, on a monospace grid.
 * Handles the SGR codes tmux emits: reset, bold, dim, italic, underline, inverse, 16/256/RGB colours.
 */
interface Style {
  fg?: string;
  bg?: string;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
}

const plain = (): Style => ({ bold: false, dim: false, italic: false, underline: false, inverse: false });

// A calm dark palette (xterm order: black red green yellow blue magenta cyan white, then bright).
const palette16 = [
  '#1d1f21',
  '#cc6666',
  '#8fbf6f',
  '#e0b050',
  '#6f9fd8',
  '#b294bb',
  '#6fc3c3',
  '#c5c8c6',
  '#666666',
  '#ff7b7b',
  '#a8e08a',
  '#f5d76e',
  '#8fb8f0',
  '#d3a8e0',
  '#8ee0e0',
  '#ffffff',
];
export const DEFAULT_FG = '#d0d0d0';
export const DEFAULT_BG = '#16181c';

function color256(index: number): string {
  if (index < 16) return palette16[index] ?? DEFAULT_FG;
  if (index < 232) {
    const value = index - 16;
    const level = (n: number): number => (n === 0 ? 0 : 55 + n * 40);
    const hex = (n: number): string => level(n).toString(16).padStart(2, '0');
    return `#${hex(Math.floor(value / 36))}${hex(Math.floor(value / 6) % 6)}${hex(value % 6)}`;
  }
  const grey = (8 + (index - 232) * 10).toString(16).padStart(2, '0');
  return `#${grey}${grey}${grey}`;
}

function applySgr(style: Style, codes: number[]): Style {
  const next = { ...style };
  for (let index = 0; index < codes.length; index++) {
    const code = codes[index] ?? 0;
    if (code === 0) Object.assign(next, plain(), { fg: undefined, bg: undefined });
    else if (code === 1) next.bold = true;
    else if (code === 2) next.dim = true;
    else if (code === 3) next.italic = true;
    else if (code === 4) next.underline = true;
    else if (code === 7) next.inverse = true;
    else if (code === 22) next.bold = next.dim = false;
    else if (code === 23) next.italic = false;
    else if (code === 24) next.underline = false;
    else if (code === 27) next.inverse = false;
    else if (code >= 30 && code <= 37) next.fg = palette16[code - 30];
    else if (code >= 90 && code <= 97) next.fg = palette16[code - 90 + 8];
    else if (code >= 40 && code <= 47) next.bg = palette16[code - 40];
    else if (code >= 100 && code <= 107) next.bg = palette16[code - 100 + 8];
    else if (code === 39) next.fg = undefined;
    else if (code === 49) next.bg = undefined;
    else if (code === 38 || code === 48) {
      const mode = codes[index + 1];
      let value: string | undefined;
      if (mode === 5) {
        value = color256(codes[index + 2] ?? 0);
        index += 2;
      } else if (mode === 2) {
        const [r, g, b] = [codes[index + 2] ?? 0, codes[index + 3] ?? 0, codes[index + 4] ?? 0];
        value = `#${[r, g, b].map((n) => n.toString(16).padStart(2, '0')).join('')}`;
        index += 4;
      }
      if (code === 38) next.fg = value;
      else next.bg = value;
    }
  }
  return next;
}

interface Cell {
  char: string;
  style: Style;
}

export function parseScreen(ansi: string, columns: number): Cell[][] {
  const rows: Cell[][] = [];
  let style = plain();
  for (const line of ansi.replace(/\n$/, '').split('\n')) {
    const row: Cell[] = [];
    const pattern = /\u001b\[([0-9;]*)m|\u001b\[[0-9;?]*[A-Za-z]|([^\u001b])/gu;
    for (const match of line.matchAll(pattern)) {
      if (match[1] !== undefined)
        style = applySgr(style, match[1] === '' ? [0] : match[1].split(';').map(Number));
      else if (match[2] !== undefined) row.push({ char: match[2], style });
    }
    while (row.length < columns) row.push({ char: ' ', style: plain() });
    rows.push(row.slice(0, columns));
  }
  return rows;
}

const escapeXml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export function screenToSvg(ansi: string, columns: number, title: string): string {
  const cellWidth = 8.4;
  const cellHeight = 18;
  const pad = 14;
  const bar = 26;
  const rows = parseScreen(ansi, columns);
  const width = Math.ceil(columns * cellWidth + pad * 2);
  const height = Math.ceil(rows.length * cellHeight + pad * 2 + bar);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" rx="8" fill="${DEFAULT_BG}"/>`,
    `<circle cx="18" cy="14" r="5" fill="#ff5f57"/><circle cx="34" cy="14" r="5" fill="#febc2e"/><circle cx="50" cy="14" r="5" fill="#28c840"/>`,
    `<text x="${width / 2}" y="18" fill="#888" font-family="DejaVu Sans Mono" font-size="12" text-anchor="middle">${escapeXml(title)}</text>`,
    `<g font-family="DejaVu Sans Mono" font-size="14" xml:space="preserve">`,
  ];
  rows.forEach((row, y) => {
    const top = pad + bar + y * cellHeight;
    let x = 0;
    while (x < row.length) {
      const start = row[x] as Cell;
      const same = (cell: Cell): boolean => JSON.stringify(cell.style) === JSON.stringify(start.style);
      let end = x + 1;
      while (end < row.length && same(row[end] as Cell)) end++;
      const text = row
        .slice(x, end)
        .map((cell) => cell.char)
        .join('');
      const { style } = start;
      let fg = style.fg ?? DEFAULT_FG;
      let bg = style.bg;
      if (style.inverse) [fg, bg] = [bg ?? DEFAULT_BG, fg];
      const left = pad + x * cellWidth;
      if (bg)
        parts.push(
          `<rect x="${left}" y="${top}" width="${(end - x) * cellWidth}" height="${cellHeight}" fill="${bg}"/>`,
        );
      if (text.trim()) {
        const attributes = [
          `x="${left}"`,
          `y="${top + 14}"`,
          `fill="${fg}"`,
          `textLength="${(end - x) * cellWidth}"`,
          'lengthAdjust="spacingAndGlyphs"',
          style.bold ? 'font-weight="bold"' : '',
          style.dim ? 'opacity="0.6"' : '',
          style.italic ? 'font-style="italic"' : '',
          style.underline ? 'text-decoration="underline"' : '',
        ].filter(Boolean);
        parts.push(`<text ${attributes.join(' ')}>${escapeXml(text)}</text>`);
      }
      x = end;
    }
  });
  parts.push('</g></svg>');
  return parts.join('\n');
}
