/**
 * COPY and ADD: sources (paths, or heredocs that become files), destination and flags, with
 * BuildKit's checks (at least two arguments, no heredoc as the destination).
 */
import type { Node } from './ast.js';
import { LocalSyntaxError } from './errors.js';
import type { BuilderFlags } from './flags.js';
import { chompHeredocContent, parseHeredocWord } from './heredoc.js';
import type * as I from './instruction-types.js';
import { instructionBase as base } from './instruction-types.js';

const noDestination = (command: string): never => {
  throw new LocalSyntaxError(
    `${command} requires at least two arguments, but only one was provided. Destination could not be determined`,
  );
};

function sourcesAndDest(node: Node, command: string): Pick<I.CopyInstruction, 'sources' | 'sourceContents' | 'dest'> {
  const args = node.args;
  const dest = args[args.length - 1] ?? '';
  const sources: string[] = [];
  const sourceContents: I.SourceContent[] = [];
  const heredocWord = (word: string): ReturnType<typeof parseHeredocWord> => {
    if (node.json) return null;
    try {
      return parseHeredocWord(word);
    } catch {
      return null;
    }
  };
  if (heredocWord(dest)) throw new LocalSyntaxError(`${command} cannot accept a heredoc as a destination`);
  for (const source of args.slice(0, -1)) {
    const doc = heredocWord(source);
    if (!doc) {
      sources.push(source);
      continue;
    }
    const body = node.heredocs.find((heredoc) => heredoc.name === doc.name)?.content ?? '';
    sourceContents.push({ path: doc.name, data: doc.chomp ? chompHeredocContent(body) : body, expand: doc.expand });
  }
  return { sources, sourceContents, dest };
}

export function parseCopy(node: Node, flags: BuilderFlags): I.CopyInstruction {
  if (node.args.length < 2) noDestination('COPY');
  const chown = flags.string('chown');
  const from = flags.string('from');
  const chmod = flags.string('chmod');
  const link = flags.bool('link');
  const parents = flags.bool('parents');
  const exclude = flags.strings('exclude');
  flags.parse();
  const copy: I.CopyInstruction = {
    kind: 'COPY',
    ...base(node),
    ...sourcesAndDest(node, 'COPY'),
    link: link(),
    parents: parents(),
    exclude: exclude(),
    json: node.json,
    heredocs: node.heredocs,
  };
  const [fromValue, chownValue, chmodValue] = [from(), chown(), chmod()];
  if (fromValue !== undefined) copy.from = fromValue;
  if (chownValue !== undefined) copy.chown = chownValue;
  if (chmodValue !== undefined) copy.chmod = chmodValue;
  return copy;
}

export function parseAdd(node: Node, flags: BuilderFlags): I.AddInstruction {
  if (node.args.length < 2) noDestination('ADD');
  const chown = flags.string('chown');
  const chmod = flags.string('chmod');
  const link = flags.bool('link');
  const keepGitDir = flags.bool('keep-git-dir');
  const checksum = flags.string('checksum');
  const exclude = flags.strings('exclude');
  const unpack = flags.bool('unpack');
  flags.parse();
  const used = new Set(flags.usedNames());
  const add: I.AddInstruction = {
    kind: 'ADD',
    ...base(node),
    ...sourcesAndDest(node, 'ADD'),
    link: link(),
    exclude: exclude(),
    json: node.json,
    heredocs: node.heredocs,
  };
  const [chownValue, chmodValue, checksumValue] = [chown(), chmod(), checksum()];
  if (chownValue !== undefined) add.chown = chownValue;
  if (chmodValue !== undefined) add.chmod = chmodValue;
  if (checksumValue !== undefined) add.checksum = checksumValue;
  if (used.has('keep-git-dir')) add.keepGitDir = keepGitDir();
  if (used.has('unpack')) add.unpack = unpack();
  return add;
}
