/**
 * Reading untrusted JSON into typed image documents without a schema library: each accessor
 * checks one field and throws an InvalidManifestError that names it. Absent and null optional
 * fields read as undefined, as Go's encoding/json (and so docker) treats them.
 */
import { InvalidManifestError, type OciDocumentKind } from './oci-errors.js';

export type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Parses a document's bytes; invalid UTF-8 becomes U+FFFD as in Go, invalid JSON an error. */
export function parseJson(document: OciDocumentKind, input: Uint8Array | string): unknown {
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InvalidManifestError(document, '', `is not valid JSON (${reason})`);
  }
}

export class FieldReader {
  readonly document: OciDocumentKind;
  readonly value: JsonObject;
  /** JSON path of this object, '' at the root. */
  readonly at: string;

  constructor(document: OciDocumentKind, value: unknown, at = '') {
    if (!isObject(value))
      throw new InvalidManifestError(document, at, `must be a JSON object, got ${describe(value)}`);
    this.document = document;
    this.value = value;
    this.at = at;
  }

  path(key: string): string {
    return this.at ? `${this.at}.${key}` : key;
  }

  fail(key: string, problem: string): never {
    throw new InvalidManifestError(this.document, this.path(key), problem);
  }

  private present(key: string): unknown {
    const value = this.value[key];
    return value === null ? undefined : value;
  }

  private require<T>(key: string, read: (key: string) => T | undefined): T {
    const value = read.call(this, key);
    if (value === undefined) this.fail(key, 'is required');
    return value;
  }

  string(key: string): string | undefined {
    const value = this.present(key);
    if (value !== undefined && typeof value !== 'string')
      this.fail(key, `must be a string, got ${describe(value)}`);
    return value;
  }

  requiredString(key: string): string {
    return this.require(key, this.string);
  }

  boolean(key: string): boolean | undefined {
    const value = this.present(key);
    if (value !== undefined && typeof value !== 'boolean')
      this.fail(key, `must be true or false, got ${describe(value)}`);
    return value;
  }

  /** An integer that JSON numbers can hold exactly, at least `min`. */
  integer(key: string, min = Number.MIN_SAFE_INTEGER): number | undefined {
    const value = this.present(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      this.fail(key, `must be an integer${min === 0 ? ' of 0 or more' : ''}, got ${describe(value)}`);
    }
    return value;
  }

  requiredInteger(key: string, min?: number): number {
    return this.require(key, (k) => this.integer(k, min));
  }

  stringArray(key: string): string[] | undefined {
    const value = this.present(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) this.fail(key, `must be an array of strings, got ${describe(value)}`);
    value.forEach((item: unknown, index) => {
      if (typeof item !== 'string') this.fail(`${key}[${index}]`, `must be a string, got ${describe(item)}`);
    });
    return value as string[];
  }

  /** An object whose values are all strings (labels, annotations). */
  stringMap(key: string): Record<string, string> | undefined {
    const value = this.present(key);
    if (value === undefined) return undefined;
    if (!isObject(value)) this.fail(key, `must be an object of strings, got ${describe(value)}`);
    for (const [name, item] of Object.entries(value)) {
      if (typeof item !== 'string') this.fail(`${key}.${name}`, `must be a string, got ${describe(item)}`);
    }
    return value as Record<string, string>;
  }

  /** An object whose values are objects (ExposedPorts and Volumes: Go's map[string]struct{}). */
  objectMap(key: string): Record<string, object> | undefined {
    const value = this.present(key);
    if (value === undefined) return undefined;
    if (!isObject(value)) this.fail(key, `must be an object, got ${describe(value)}`);
    for (const [name, item] of Object.entries(value)) {
      if (!isObject(item)) this.fail(`${key}.${name}`, `must be an object, got ${describe(item)}`);
    }
    return value as Record<string, object>;
  }

  object(key: string): FieldReader | undefined {
    const value = this.present(key);
    return value === undefined ? undefined : new FieldReader(this.document, value, this.path(key));
  }

  requiredObject(key: string): FieldReader {
    return this.require(key, this.object);
  }

  /** An array of objects, one reader per element. */
  objectArray(key: string): FieldReader[] | undefined {
    const value = this.present(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) this.fail(key, `must be an array, got ${describe(value)}`);
    return value.map(
      (item: unknown, index) => new FieldReader(this.document, item, `${this.path(key)}[${index}]`),
    );
  }

  requiredObjectArray(key: string): FieldReader[] {
    return this.require(key, this.objectArray);
  }

  /**
   * The fields of this object that `known` does not list: spread first into the typed result so
   * fields berth does not model survive a re-serialisation.
   */
  rest(known: readonly string[]): JsonObject {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(this.value)) {
      if (!known.includes(key)) out[key] = value;
    }
    return out;
  }
}

/** Copies the defined entries of `fields`, so optional fields absent in the input stay absent. */
export function defined<T extends object>(fields: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(fields) as Array<keyof T>) {
    if (fields[key] !== undefined) out[key] = fields[key];
  }
  return out;
}
