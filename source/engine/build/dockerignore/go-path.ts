/**
 * Go's path/filepath.Clean and Dir for slash-separated paths. Node's path.posix.normalize keeps
 * a trailing slash and turns `` into `.` differently, and moby's matching depends on the exact Go
 * results (`docs/` → `docs`, `!foo/../bar` → `bar`).
 */
export function goClean(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const element of path.split('/')) {
    if (element === '' || element === '.') continue;
    if (element === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(element);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

export function goDir(path: string): string {
  return goClean(path.slice(0, path.lastIndexOf('/') + 1));
}
