/**
 * docker's run/create flag values, parsed and validated with docker's messages, so the CLI and the
 * dashboard refuse the same bad input the same way before anything is created.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from '../errors/index.js';
import { FlagValueError } from './container-errors.js';
import type { RestartPolicy } from './container-record.js';

/** docker's RAMInBytes: 64m, 1g, 512k, 100b, plain bytes. */
export function parseMemory(value: string, flag = '-m, --memory'): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(value.trim());
  if (!match) throw new FlagValueError(flag, value, `invalid size: '${value}'`);
  const power = ' kmgtp'.indexOf((match[2] ?? '').toLowerCase() || ' ');
  const bytes = Math.round(Number(match[1]) * 1024 ** power);
  if (bytes > 0 && bytes < 6 * 1024 * 1024 && flag.includes('memory')) {
    throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
  }
  return bytes;
}

/** --memory-swap: bytes, or -1 for unlimited. */
export function parseMemorySwap(value: string): number {
  if (value.trim() === '-1') return -1;
  return parseMemory(value, '--memory-swap');
}

/** --cpus 1.5 → NanoCpus; docker refuses non-numbers, negatives and more than the machine has. */
export function parseCpus(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) {
    throw new FlagValueError(
      '--cpus',
      value,
      'failed to parse ' + JSON.stringify(value) + ' as a rational number',
    );
  }
  if (number < 0) throw new FlagValueError('--cpus', value, 'invalid value: must be a positive number');
  const cpus = availableParallelism();
  if (number > cpus) {
    throw new InvalidArgumentError(
      `range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`,
    );
  }
  if (number > 0 && number < 0.01) {
    throw new InvalidArgumentError(
      `range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`,
    );
  }
  return Math.round(number * 1e9);
}

export function parseInteger(value: string, flag: string, min = Number.MIN_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(value.trim()))
    throw new FlagValueError(flag, value, 'strconv.ParseInt: parsing "' + value + '": invalid syntax');
  const number = Number(value);
  if (number < min) throw new FlagValueError(flag, value, `must be at least ${min}`);
  return number;
}

/** no | always | unless-stopped | on-failure[:N] */
export function parseRestartPolicy(value: string): RestartPolicy {
  const [name = '', count] = value.split(':', 2);
  switch (name) {
    case '':
    case 'no':
      if (count !== undefined)
        throw new InvalidArgumentError(`maximum retry count cannot be used with restart policy '${name}'`);
      return { Name: 'no', MaximumRetryCount: 0 };
    case 'always':
    case 'unless-stopped':
      if (count !== undefined)
        throw new InvalidArgumentError(`maximum retry count cannot be used with restart policy '${name}'`);
      return { Name: name, MaximumRetryCount: 0 };
    case 'on-failure': {
      const retries = count === undefined ? 0 : Number(count);
      if (!Number.isInteger(retries) || retries < 0)
        throw new InvalidArgumentError(`invalid restart policy format: ${value}`);
      return { Name: 'on-failure', MaximumRetryCount: retries };
    }
    default:
      throw new InvalidArgumentError(`invalid restart policy format: ${value}`);
  }
}

/** docker's -e: `KEY=value` as is, bare `KEY` takes the value from berth's own environment. */
export function expandEnv(entries: string[], environment: NodeJS.ProcessEnv = process.env): string[] {
  const result: string[] = [];
  for (const entry of entries) {
    if (entry.startsWith('=')) throw new InvalidArgumentError(`invalid environment variable: ${entry}`);
    if (entry.includes('=')) result.push(entry);
    else if (environment[entry] !== undefined) result.push(`${entry}=${environment[entry]}`);
  }
  return result;
}

/** --env-file: one KEY=value per line, # comments and blank lines skipped. */
export async function readEnvFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InvalidArgumentError(`open ${path}: no such file or directory`);
  }
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.replace(/^\s+/, ''))
    .filter((line) => line !== '' && !line.startsWith('#'));
  return expandEnv(lines);
}

/** -l KEY=value (or KEY, meaning empty) into docker's Labels map. */
export function parseLabels(entries: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq);
    if (!key) throw new InvalidArgumentError(`invalid label: ${entry}`);
    labels[key] = eq < 0 ? '' : entry.slice(eq + 1);
  }
  return labels;
}

/** --log-opt max-size=10m max-file=3 (json-file only knows these two, plus labels/env). */
export function parseLogOpts(entries: string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`invalid log opt: ${entry}`);
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    if (key === 'max-size') parseMemory(value, '--log-opt max-size');
    else if (key === 'max-file') {
      if (!/^\d+$/.test(value) || Number(value) < 1)
        throw new InvalidArgumentError('max-file cannot be less than 1');
    } else if (!['labels', 'env', 'compress', 'tag'].includes(key)) {
      throw new InvalidArgumentError(`unknown log opt '${key}' for json-file log driver`);
    }
    options[key] = value;
  }
  return options;
}

const SIGNALS = [
  'HUP',
  'INT',
  'QUIT',
  'ILL',
  'TRAP',
  'ABRT',
  'BUS',
  'FPE',
  'KILL',
  'USR1',
  'SEGV',
  'USR2',
  'PIPE',
  'ALRM',
  'TERM',
  'STKFLT',
  'CHLD',
  'CONT',
  'STOP',
  'TSTP',
  'TTIN',
  'TTOU',
  'URG',
  'XCPU',
  'XFSZ',
  'VTALRM',
  'PROF',
  'WINCH',
  'IO',
  'PWR',
  'SYS',
];

/** SIGTERM | TERM | 15 → the name Node's process.kill accepts. */
export function parseSignal(value: string): NodeJS.Signals {
  const text = value.trim().toUpperCase();
  if (/^\d+$/.test(text)) {
    const name = SIGNALS[Number(text) - 1];
    if (name) return `SIG${name}` as NodeJS.Signals;
  }
  const bare = text.replace(/^SIG/, '');
  if (SIGNALS.includes(bare)) return `SIG${bare}` as NodeJS.Signals;
  throw new InvalidArgumentError(`invalid signal: ${value}`);
}

export function signalNumber(signal: NodeJS.Signals): number {
  return SIGNALS.indexOf(signal.replace(/^SIG/, '')) + 1;
}
