/**
 * `import -c` / `commit -c`: the Dockerfile instructions docker allows there (CMD, ENTRYPOINT,
 * ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR, STOPSIGNAL), applied to an image's config.
 * Values are taken literally apart from quotes; there are no variables to expand at import time.
 */
import { InvalidArgumentError } from '../errors/index.js';
import type { ContainerConfig } from '../oci/index.js';

const ALLOWED = [
  'CMD',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'LABEL',
  'ONBUILD',
  'USER',
  'VOLUME',
  'WORKDIR',
  'STOPSIGNAL',
];

/** Splits on unquoted whitespace, removing quotes and backslash escapes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? '';
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < text.length) current += text[++i] ?? '';
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === '\\' && i + 1 < text.length) {
      current += text[++i] ?? '';
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote) throw new InvalidArgumentError(`unterminated quote in: ${text}`);
  if (inWord) words.push(current);
  return words;
}

/** JSON exec form (`["a","b"]`) or undefined when the text is shell form. */
function jsonList(text: string): string[] | undefined {
  if (!text.trim().startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  } catch {
    // not JSON: docker treats it as shell form
  }
  return undefined;
}

/** `KEY=value …` pairs, or the legacy `KEY value with spaces` form. */
function pairs(keyword: string, text: string): [string, string][] {
  const words = splitWords(text);
  const [first] = words;
  if (first === undefined) throw new InvalidArgumentError(`${keyword} requires at least one argument`);
  if (!first.includes('=')) {
    const rest = text
      .trim()
      .slice(text.trim().indexOf(first) + first.length)
      .trim();
    return [[first, splitWords(rest).join(' ')]];
  }
  return words.map((word) => {
    const equals = word.indexOf('=');
    if (equals <= 0) throw new InvalidArgumentError(`${keyword} names can not be blank: ${word}`);
    return [word.slice(0, equals), word.slice(equals + 1)];
  });
}

function setEnv(env: string[], key: string, value: string): string[] {
  return [...env.filter((entry) => entry.split('=', 1)[0] !== key), `${key}=${value}`];
}

/** Applies one change line to `config` (returns a new object). */
export function applyChange(config: ContainerConfig, line: string): ContainerConfig {
  const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(line);
  const keyword = match?.[1]?.toUpperCase() ?? '';
  const rest = (match?.[2] ?? '').trim();
  if (!ALLOWED.includes(keyword)) {
    throw new InvalidArgumentError(
      `${keyword || line} is not a valid change command (allowed: ${ALLOWED.join(', ')})`,
    );
  }
  const next: ContainerConfig = { ...config };
  switch (keyword) {
    case 'CMD':
    case 'ENTRYPOINT': {
      const argv = jsonList(rest) ?? ['/bin/sh', '-c', rest];
      if (keyword === 'CMD') next.Cmd = argv;
      else next.Entrypoint = argv;
      break;
    }
    case 'ENV':
      for (const [key, value] of pairs(keyword, rest)) next.Env = setEnv(next.Env ?? [], key, value);
      break;
    case 'LABEL':
      next.Labels = { ...next.Labels, ...Object.fromEntries(pairs(keyword, rest)) };
      break;
    case 'EXPOSE': {
      const ports: Record<string, object> = { ...next.ExposedPorts };
      for (const port of splitWords(rest)) ports[port.includes('/') ? port : `${port}/tcp`] = {};
      next.ExposedPorts = ports;
      break;
    }
    case 'VOLUME': {
      const volumes: Record<string, object> = { ...next.Volumes };
      for (const path of jsonList(rest) ?? splitWords(rest)) volumes[path] = {};
      next.Volumes = volumes;
      break;
    }
    case 'ONBUILD':
      next.OnBuild = [...(next.OnBuild ?? []), rest];
      break;
    case 'USER':
      next.User = rest;
      break;
    case 'WORKDIR':
      next.WorkingDir = rest;
      break;
    case 'STOPSIGNAL':
      next.StopSignal = rest;
      break;
  }
  return next;
}

export function applyChanges(config: ContainerConfig, lines: readonly string[]): ContainerConfig {
  return lines.reduce(applyChange, config);
}
