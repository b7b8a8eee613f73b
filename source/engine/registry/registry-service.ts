/**
 * The engine's registry facet: pull, push, tags, login and logout by reference text, with one
 * client per registry (so tokens and connections are shared within a command), credentials from
 * docker's config and settings from <root>/config.json.
 */
import { InvalidArgumentError, NotFoundError } from '../errors/index.js';
import {
  parseNormalizedReference,
  referenceString,
  withDefaultTag,
  type ImageReference,
} from '../reference/index.js';
import { isDigest, type Digest } from '../util/index.js';
import { BlobSources } from './blob-sources.js';
import { DockerCredentialStore, dockerConfigDir, type Credentials } from './docker-credentials.js';
import { HttpTransport } from './http-transport.js';
import { pullImage, type PullOptions, type PullResult } from './image-pull.js';
import { pushImage, type PushOptions, type PushResult } from './image-push.js';
import { currentPlatform, parsePlatform, type Platform } from './platform.js';
import { RegistryClient } from './registry-client.js';
import {
  authKeyFor,
  DOCKER_HUB_DOMAIN,
  mirrorsFor,
  readRegistrySettings,
  registryApiHost,
  type RegistrySettings,
} from './registry-config.js';
import type { RegistryStores } from './registry-stores.js';
import type { RetryPolicy } from './retry-policy.js';
import { listTags } from './tag-list.js';
import { certsDirectory } from './tls-config.js';

export interface RegistryServiceOptions {
  /** Where <host:port>/*.crt live (default BERTH_CERTS_D or /etc/docker/certs.d). */
  certsDir?: string;
  /** Where docker's config.json lives (default DOCKER_CONFIG or ~/.docker). */
  dockerConfigDir?: string;
  retry?: RetryPolicy;
}

export interface ServicePullOptions extends Omit<PullOptions, 'platform'> {
  /** `linux/arm64/v8` or a parsed platform. */
  platform?: string | Platform;
}

/** `docker login` accepts a host, a URL, or nothing (Docker Hub). */
export function normalizeLoginServer(server?: string): string {
  if (!server) return DOCKER_HUB_DOMAIN;
  const host = server.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (!host) throw new InvalidArgumentError(`invalid registry address: ${server}`);
  return registryApiHost(host) === registryApiHost(DOCKER_HUB_DOMAIN) || host === 'index.docker.io'
    ? DOCKER_HUB_DOMAIN
    : host.toLowerCase();
}

export class RegistryService {
  readonly credentials: DockerCredentialStore;
  readonly sources: BlobSources;
  private readonly transport: HttpTransport;
  private readonly clients = new Map<string, RegistryClient>();
  private settings?: Promise<RegistrySettings>;

  constructor(
    private readonly stores: RegistryStores,
    private readonly options: RegistryServiceOptions = {},
  ) {
    this.transport = new HttpTransport(options.certsDir ?? certsDirectory());
    this.credentials = new DockerCredentialStore(options.dockerConfigDir ?? dockerConfigDir());
    this.sources = new BlobSources(stores.root, stores.locks);
  }

  registrySettings(): Promise<RegistrySettings> {
    this.settings ??= readRegistrySettings(this.stores.configPath);
    return this.settings;
  }

  /** The client for a registry domain (or one of its mirrors), shared within this service. */
  async client(domain: string, mirror?: URL): Promise<RegistryClient> {
    const key = mirror ? `${domain}@${mirror.href}` : domain;
    let client = this.clients.get(key);
    if (!client) {
      const settings = await this.registrySettings();
      let cached: Promise<Credentials | undefined> | undefined;
      client = new RegistryClient({
        domain,
        transport: this.transport,
        insecureRegistries: settings.insecureRegistries,
        // Mirrors get anonymous access: Docker Hub credentials are not theirs to see.
        credentials: () =>
          mirror ? Promise.resolve(undefined) : (cached ??= this.credentials.get(authKeyFor(domain))),
        baseUrl: mirror,
        retry: this.options.retry,
      });
      this.clients.set(key, client);
    }
    return client;
  }

  private async pullClients(domain: string): Promise<RegistryClient[]> {
    const mirrors = mirrorsFor(domain, await this.registrySettings());
    return [
      ...(await Promise.all(mirrors.map((mirror) => this.client(domain, mirror)))),
      await this.client(domain),
    ];
  }

  async pull(reference: string, options: ServicePullOptions = {}): Promise<PullResult> {
    const parsed = parseNormalizedReference(reference);
    const ref: ImageReference = parsed.digest ? parsed : withDefaultTag(parsed);
    const platform =
      typeof options.platform === 'string'
        ? parsePlatform(options.platform)
        : (options.platform ?? currentPlatform());
    const display = referenceString(ref);
    const target = {
      name: `${ref.domain}/${ref.path}`,
      repository: ref.path,
      reference: ref.digest ?? ref.tag ?? 'latest',
      display,
      tags: ref.tag && !ref.digest ? [display] : [],
    };
    options.onProgress?.({ type: 'message', text: `${target.reference}: Pulling from ${ref.path}` });
    const clients = await this.pullClients(ref.domain);
    const pull = () => pullImage(clients, this.stores, target, platform, { ...options, platform });
    const images = this.stores.images;
    const { client, ...result } = images.withLease ? await images.withLease(pull) : await pull();
    const layerDigests =
      (await this.stores.content.readJson<{ layers?: Array<{ digest: string }> }>(result.manifestDigest))
        .layers ?? [];
    await this.sources.record(
      client.domain,
      ref.path,
      layerDigests.map((layer) => layer.digest).filter(isDigest),
    );
    await this.stores.events?.append({
      time: Date.now(),
      kind: 'image',
      action: 'pull',
      id: result.configDigest,
      attributes: { name: display },
    });
    return result;
  }

  /** Every tag of the repository `reference` names. */
  async tags(reference: string): Promise<string[]> {
    const ref = parseNormalizedReference(reference);
    return listTags(await this.client(ref.domain), ref.path);
  }

  /** `pull -a`: every tag of the repository, one after another as docker does. */
  async pullAllTags(reference: string, options: ServicePullOptions = {}): Promise<PullResult[]> {
    const ref = parseNormalizedReference(reference);
    if (ref.tag || ref.digest) throw new InvalidArgumentError("tag can't be used with --all-tags/-a");
    const results: PullResult[] = [];
    for (const tag of await this.tags(reference)) {
      results.push(await this.pull(referenceString({ domain: ref.domain, path: ref.path, tag }), options));
    }
    return results;
  }

  /** Pushes the local manifest (or index) `manifestDigest` as `reference` (tag defaults to latest). */
  async pushManifest(
    reference: string,
    manifestDigest: Digest,
    options: PushOptions = {},
  ): Promise<PushResult> {
    const ref = withDefaultTag(parseNormalizedReference(reference));
    if (ref.digest) throw new InvalidArgumentError(`cannot push to a digest reference: ${reference}`);
    const client = await this.client(ref.domain);
    options.onProgress?.({
      type: 'message',
      text: `The push refers to repository [${ref.domain}/${ref.path}]`,
    });
    const result = await pushImage(
      client,
      ref.path,
      ref.tag ?? 'latest',
      manifestDigest,
      this.stores.content,
      this.sources,
      options,
    );
    await this.stores.events?.append({
      time: Date.now(),
      kind: 'image',
      action: 'push',
      id: manifestDigest,
      attributes: { name: referenceString(ref) },
    });
    return { ...result, reference: referenceString(ref) };
  }

  /** `push NAME[:TAG]`, or with `allTags` every local tag of the repository. */
  async push(reference: string, options: PushOptions & { allTags?: boolean } = {}): Promise<PushResult[]> {
    const parsed = parseNormalizedReference(reference);
    if (parsed.digest) throw new InvalidArgumentError(`cannot push a digest reference: ${reference}`);
    const tags = (await this.stores.images.read?.())?.tags ?? {};
    const repository = `${parsed.domain}/${parsed.path}`;
    let wanted: string[];
    if (options.allTags) {
      if (parsed.tag) throw new InvalidArgumentError("tag can't be used with --all-tags/-a");
      wanted = Object.keys(tags)
        .filter((name) => name.startsWith(`${repository}:`))
        .sort();
      if (wanted.length === 0)
        throw new NotFoundError('image', `${reference} (no local tags)`, 'IMAGE_NOT_FOUND');
    } else {
      wanted = [referenceString(withDefaultTag(parsed))];
    }
    const results: PushResult[] = [];
    for (const name of wanted) {
      const digest = tags[name];
      if (!digest) {
        throw new NotFoundError(
          'image',
          `${name} (an image does not exist locally with this tag)`,
          'IMAGE_NOT_FOUND',
        );
      }
      results.push(await this.pushManifest(name, digest, options));
    }
    return results;
  }

  /** Verifies credentials against the registry, then stores them where docker would. */
  async login(server: string | undefined, credentials: Credentials): Promise<{ server: string }> {
    const domain = normalizeLoginServer(server);
    const client = new RegistryClient({
      domain,
      transport: this.transport,
      insecureRegistries: (await this.registrySettings()).insecureRegistries,
      credentials: () => Promise.resolve(credentials),
      retry: this.options.retry,
    });
    await client.verifyCredentials(credentials);
    await this.credentials.store(authKeyFor(domain), credentials);
    this.clients.delete(domain);
    return { server: domain };
  }

  /** Forgets stored credentials; false when there were none. */
  async logout(server?: string): Promise<{ server: string; removed: boolean }> {
    const domain = normalizeLoginServer(server);
    this.clients.delete(domain);
    return { server: domain, removed: await this.credentials.erase(authKeyFor(domain)) };
  }

  /** Closes idle connections so the process can exit. */
  async close(): Promise<void> {
    await this.transport.close();
  }
}
