/**
 * URL builders for the distribution spec's endpoints (end-1 … end-14), the one place that knows
 * the paths. Each returns a path (or a URL for upload locations, which the registry hands out),
 * and `distributionEndpoints` says the method and the statuses that mean success, so the client
 * and the conformance table agree on one source.
 */
export interface EndpointSpec {
  methods: readonly string[];
  success: readonly number[];
  failure: readonly number[];
}

export const distributionEndpoints = {
  'end-1': { methods: ['GET'], success: [200], failure: [404, 401] },
  'end-2': { methods: ['GET', 'HEAD'], success: [200], failure: [404] },
  'end-3': { methods: ['GET', 'HEAD'], success: [200], failure: [404] },
  'end-4a': { methods: ['POST'], success: [202], failure: [404] },
  'end-4b': { methods: ['POST'], success: [201, 202], failure: [404, 400] },
  'end-4c': { methods: ['POST'], success: [201, 202], failure: [404, 400] },
  'end-5': { methods: ['PATCH'], success: [202], failure: [404, 416] },
  'end-6': { methods: ['PUT'], success: [201], failure: [404, 400, 416] },
  'end-7a': { methods: ['PUT'], success: [201], failure: [404, 413] },
  'end-7b': { methods: ['PUT'], success: [201], failure: [404, 413] },
  'end-8a': { methods: ['GET'], success: [200], failure: [404] },
  'end-8b': { methods: ['GET'], success: [200], failure: [404] },
  'end-9': { methods: ['DELETE'], success: [202], failure: [404, 400, 405] },
  'end-10': { methods: ['DELETE'], success: [202], failure: [404, 400, 405] },
  'end-11': { methods: ['POST'], success: [201, 202], failure: [404] },
  'end-12a': { methods: ['GET'], success: [200], failure: [404, 400] },
  'end-12b': { methods: ['GET'], success: [200], failure: [404, 400] },
  'end-13': { methods: ['GET'], success: [204], failure: [404] },
  'end-14': { methods: ['DELETE'], success: [204], failure: [404, 400] },
} as const satisfies Record<string, EndpointSpec>;

export type EndpointId = keyof typeof distributionEndpoints;

/** Names, tags and digests are URL-safe by their grammars, so they go into paths as they are. */
function repo(name: string): string {
  return `/v2/${name}`;
}

function query(params: Array<[string, string | number | undefined]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of params) if (value !== undefined) search.append(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** end-1: the version check, where auth challenges are learnt. */
export function pingPath(): string {
  return '/v2/';
}

/** end-2 (GET/HEAD) and end-10 (DELETE). */
export function blobPath(name: string, digest: string): string {
  return `${repo(name)}/blobs/${digest}`;
}

/** end-3 (GET/HEAD), end-7a (PUT) and end-9 (DELETE); `tags` gives end-7b. */
export function manifestPath(name: string, reference: string, tags: readonly string[] = []): string {
  return `${repo(name)}/manifests/${reference}${query(tags.map((tag) => ['tag', tag]))}`;
}

export interface UploadStartOptions {
  /** end-4b: a monolithic upload in the POST itself. */
  digest?: string;
  /** end-4c. */
  digestAlgorithm?: string;
  /** end-11: cross-repository mount of `mount` from repository `from`. */
  mount?: string;
  from?: string;
}

/** end-4a/4b/4c/11: starts an upload session (or mounts). */
export function uploadStartPath(name: string, options: UploadStartOptions = {}): string {
  return `${repo(name)}/blobs/uploads/${query([
    ['mount', options.mount],
    ['from', options.from],
    ['digest', options.digest],
    ['digest-algorithm', options.digestAlgorithm],
  ])}`;
}

/**
 * The upload location a registry returned (absolute or relative), resolved against the registry
 * base; end-5/13/14 use it as is.
 */
export function uploadLocation(base: URL, location: string): URL {
  return new URL(location, base);
}

/** end-6: closes an upload; the location may carry its own query (`_state=`), so append. */
export function uploadCompleteUrl(location: URL, digest: string): URL {
  const url = new URL(location);
  url.searchParams.append('digest', digest);
  return url;
}

/** end-8a/8b. */
export function tagsListPath(name: string, options: { n?: number; last?: string } = {}): string {
  return `${repo(name)}/tags/list${query([
    ['n', options.n],
    ['last', options.last],
  ])}`;
}

/** end-12a/12b. */
export function referrersPath(name: string, digest: string, options: { artifactType?: string } = {}): string {
  return `${repo(name)}/referrers/${digest}${query([['artifactType', options.artifactType]])}`;
}
