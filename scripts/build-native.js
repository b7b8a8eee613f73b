// Builds berth's small C programs at `npm install` (and `npm run build`): every folder
// source/native/<name>/ with .c files becomes build/berth-<name>. Plain cc, like node-gyp's
// executable targets but without its Python/make machinery; skipped with a warning where no
// compiler exists, so the pure-TypeScript parts still install.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const top = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(top, 'source', 'native');
const outDir = join(top, 'build');
mkdirSync(outDir, { recursive: true });

if (existsSync(nativeDir)) {
  for (const name of readdirSync(nativeDir)) {
    const dir = join(nativeDir, name);
    if (!statSync(dir).isDirectory()) continue;
    const sources = readdirSync(dir)
      .filter((file) => file.endsWith('.c'))
      .map((file) => join(dir, file));
    if (sources.length === 0) continue;
    const output = join(outDir, `berth-${name}`);
    const args = ['-O2', '-Wall', '-Wextra', '-std=gnu11', '-o', output, ...sources];
    try {
      execFileSync(process.env.CC || 'cc', args, { stdio: 'inherit' });
    } catch {
      console.error(`berth: could not compile ${output}; containers will not run until it builds`);
      process.exitCode = 1;
    }
  }
}
