/**
 * `RUN --mount=type=cache,target=/root/.cache,sharing=locked`: the CSV key=value list BuildKit's
 * commands_runmount.go accepts, with its defaults (bind, read-only unless cache/tmpfs) and checks.
 * Values may still hold `$VARS`: those are validated only when an expander is given (as BuildKit
 * defers them until it can expand).
 */
import { LocalSyntaxError } from './errors.js';
import { goQuote } from '../../util/go-quote.js';

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type CacheSharing = 'shared' | 'private' | 'locked';

export interface RunMount {
  type: MountType;
  from?: string;
  source?: string;
  target?: string;
  readOnly: boolean;
  /** `id=` (cache id, secret or ssh id). */
  id?: string;
  sharing?: CacheSharing;
  required: boolean;
  /** Octal `mode=` as a number. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** tmpfs `size=` in bytes. */
  size?: number;
  /** secret `env=`: expose the secret as this environment variable. */
  env?: string;
}

const mountTypes = new Set<string>(['bind', 'cache', 'tmpfs', 'secret', 'ssh']);
const sharingModes = new Set<string>(['shared', 'private', 'locked']);

/** One CSV record (encoding/csv rules: `"…"` quoting with `""` for a quote). */
export function parseCsvRecord(text: string): string[] {
  if (text === '') throw new LocalSyntaxError('failed to parse csv mounts: EOF');
  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    let field = '';
    if (text[pos] === '"') {
      pos++;
      for (;;) {
        const quote = text.indexOf('"', pos);
        if (quote < 0) throw new LocalSyntaxError('failed to parse csv mounts: extraneous or missing " in quoted-field');
        field += text.slice(pos, quote);
        pos = quote + 1;
        if (text[pos] === '"') {
          field += '"';
          pos++;
          continue;
        }
        if (pos < text.length && text[pos] !== ',') {
          throw new LocalSyntaxError('failed to parse csv mounts: extraneous or missing " in quoted-field');
        }
        break;
      }
    } else {
      const comma = text.indexOf(',', pos);
      field = comma < 0 ? text.slice(pos) : text.slice(pos, comma);
      if (field.includes('"')) throw new LocalSyntaxError('failed to parse csv mounts: bare " in non-quoted-field');
      pos = comma < 0 ? text.length : comma;
    }
    fields.push(field);
    if (pos >= text.length) return fields;
    pos++; // the comma
  }
}

function parseBool(key: string, value: string): boolean {
  const lower = value.toLowerCase();
  if (['1', 't', 'true'].includes(lower)) return true;
  if (['0', 'f', 'false'].includes(lower)) return false;
  throw new LocalSyntaxError(`invalid value for ${key}: ${value}`);
}

function parseUint(key: string, value: string, radix: 8 | 10): number {
  const pattern = radix === 8 ? /^[0-7]+$/ : /^\d+$/;
  const parsed = pattern.test(value) ? Number.parseInt(value, radix) : Number.NaN;
  if (!Number.isFinite(parsed) || parsed > 0xffffffff) throw new LocalSyntaxError(`invalid value ${value} for ${key}`);
  return parsed;
}

/** docker/go-units RAMInBytes: `64m`, `1g`, `512KiB`, plain bytes. */
function parseSize(value: string): number {
  const match = /^(\d+(?:\.\d+)*) ?([kmgtp])?i?b?$/i.exec(value);
  if (!match) throw new LocalSyntaxError(`invalid value ${value} for size`);
  const power = ' kmgtp'.indexOf((match[2] ?? ' ').toLowerCase());
  return Math.floor(Number(match[1]) * 1024 ** power);
}

/**
 * Parses one `--mount` value. Without `expand`, values holding a `$` are kept as written and not
 * validated (they are checked again once the builder expands them).
 */
export function parseRunMount(spec: string, expand?: (word: string) => string): RunMount {
  const mount: RunMount = { type: 'bind', readOnly: false, required: false };
  let readOnlyAuto = true;
  for (const field of parseCsvRecord(spec)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro' || key === 'readwrite' || key === 'rw') {
        mount.readOnly = key === 'readonly' || key === 'ro';
        readOnlyAuto = false;
        continue;
      }
      if (key === 'required' && (mount.type === 'secret' || mount.type === 'ssh')) {
        mount.required = true;
        continue;
      }
      if (key === 'required') throw new LocalSyntaxError(`unexpected key '${key}' for mount type '${mount.type}'`);
      throw new LocalSyntaxError(`invalid field '${field}' must be a key=value pair`);
    }
    let value = field.slice(eq + 1);
    if (expand) value = expand(value);
    else if (key === 'from' && /\$./.test(value)) {
      throw new LocalSyntaxError(`'${key}' doesn't support variable expansion, define alias stage instead`);
    } else if (value.includes('$')) {
      continue;
    }
    switch (key) {
      case 'type':
        if (!mountTypes.has(value.toLowerCase())) throw new LocalSyntaxError(`unsupported mount type ${goQuote(value)}`);
        mount.type = value.toLowerCase() as MountType;
        break;
      case 'from':
        mount.from = value;
        break;
      case 'source':
      case 'src':
        mount.source = value;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        mount.target = value;
        break;
      case 'readonly':
      case 'ro':
        mount.readOnly = parseBool(key, value);
        readOnlyAuto = false;
        break;
      case 'readwrite':
      case 'rw':
        mount.readOnly = !parseBool(key, value);
        readOnlyAuto = false;
        break;
      case 'required':
        if (mount.type !== 'secret' && mount.type !== 'ssh') {
          throw new LocalSyntaxError(`unexpected key '${key}' for mount type '${mount.type}'`);
        }
        mount.required = parseBool(key, value);
        break;
      case 'id':
        mount.id = value;
        break;
      case 'sharing':
        if (!sharingModes.has(value.toLowerCase())) throw new LocalSyntaxError(`unsupported sharing value ${goQuote(value)}`);
        mount.sharing = value.toLowerCase() as CacheSharing;
        break;
      case 'mode':
        mount.mode = parseUint('mode', value, 8);
        break;
      case 'uid':
        mount.uid = parseUint('uid', value, 10);
        break;
      case 'gid':
        mount.gid = parseUint('gid', value, 10);
        break;
      case 'size':
        mount.size = parseSize(value);
        break;
      case 'env':
        mount.env = value;
        break;
      default:
        throw new LocalSyntaxError(`unexpected key '${key}' in '${field}'`);
    }
  }
  validateMount(mount, readOnlyAuto);
  return mount;
}

function validateMount(mount: RunMount, readOnlyAuto: boolean): void {
  const fileInfoAllowed = mount.type === 'secret' || mount.type === 'ssh' || mount.type === 'cache';
  for (const key of ['mode', 'uid', 'gid'] as const) {
    if (mount[key] !== undefined && !fileInfoAllowed) {
      throw new LocalSyntaxError(`${key} not allowed for ${goQuote(mount.type)} type mounts`);
    }
  }
  if (mount.size !== undefined && mount.type !== 'tmpfs') {
    throw new LocalSyntaxError(`size not allowed for ${goQuote(mount.type)} type mounts`);
  }
  if (readOnlyAuto) mount.readOnly = !(mount.type === 'cache' || mount.type === 'tmpfs');
  if (mount.sharing !== undefined && mount.type !== 'cache') {
    throw new LocalSyntaxError(`invalid cache sharing set for ${mount.type} mount`);
  }
  if (mount.type === 'secret') {
    if (mount.from !== undefined) throw new LocalSyntaxError('secret mount should not have a from');
    if (mount.source === undefined && mount.target === undefined && mount.id === undefined && mount.env === undefined) {
      throw new LocalSyntaxError('invalid secret mount. one of source, target required');
    }
    if (mount.source !== undefined && mount.id !== undefined) throw new LocalSyntaxError("both source and id can't be set");
  }
}
