/** `rmi` / `image rm`, `tag` / `image tag` and `image prune`, printing docker's lines. */
import { asBerthError, type RemoveLine } from '../../engine/index.js';
import { openEngine, out, type GlobalOptions } from '../context.js';
import { humanSize } from '../output/human-units.js';
import { confirm } from '../output/confirm.js';

type RemoveArgs = GlobalOptions & { images: string[]; force: boolean; noPrune: boolean };

function lineText(line: RemoveLine, style: 'rmi' | 'prune'): string {
  if ('untagged' in line) return `${style === 'rmi' ? 'Untagged' : 'untagged'}: ${line.untagged}`;
  return `${style === 'rmi' ? 'Deleted' : 'deleted'}: ${line.deleted}`;
}

/** Removes each image in turn; a failure is reported and the rest still go, as docker does. */
export async function removeImagesCommand(argv: RemoveArgs): Promise<void> {
  const engine = await openEngine(argv);
  let exitCode = 0;
  for (const name of argv.images) {
    try {
      const lines = await engine.images.remove(name, { force: argv.force, noPrune: argv.noPrune });
      for (const line of lines) out.line(lineText(line, 'rmi'));
    } catch (thrown) {
      const error = asBerthError(thrown);
      out.error(`berth: ${error.message}`);
      exitCode = Math.max(exitCode, error.exitCode);
    }
  }
  if (exitCode !== 0) process.exitCode = exitCode;
}

export async function tagCommand(argv: GlobalOptions & { source: string; target: string }): Promise<void> {
  const engine = await openEngine(argv);
  await engine.images.tag(argv.source, argv.target);
}

export async function pruneImagesCommand(
  argv: GlobalOptions & { all: boolean; force: boolean },
): Promise<void> {
  if (!argv.force) {
    const warning = argv.all
      ? 'WARNING! This will remove all images without at least one container associated to them.'
      : 'WARNING! This will remove all dangling images.';
    if (!(await confirm(`${warning}\nAre you sure you want to continue? [y/N] `))) return;
  }
  const engine = await openEngine(argv);
  const result = await engine.images.prune({ all: argv.all });
  if (result.lines.length > 0) {
    out.line('Deleted Images:');
    for (const line of result.lines) out.line(lineText(line, 'prune'));
    out.line();
  }
  out.line(`Total reclaimed space: ${humanSize(result.reclaimed)}`);
}
