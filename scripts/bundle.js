// Bundles the compiled CLI (dist/cli/main.js) into dist/bin: one file with its small
// dependencies, so a plain command loads one module instead of a tree of packages. The dashboard
// (ink, react, yoga) is bundled too, into its own chunk behind a dynamic import: plain commands
// never load it, and the dashboard's first frame no longer waits for Node to resolve and
// lex-parse a few hundred package files (~0.95 s → ~0.55 s). node-pty (native) stays a package.
//
// One change to a dependency on the way: string-width (yargs' help layout) creates an
// Intl.Segmenter when its module loads, which costs ~12 ms of ICU setup in every command, help
// or not. Here it is created on first use instead; the text of each copy is otherwise untouched.
import { readFile, rm } from 'node:fs/promises';
import * as esbuild from 'esbuild';

const EAGER_SEGMENTER = 'const segmenter = new Intl.Segmenter();';
const LAZY_SEGMENTER =
  'let segmenterOnce; const segmenter = { segment: (text) => (segmenterOnce ??= new Intl.Segmenter()).segment(text) };';

const lazySegmenter = {
  name: 'lazy-string-width-segmenter',
  setup(build) {
    build.onLoad(
      { filter: /[\\/]node_modules[\\/](?:.*[\\/])?string-width[\\/]index\.js$/ },
      async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes(EAGER_SEGMENTER)) {
          return { contents: text, loader: 'js', warnings: [{ text: `no eager segmenter in ${args.path}` }] };
        }
        return { contents: text.replace(EAGER_SEGMENTER, LAZY_SEGMENTER), loader: 'js' };
      },
    );
  },
};

// Chunks are named by content hash: drop the last build's, so only what this one wrote remains.
await rm('dist/bin', { recursive: true, force: true });

await esbuild.build({
  entryPoints: ['dist/cli/main.js'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  splitting: true,
  // react-devtools-core: ink imports it only with DEV=true, and it is not a dependency of ours.
  external: ['node-pty', 'react-devtools-core'],
  outdir: 'dist/bin',
  entryNames: 'berth',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);",
  },
  plugins: [lazySegmenter],
});
