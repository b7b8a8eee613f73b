/** Small formatting rules the image commands share with docker's output. */

/** docker's short id: 12 hex characters without the algorithm. */
export function shortImageId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** docker's CreatedAt: `2024-01-02 03:04:05 +0000 UTC`. */
export function dockerTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} +0000 UTC`;
}

/** Cuts `text` to `width` characters with docker's ellipsis. */
export function ellipsis(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

/** docker's disk-usage percentage: `1.2MB (45%)`. */
export function percentOf(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '0%';
}
