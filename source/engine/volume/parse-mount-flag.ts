/**
 * docker's `--mount`: a CSV record of key=value fields (`type=volume|bind|tmpfs`, `source|src`,
 * `target|dst|destination`, `readonly|ro[=bool]`, `volume-nocopy`, `volume-label=k=v`,
 * `bind-propagation`, `bind-nonrecursive`, `tmpfs-size`, `tmpfs-mode`, `consistency`), with the
 * docker CLI's and daemon's checks. Unlike `-v`, a bind source that does not exist is an error.
 */
import { isAbsolute, posix, resolve } from 'node:path';
import { InvalidVolumeNameError, MountSpecError } from './volume-errors.js';
import { PROPAGATIONS, type MountSpec, type Propagation } from './mount-types.js';
import { checkDestination } from './mount-path.js';
import { isValidVolumeName } from './volume-name.js';

const FLAG = '--mount';

/** Go's encoding/csv for one record: quoted fields may hold commas, `""` is a quote. */
export function splitCsvRecord(text: string): string[] | undefined {
  const fields: string[] = [];
  let index = 0;
  for (;;) {
    let field = '';
    if (text[index] === '"') {
      index++;
      for (;;) {
        if (index >= text.length) return undefined; // unterminated quote
        const char = text[index] as string;
        if (char === '"') {
          if (text[index + 1] === '"') {
            field += '"';
            index += 2;
            continue;
          }
          index++;
          break;
        }
        field += char;
        index++;
      }
      if (index < text.length && text[index] !== ',') return undefined; // extraneous quote
    } else {
      const end = text.indexOf(',', index);
      field = text.slice(index, end < 0 ? text.length : end);
      if (field.includes('"')) return undefined; // bare quote
      index = end < 0 ? text.length : end;
    }
    fields.push(field);
    if (index >= text.length) return fields;
    index++; // the comma
  }
}

function parseBool(text: string): boolean | undefined {
  const value = text.toLowerCase();
  if (['1', 't', 'true'].includes(value)) return true;
  if (['0', 'f', 'false'].includes(value)) return false;
  return undefined;
}

/** docker's RAMInBytes (binary units: 64m = 64 MiB). */
function ramInBytes(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(text.trim());
  if (!match) return undefined;
  const power = ' kmgtp'.indexOf((match[2] ?? '').toLowerCase() || ' ');
  return Math.round(Number(match[1]) * 1024 ** power);
}

export function parseMountFlag(raw: string, cwd = process.cwd()): MountSpec {
  const fail = (why: string): never => {
    throw new MountSpecError(FLAG, raw, why);
  };
  const fields = splitCsvRecord(raw) ?? fail('not a valid CSV record');
  let type = 'volume';
  let source = '';
  let target = '';
  let readOnly = false;
  let noCopy = false;
  let nonRecursive = false;
  let propagation: string | undefined;
  const labels: Record<string, string> = {};
  const tmpfsOptions: string[] = [];
  const used = { volume: false, bind: false, tmpfs: false };
  const bool = (key: string, value: string): boolean =>
    parseBool(value) ?? fail(`invalid value for ${key}: ${value}`);
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    if (value === undefined) {
      if (key === 'readonly' || key === 'ro') readOnly = true;
      else if (key === 'volume-nocopy') [noCopy, used.volume] = [true, true];
      else if (key === 'bind-nonrecursive') [nonRecursive, used.bind] = [true, true];
      else fail(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case 'type':
        type = value.toLowerCase();
        break;
      case 'source':
      case 'src':
        source = value === '.' || value.startsWith('./') ? resolve(cwd, value) : value;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = value;
        break;
      case 'readonly':
      case 'ro':
        readOnly = bool(key, value);
        break;
      case 'consistency':
        if (!['default', 'consistent', 'cached', 'delegated'].includes(value.toLowerCase()))
          fail(`invalid value for consistency: ${value}`);
        break;
      case 'bind-propagation':
        propagation = value.toLowerCase();
        used.bind = true;
        break;
      case 'bind-nonrecursive':
        nonRecursive = bool(key, value);
        used.bind = true;
        break;
      case 'volume-nocopy':
        noCopy = bool(key, value);
        used.volume = true;
        break;
      case 'volume-label': {
        const labelEq = value.indexOf('=');
        labels[labelEq < 0 ? value : value.slice(0, labelEq)] = labelEq < 0 ? '' : value.slice(labelEq + 1);
        used.volume = true;
        break;
      }
      case 'volume-driver':
        if (value !== 'local') fail(`volume driver "${value}" is not available (berth has only "local")`);
        used.volume = true;
        break;
      case 'tmpfs-size': {
        const bytes = ramInBytes(value);
        if (bytes === undefined) fail(`invalid value for ${key}: ${value}`);
        tmpfsOptions.push(`size=${bytes}`);
        used.tmpfs = true;
        break;
      }
      case 'tmpfs-mode':
        if (!/^[0-7]{1,11}$/.test(value) || Number.parseInt(value, 8) > 0xffffffff)
          fail(`invalid value for ${key}: ${value}`);
        tmpfsOptions.push(`mode=${Number.parseInt(value, 8).toString(8)}`);
        used.tmpfs = true;
        break;
      default:
        fail(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (type === '') fail('type is required');
  if (target === '') fail('target is required');
  for (const kind of ['volume', 'bind', 'tmpfs'] as const) {
    if (used[kind] && type !== kind) fail(`cannot mix '${kind}-*' options with mount type '${type}'`);
  }
  const destination = checkDestination(target);
  const mountFail = (why: string): never => fail(`invalid mount config for type "${type}": ${why}`);
  if ('error' in destination) return mountFail(destination.error);
  switch (type) {
    case 'volume':
      if (source === '' && readOnly) mountFail('must not set ReadOnly mode when using anonymous volumes');
      if (source !== '' && !isValidVolumeName(source)) fail(new InvalidVolumeNameError(source).message);
      return {
        type: 'volume',
        ...(source !== '' ? { source } : {}),
        target: destination.path,
        readOnly,
        noCopy,
        labels,
      };
    case 'bind':
      if (source === '') mountFail('field Source must not be empty');
      if (!isAbsolute(source)) mountFail(`invalid mount path: '${source}' mount path must be absolute`);
      if (propagation !== undefined && !(PROPAGATIONS as readonly string[]).includes(propagation)) {
        mountFail(`invalid propagation mode: ${propagation}`);
      }
      return {
        type: 'bind',
        source: posix.normalize(source).replace(/(.)\/+$/, '$1'),
        target: destination.path,
        readOnly,
        ...(propagation ? { propagation: propagation as Propagation } : {}),
        createSource: false,
        nonRecursive,
      };
    case 'tmpfs':
      if (source !== '') mountFail('field Source must not be specified');
      return {
        type: 'tmpfs',
        target: destination.path,
        readOnly,
        options: tmpfsOptions,
        fromTmpfsFlag: false,
      };
    default:
      return mountFail('mount type unknown');
  }
}
