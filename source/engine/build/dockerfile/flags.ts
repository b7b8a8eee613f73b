/**
 * Instruction flags (`--from=…`, `--link`, `--mount=…`), validated like BuildKit's BFlags: each
 * instruction declares the flags it knows, anything else is an error, string flags need `=value`,
 * booleans accept a bare `--flag` or `=true|false`, only list flags may repeat.
 */
import { LocalSyntaxError } from './errors.js';

type FlagKind = 'bool' | 'string' | 'strings';

interface FlagState {
  kind: FlagKind;
  value: string;
  values: string[];
}

export class BuilderFlags {
  private readonly defined = new Map<string, FlagState>();
  private readonly used = new Set<string>();

  constructor(private readonly args: readonly string[]) {}

  bool(name: string): () => boolean {
    const state = this.define(name, 'bool', 'false');
    return () => state.value === 'true';
  }

  /** Returns a getter: undefined when the flag was not given. */
  string(name: string): () => string | undefined {
    const state = this.define(name, 'string', '');
    return () => (this.used.has(name) ? state.value : undefined);
  }

  strings(name: string): () => string[] {
    const state = this.define(name, 'strings', '');
    return () => state.values;
  }

  private define(name: string, kind: FlagKind, value: string): FlagState {
    const state: FlagState = { kind, value, values: [] };
    this.defined.set(name, state);
    return state;
  }

  /** Names of the flags given, in BuildKit's sorted order. */
  usedNames(): string[] {
    return [...this.used].sort();
  }

  /** Validates the given flags against the declared ones; throws on the first problem. */
  parse(): void {
    for (const arg of this.args) {
      if (!arg.startsWith('--')) throw new LocalSyntaxError(`arg should start with -- : ${arg}`);
      if (arg === '--') return;
      let name = arg.slice(2);
      let value = '';
      const eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.slice(eq + 1);
        name = name.slice(0, eq);
      }
      const state = this.defined.get(name);
      if (!state) throw new LocalSyntaxError(`unknown flag: --${name}${this.suggestion(name)}`);
      if (this.used.has(name) && state.kind !== 'strings') {
        throw new LocalSyntaxError(`duplicate flag specified: --${name}`);
      }
      this.used.add(name);
      switch (state.kind) {
        case 'bool': {
          if (eq >= 0 && value === '') throw new LocalSyntaxError(`missing a value on flag: --${name}`);
          const lower = value.toLowerCase();
          if (lower === '') state.value = 'true';
          else if (lower === 'true' || lower === 'false') state.value = lower;
          else throw new LocalSyntaxError(`expecting boolean value for flag --${name}, not: ${value}`);
          break;
        }
        case 'string':
          if (eq < 0) throw new LocalSyntaxError(`missing a value on flag: --${name}`);
          state.value = value;
          break;
        case 'strings':
          if (eq < 0) throw new LocalSyntaxError(`missing a value on flag: --${name}`);
          state.values.push(value);
          break;
      }
    }
  }

  private suggestion(name: string): string {
    const close = closestName(name, [...this.defined.keys()], true);
    return close ? ` (did you mean --${close}?)` : '';
  }
}

/**
 * BuildKit's suggest.WrapError: the closest candidate within edit distance 2, in the case the user
 * wrote (`COPPY` → `COPY`); undefined when nothing is close or the word is itself a candidate.
 */
export function closestName(word: string, candidates: readonly string[], caseSensitive = false): string | undefined {
  const value = caseSensitive ? word : word.toLowerCase();
  let match: string | undefined;
  let minDistance = 3;
  for (const candidate of candidates) {
    const option = caseSensitive ? candidate : candidate.toLowerCase();
    if (option === value) return undefined;
    const distance = editDistance(value, option);
    if (distance < minDistance) {
      minDistance = distance;
      match = option;
    }
  }
  if (match === undefined || caseSensitive) return match;
  if (word === word.toLowerCase()) return match.toLowerCase();
  if (word === word.toUpperCase()) return match.toUpperCase();
  return match;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
