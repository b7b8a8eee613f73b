/**
 * Instructions that change only the image config (no container, no layer): what each does to the
 * runtime config, with docker's semantics, and the comment docker's classic builder records in
 * history (`/bin/sh -c #(nop)  CMD ["sh"]`). Values are expanded by the caller where docker
 * expands them.
 */
import type { ContainerConfig, HealthConfig } from '../oci/index.js';
import { goQuote, goQuoteList, type Instruction } from './dockerfile/index.js';
import { BuildError } from './build-errors.js';
import { setEnv } from './build-state.js';

export const DEFAULT_SHELL: readonly string[] = ['/bin/sh', '-c'];

export function shellOf(config: ContainerConfig): string[] {
  return config.Shell && config.Shell.length > 0 ? [...config.Shell] : [...DEFAULT_SHELL];
}

/** `created_by` of a metadata step: the shell, `#(nop) ` and the comment, joined by spaces. */
export function nopCreatedBy(config: ContainerConfig, comment: string): string {
  return [...shellOf(config), '#(nop) ', comment].join(' ');
}

/** The WORKDIR/COPY variant, whose comment is glued to `#(nop) ` (one space). */
export function nopStringCreatedBy(config: ContainerConfig, comment: string): string {
  return [...shellOf(config), `#(nop) ${comment}`].join(' ');
}

/** Go's time.Duration.String for nanoseconds. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let rest = Math.abs(ns);
  if (rest < 1e9) {
    const [unit, size] = rest < 1e3 ? ['ns', 1] : rest < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    return `${sign}${trimFraction(rest / size)}${unit}`;
  }
  const hours = Math.floor(rest / 3.6e12);
  rest -= hours * 3.6e12;
  const minutes = Math.floor(rest / 6e10);
  rest -= minutes * 6e10;
  const seconds = trimFraction(rest / 1e9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

function trimFraction(value: number): string {
  return Number(value.toFixed(9)).toString();
}

/** Expanded EXPOSE words → `port/proto` keys, ranges spread out, as nat.ParsePortSpecs does. */
export function exposedPorts(words: string[], line: number, file: string): string[] {
  const ports = new Set<string>();
  for (const word of words) {
    const match = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(word.trim());
    if (!match) throw new BuildError(`${file}:${line}: invalid containerPort: ${word}`);
    const start = Number(match[1]);
    const end = match[2] === undefined ? start : Number(match[2]);
    const proto = (match[3] ?? 'tcp').toLowerCase();
    if (end < start || end > 65535) throw new BuildError(`${file}:${line}: invalid containerPort: ${word}`);
    for (let port = start; port <= end; port++) ports.add(`${port}/${proto}`);
  }
  return [...ports].sort();
}

const SIGNALS = new Set(
  'ABRT ALRM BUS CHLD CLD CONT FPE HUP ILL INT IO IOT KILL PIPE POLL PROF PWR QUIT SEGV STKFLT STOP SYS TERM TRAP TSTP TTIN TTOU URG USR1 USR2 VTALRM WINCH XCPU XFSZ'.split(' '),
);

export function checkStopSignal(signal: string, line: number, file: string): void {
  const upper = signal.toUpperCase().replace(/^SIG/, '');
  if (/^\d+$/.test(signal) && Number(signal) > 0 && Number(signal) < 65) return;
  if (SIGNALS.has(upper) || /^RTMIN(\+\d+)?$|^RTMAX(-\d+)?$/.test(upper)) return;
  throw new BuildError(`${file}:${line}: Invalid signal: ${signal}`);
}

function healthComment(health: HealthConfig): string {
  const retries = health.Retries ?? 0;
  const quotedRetries = retries < 0x20 ? `'\\x${retries.toString(16).padStart(2, '0')}'` : `'${String.fromCharCode(retries)}'`;
  const parts = [
    goQuoteList(health.Test ?? []),
    goQuote(goDuration(health.Interval ?? 0)),
    goQuote(goDuration(health.Timeout ?? 0)),
    goQuote(goDuration(health.StartPeriod ?? 0)),
    goQuote(goDuration(health.StartInterval ?? 0)),
    quotedRetries,
  ];
  return `HEALTHCHECK &{${parts.join(' ')}}`;
}

export interface MetadataResult {
  comment: string;
  apply: (config: ContainerConfig) => void;
  author?: string;
  /** CMD was set in this stage (an ENTRYPOINT after it keeps it). */
  setsCmd?: boolean;
}

/** Per-stage facts the semantics depend on. */
export interface StageFlags {
  cmdSet: boolean;
}

/**
 * The config change and comment of a metadata instruction. `expand`/`expandWords` apply the
 * step's environment (only for the instructions docker expands).
 */
export function metadataStep(
  instruction: Instruction,
  current: ContainerConfig,
  flags: StageFlags,
  expand: (word: string) => string,
  expandWords: (word: string) => string[],
  file: string,
): MetadataResult | undefined {
  const line = instruction.line;
  switch (instruction.kind) {
    case 'CMD': {
      const cmd = instruction.form === 'shell' ? [...shellOf(current), ...instruction.args] : [...instruction.args];
      return { comment: `CMD ${goQuoteList(cmd)}`, apply: (config) => void (config.Cmd = cmd), setsCmd: true };
    }
    case 'ENTRYPOINT': {
      const entrypoint = instruction.form === 'shell' ? [...shellOf(current), ...instruction.args] : [...instruction.args];
      return {
        comment: `ENTRYPOINT ${goQuoteList(entrypoint)}`,
        apply: (config) => {
          config.Entrypoint = entrypoint;
          // An ENTRYPOINT drops the CMD inherited from the base image, not one set in this stage.
          if (!flags.cmdSet) delete config.Cmd;
        },
      };
    }
    case 'ENV': {
      const pairs = instruction.pairs.map(({ key, value }) => [expand(key), expand(value)] as const);
      for (const [key] of pairs) if (key === '') throw new BuildError(`${file}:${line}: ENV names can not be blank`);
      return {
        comment: 'ENV ' + pairs.map(([key, value]) => `${key}=${value}`).join(' '),
        apply: (config) => {
          let env = config.Env ?? [];
          for (const [key, value] of pairs) env = setEnv(env, key, value);
          config.Env = env;
        },
      };
    }
    case 'LABEL': {
      const pairs = instruction.pairs.map(({ key, value }) => [expand(key), expand(value)] as const);
      return {
        comment: 'LABEL ' + pairs.map(([key, value]) => `${key}=${value}`).join(' '),
        apply: (config) => {
          config.Labels = { ...(config.Labels ?? {}) };
          for (const [key, value] of pairs) config.Labels[key] = value;
        },
      };
    }
    case 'MAINTAINER':
      return { comment: `MAINTAINER ${instruction.maintainer}`, apply: () => undefined, author: instruction.maintainer };
    case 'EXPOSE': {
      const ports = exposedPorts(instruction.ports.flatMap(expandWords), line, file);
      return {
        comment: `EXPOSE ${ports.join(' ')}`,
        apply: (config) => {
          config.ExposedPorts = { ...(config.ExposedPorts ?? {}) };
          for (const port of ports) config.ExposedPorts[port] = {};
        },
      };
    }
    case 'VOLUME': {
      const volumes = instruction.volumes.map((volume) => expand(volume));
      for (const volume of volumes) {
        if (volume.trim() === '') throw new BuildError(`${file}:${line}: VOLUME specified can not be an empty string`);
      }
      return {
        comment: `VOLUME [${volumes.join(' ')}]`,
        apply: (config) => {
          config.Volumes = { ...(config.Volumes ?? {}) };
          for (const volume of volumes) config.Volumes[volume] = {};
        },
      };
    }
    case 'USER': {
      const user = expand(instruction.user);
      return { comment: `USER ${user}`, apply: (config) => void (config.User = user) };
    }
    case 'STOPSIGNAL': {
      const signal = expand(instruction.signal);
      checkStopSignal(signal, line, file);
      return { comment: `STOPSIGNAL ${signal}`, apply: (config) => void (config.StopSignal = signal) };
    }
    case 'HEALTHCHECK': {
      const { health } = instruction;
      const healthcheck: HealthConfig =
        'interval' in health
          ? {
              Test: health.test,
              ...(health.interval ? { Interval: health.interval } : {}),
              ...(health.timeout ? { Timeout: health.timeout } : {}),
              ...(health.startPeriod ? { StartPeriod: health.startPeriod } : {}),
              ...(health.startInterval ? { StartInterval: health.startInterval } : {}),
              ...(health.retries ? { Retries: health.retries } : {}),
            }
          : { Test: ['NONE'] };
      return { comment: healthComment(healthcheck), apply: (config) => void (config.Healthcheck = healthcheck) };
    }
    case 'SHELL':
      return { comment: `SHELL [${instruction.shell.join(' ')}]`, apply: (config) => void (config.Shell = [...instruction.shell]) };
    case 'ONBUILD':
      return {
        comment: `ONBUILD ${instruction.trigger}`,
        apply: (config) => void (config.OnBuild = [...(config.OnBuild ?? []), instruction.trigger]),
      };
    default:
      return undefined;
  }
}
