/**
 * What can go wrong talking to a registry, as BerthErrors with one-line messages a user can act
 * on. Registries answer errors as `{"errors":[{"code","message","detail"}]}` (distribution spec);
 * the codes map to stable berth codes `REGISTRY_<CODE>` so scripts can tell them apart.
 */
import { BerthError } from '../errors/index.js';

/** The distribution spec's error codes and their standard descriptions. */
export const distributionErrorCodes = {
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  MANIFEST_BLOB_UNKNOWN: 'manifest references a manifest or blob unknown to registry',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNKNOWN: 'manifest unknown to registry',
  NAME_INVALID: 'invalid repository name',
  NAME_UNKNOWN: 'repository name not known to registry',
  SIZE_INVALID: 'provided length did not match content length',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  UNSUPPORTED: 'the operation is unsupported',
  TOOMANYREQUESTS: 'too many requests',
} as const;

export type DistributionErrorCode = keyof typeof distributionErrorCodes;

export function isDistributionErrorCode(code: string): code is DistributionErrorCode {
  return Object.hasOwn(distributionErrorCodes, code);
}

/** Any error a registry answered with; `registryCode` is the spec's code when it sent one. */
export class RegistryError extends BerthError {
  constructor(
    code: string,
    message: string,
    readonly status?: number,
    readonly registryCode?: string,
    exitCode: 1 | 125 = 1,
  ) {
    super(code, message, exitCode);
  }
}

/** Wrong credentials, or none where the registry wants some. */
export class RegistryAuthError extends RegistryError {
  constructor(message: string, status = 401, registryCode = 'UNAUTHORIZED') {
    super('REGISTRY_UNAUTHORIZED', message, status, registryCode);
  }
}

/** The registry could not be reached or kept failing (network errors, 5xx after retries). */
export class RegistryUnavailableError extends RegistryError {
  constructor(message: string, status?: number) {
    super('REGISTRY_UNAVAILABLE', message, status);
  }
}

/** 429 that did not clear within our retry budget. */
export class TooManyRequestsError extends RegistryError {
  constructor(message: string) {
    super('REGISTRY_TOOMANYREQUESTS', message, 429, 'TOOMANYREQUESTS');
  }
}

/** docker schema1 manifests are deprecated and unsigned-unsafe; docker 20.10+ refuses them too. */
export class UnsupportedManifestError extends RegistryError {
  constructor(message: string) {
    super('REGISTRY_UNSUPPORTED_MANIFEST', message);
  }
}

/** An index without an entry for the platform asked for. */
export class NoMatchingPlatformError extends RegistryError {
  constructor(reference: string, platform: string, available: string[]) {
    super(
      'NO_MATCHING_PLATFORM',
      `no matching manifest for ${platform} in the manifest list entries of ${reference}` +
        (available.length ? ` (available: ${available.join(', ')})` : ''),
    );
  }
}

export interface RegistryErrorContext {
  /** Registry host as the user named it (docker.io, localhost:5000). */
  registry: string;
  repository?: string;
  /** Tag or digest the request was about. */
  reference?: string;
}

interface ErrorBodyEntry {
  code?: unknown;
  message?: unknown;
}

/** The spec's error body, tolerating registries that send text, HTML or nothing. */
export function parseErrorBody(body: string): Array<{ code: string; message: string }> {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return [];
    return (parsed.errors as ErrorBodyEntry[]).map((entry) => ({
      code: typeof entry.code === 'string' ? entry.code : 'UNKNOWN',
      message: typeof entry.message === 'string' ? entry.message : '',
    }));
  } catch {
    return [];
  }
}

function subject(context: RegistryErrorContext): string {
  if (!context.repository) return context.registry;
  const name = `${context.registry}/${context.repository}`;
  if (!context.reference) return name;
  return context.reference.startsWith('sha256:')
    ? `${name}@${context.reference}`
    : `${name}:${context.reference}`;
}

/** One error for one code, with docker-like wording naming the thing it was about. */
export function errorForCode(
  code: string,
  registryMessage: string,
  status: number | undefined,
  context: RegistryErrorContext,
): RegistryError {
  const detail = registryMessage || (isDistributionErrorCode(code) ? distributionErrorCodes[code] : code);
  switch (code) {
    case 'UNAUTHORIZED':
      return new RegistryAuthError(
        `unauthorized: authentication required for ${subject(context)}`,
        status,
        code,
      );
    case 'DENIED':
      return new RegistryAuthError(
        `denied: requested access to ${subject(context)} is denied (not logged in, or no permission)`,
        status,
        code,
      );
    case 'NAME_UNKNOWN':
      return new RegistryError(
        'REGISTRY_NAME_UNKNOWN',
        `repository ${context.registry}/${context.repository ?? '?'} not found: does not exist or may require 'berth login'`,
        status,
        code,
      );
    case 'MANIFEST_UNKNOWN':
      return new RegistryError(
        'REGISTRY_MANIFEST_UNKNOWN',
        `manifest for ${subject(context)} not found: manifest unknown`,
        status,
        code,
      );
    case 'BLOB_UNKNOWN':
      return new RegistryError(
        'REGISTRY_BLOB_UNKNOWN',
        `blob unknown to registry: ${context.reference ?? '?'} in ${subject({ ...context, reference: undefined })}`,
        status,
        code,
      );
    case 'TOOMANYREQUESTS':
      return new TooManyRequestsError(`toomanyrequests: ${detail} (${context.registry})`);
    default:
      return new RegistryError(
        `REGISTRY_${code}`,
        `${code.toLowerCase()}: ${detail} (${subject(context)})`,
        status,
        code,
      );
  }
}

/** Maps a failed response (status + body) to the error a user should see. */
export function registryErrorFromResponse(
  status: number,
  body: string,
  context: RegistryErrorContext,
): RegistryError {
  const [first] = parseErrorBody(body);
  if (first) return errorForCode(first.code, first.message, status, context);
  if (status === 401) return errorForCode('UNAUTHORIZED', '', status, context);
  if (status === 403) return errorForCode('DENIED', '', status, context);
  if (status === 429) return errorForCode('TOOMANYREQUESTS', '', status, context);
  if (status === 404) {
    if (context.reference) return errorForCode('MANIFEST_UNKNOWN', '', status, context);
    return errorForCode('NAME_UNKNOWN', '', status, context);
  }
  if (status >= 500)
    return new RegistryUnavailableError(`registry ${context.registry} failed: HTTP ${status}`, status);
  return new RegistryError(
    'REGISTRY_ERROR',
    `registry ${context.registry} answered HTTP ${status} for ${subject(context)}`,
    status,
  );
}
