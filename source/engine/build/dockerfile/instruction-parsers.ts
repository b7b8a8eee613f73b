/**
 * AST node → typed instruction, with BuildKit's argument-count, flag and value checks and its
 * error wording (`ENV requires at least one argument`, `unknown flag: --boo`, …).
 */
import type { Node } from './ast.js';
import { LocalSyntaxError } from './errors.js';
import { BuilderFlags, closestName } from './flags.js';
import { parseGoDuration } from './go-duration.js';
import { goQuote } from '../../util/go-quote.js';
import type * as I from './instruction-types.js';
import { instructionBase as base } from './instruction-types.js';
import { parseAdd, parseCopy } from './copy-instructions.js';
import { parseRunMount } from './run-mount.js';

export const instructionNames = [
  'add',
  'arg',
  'cmd',
  'copy',
  'entrypoint',
  'env',
  'expose',
  'from',
  'healthcheck',
  'label',
  'maintainer',
  'onbuild',
  'run',
  'shell',
  'stopsignal',
  'user',
  'volume',
  'workdir',
] as const;

const fail = (message: string): never => {
  throw new LocalSyntaxError(message);
};
const atLeastOne = (command: string): never => fail(`${command} requires at least one argument`);
const exactlyOne = (command: string): never => fail(`${command} requires exactly one argument`);

/** The node's arguments as BuildKit's nodeArgs sees them (an ONBUILD trigger flattened in). */
function nodeArgs(node: Node): string[] {
  return node.child ? [node.child.keyword, ...nodeArgs(node.child)] : node.args;
}


function keyValues(args: string[], command: string): I.KeyValue[] {
  if (args.length === 0) atLeastOne(command);
  if (args.length % 3 !== 0) fail(`too many arguments to ${command}`);
  const pairs: I.KeyValue[] = [];
  for (let i = 0; i < args.length; i += 3) {
    const key = args[i] ?? '';
    if (key === '') fail(`${command} names can not be blank`);
    pairs.push({ key, value: args[i + 1] ?? '' });
  }
  return pairs;
}

function commandLine(node: Node): { form: I.CommandForm; args: string[] } {
  // Shell form is one string already; BuildKit joins defensively all the same.
  return node.json ? { form: 'exec', args: node.args } : { form: 'shell', args: node.args.length ? [node.args.join(' ')] : [] };
}

function parseFrom(node: Node, flags: BuilderFlags): I.FromInstruction {
  const args = node.args;
  let stageName: string | undefined;
  if (args.length === 3 && (args[1] ?? '').toLowerCase() === 'as') {
    stageName = (args[2] ?? '').toLowerCase();
    if (!/^[a-z][a-z0-9-_.]*$/.test(stageName)) {
      fail(`invalid name for build stage: ${goQuote(args[2] ?? '')}, name can't start with a number or contain symbols`);
    }
  } else if (args.length !== 1) {
    fail('FROM requires either one or three arguments');
  }
  const platform = flags.string('platform');
  flags.parse();
  const from: I.FromInstruction = { kind: 'FROM', ...base(node), image: args[0] ?? '' };
  const platformValue = platform();
  if (platformValue !== undefined) from.platform = platformValue;
  if (stageName !== undefined) from.stageName = stageName;
  return from;
}

function parseRun(node: Node, flags: BuilderFlags): I.RunInstruction {
  const mounts = flags.strings('mount');
  const network = flags.string('network');
  flags.parse();
  const networkValue = network() ?? 'default';
  if (networkValue !== 'default' && networkValue !== 'none' && networkValue !== 'host') {
    fail(`invalid network mode ${goQuote(networkValue)}`);
  }
  return {
    kind: 'RUN',
    ...base(node),
    ...commandLine(node),
    mounts: mounts().map((spec) => parseRunMount(spec)),
    mountSpecs: mounts(),
    network: networkValue as I.RunInstruction['network'],
    heredocs: node.heredocs,
    flagsUsed: flags.usedNames(),
  };
}

function parseInterval(name: string, value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const ns = parseGoDuration(value);
  if (ns === 0) return 0;
  if (ns < 1e6) fail(`Interval ${goQuote(name)} cannot be less than 1ms`);
  return ns;
}

function parseHealthcheck(node: Node, flags: BuilderFlags): I.HealthcheckInstruction {
  if (node.args.length === 0) atLeastOne('HEALTHCHECK');
  const type = (node.args[0] ?? '').toUpperCase();
  const args = node.args.slice(1);
  if (type === 'NONE') {
    if (args.length !== 0) fail('HEALTHCHECK NONE takes no arguments');
    flags.parse();
    return { kind: 'HEALTHCHECK', ...base(node), health: { test: ['NONE'] } };
  }
  const interval = flags.string('interval');
  const timeout = flags.string('timeout');
  const startPeriod = flags.string('start-period');
  const startInterval = flags.string('start-interval');
  const retries = flags.string('retries');
  flags.parse();
  if (type !== 'CMD') fail(`Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
  if (args.length === 0) fail('Missing command after HEALTHCHECK CMD');
  const test = node.json ? ['CMD', ...args] : ['CMD-SHELL', args.join(' ')];
  const health: I.HealthConfig = {
    test,
    interval: parseInterval('interval', interval()),
    timeout: parseInterval('timeout', timeout()),
    startPeriod: parseInterval('start-period', startPeriod()),
    startInterval: parseInterval('start-interval', startInterval()),
    retries: 0,
  };
  const retriesValue = retries();
  if (retriesValue !== undefined && retriesValue !== '') {
    if (!/^[+-]?\d+$/.test(retriesValue) || Math.abs(Number(retriesValue)) > 2 ** 31 - 1) {
      fail(`strconv.ParseInt: parsing ${goQuote(retriesValue)}: invalid syntax`);
    }
    const count = Number(retriesValue);
    if (count < 0) fail(`--retries cannot be negative (${count})`);
    health.retries = count;
  }
  return { kind: 'HEALTHCHECK', ...base(node), health };
}

function parseOnbuild(node: Node, flags: BuilderFlags): I.OnbuildInstruction {
  const args = nodeArgs(node);
  if (args.length === 0) atLeastOne('ONBUILD');
  flags.parse();
  const triggerKeyword = (args[0] ?? '').trim().toUpperCase();
  if (triggerKeyword === 'ONBUILD') fail('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (triggerKeyword === 'MAINTAINER' || triggerKeyword === 'FROM') {
    fail(`${triggerKeyword} isn't allowed as an ONBUILD trigger`);
  }
  let trigger = node.original.replace(/^\s*ONBUILD\s*/i, '');
  for (const heredoc of node.heredocs) trigger += '\n' + heredoc.content + heredoc.name;
  return { kind: 'ONBUILD', ...base(node), trigger, triggerKeyword };
}

function parseArg(node: Node, flags: BuilderFlags): I.ArgInstruction {
  if (node.args.length === 0) atLeastOne('ARG');
  flags.parse();
  const args = node.args.map((word): I.ArgDefinition => {
    const eq = word.indexOf('=');
    if (eq < 0) return { name: word };
    if (eq === 0) fail('ARG names can not be blank');
    return { name: word.slice(0, eq), default: word.slice(eq + 1) };
  });
  return { kind: 'ARG', ...base(node), args };
}

/** Converts one AST node; throws LocalSyntaxError with BuildKit's wording. */
export function parseInstruction(node: Node): I.Instruction {
  const flags = new BuilderFlags(node.flags);
  const args = node.args;
  const single = (command: string): string => {
    if (args.length !== 1) exactlyOne(command);
    flags.parse();
    return args[0] ?? '';
  };
  switch (node.name) {
    case 'from':
      return parseFrom(node, flags);
    case 'run':
      return parseRun(node, flags);
    case 'cmd':
      flags.parse();
      return { kind: 'CMD', ...base(node), ...commandLine(node) };
    case 'entrypoint':
      flags.parse();
      return { kind: 'ENTRYPOINT', ...base(node), ...commandLine(node) };
    case 'env':
      flags.parse();
      return { kind: 'ENV', ...base(node), pairs: keyValues(args, 'ENV'), legacy: args[2] === '' };
    case 'label':
      flags.parse();
      return { kind: 'LABEL', ...base(node), pairs: keyValues(args, 'LABEL'), legacy: args[2] === '' };
    case 'arg':
      return parseArg(node, flags);
    case 'maintainer':
      return { kind: 'MAINTAINER', ...base(node), maintainer: single('MAINTAINER') };
    case 'expose':
      if (args.length === 0) atLeastOne('EXPOSE');
      flags.parse();
      return { kind: 'EXPOSE', ...base(node), ports: [...args].sort() };
    case 'volume': {
      if (args.length === 0) atLeastOne('VOLUME');
      flags.parse();
      const volumes = args.map((volume) => volume.trim());
      if (volumes.includes('')) fail('VOLUME specified can not be an empty string');
      return { kind: 'VOLUME', ...base(node), volumes };
    }
    case 'user':
      return { kind: 'USER', ...base(node), user: single('USER') };
    case 'workdir':
      return { kind: 'WORKDIR', ...base(node), path: single('WORKDIR') };
    case 'copy':
      return parseCopy(node, flags);
    case 'add':
      return parseAdd(node, flags);
    case 'onbuild':
      return parseOnbuild(node, flags);
    case 'stopsignal':
      return { kind: 'STOPSIGNAL', ...base(node), signal: single('STOPSIGNAL') };
    case 'healthcheck':
      return parseHealthcheck(node, flags);
    case 'shell': {
      flags.parse();
      if (args.length === 0) atLeastOne('SHELL');
      if (!node.json) fail('SHELL requires the arguments to be in JSON form');
      return { kind: 'SHELL', ...base(node), shell: args };
    }
    default: {
      const close = closestName(node.keyword, instructionNames);
      return fail(`unknown instruction: ${node.keyword}${close ? ` (did you mean ${close}?)` : ''}`);
    }
  }
}
