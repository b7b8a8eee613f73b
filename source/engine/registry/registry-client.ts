/**
 * One registry endpoint: picks the scheme (https, or http for insecure registries), learns the
 * auth challenge from `GET /v2/`, and sends requests with the right Authorization, retrying
 * 408/429/5xx and dropped connections with backoff, and re-authorising once on a 401.
 */
import { parseAuthenticate, type AuthChallenge } from './auth-challenge.js';
import type { Credentials } from './docker-credentials.js';
import { pingPath } from './endpoints.js';
import { discardBody, header, readBody, type HttpResponse, type HttpTransport } from './http-transport.js';
import { isInsecureRegistry, registryApiHost } from './registry-config.js';
import {
  RegistryAuthError,
  RegistryError,
  RegistryUnavailableError,
  TooManyRequestsError,
  registryErrorFromResponse,
  type RegistryErrorContext,
} from './registry-errors.js';
import {
  defaultRetryPolicy,
  isRetryableNetworkError,
  isRetryableStatus,
  retryAfterMs,
  waitBeforeRetry,
  type RetryPolicy,
} from './retry-policy.js';
import { challengeScopes, TokenAuth } from './token-auth.js';

export interface RegistryClientOptions {
  /** The reference domain (docker.io, localhost:5000). */
  domain: string;
  transport: HttpTransport;
  insecureRegistries: readonly string[];
  credentials: () => Promise<Credentials | undefined>;
  /** Talk to this base instead (a Docker Hub mirror). */
  baseUrl?: URL;
  retry?: RetryPolicy;
}

export interface RegistryRequest {
  method: string;
  /** A path under the base (`/v2/…`) or an absolute URL (upload locations). */
  path: string | URL;
  /** Scopes this request needs (`repository:name:pull`). */
  scopes?: readonly string[];
  headers?: Record<string, string>;
  body?: Buffer | (() => import('node:stream').Readable);
  /** Statuses returned to the caller instead of raising. */
  expect: readonly number[];
  context?: Partial<RegistryErrorContext>;
  /** Called before each retry, to report it. */
  onRetry?: (reason: string, delayMs: number | undefined) => void;
}

const TLS_PROTOCOL_ERRORS = /EPROTO|wrong version number|ERR_SSL|packet length too long|ECONNRESET/i;

export class RegistryClient {
  readonly domain: string;
  readonly host: string;
  readonly insecure: boolean;
  readonly retry: RetryPolicy;
  private base?: Promise<{ url: URL; skipVerify: boolean; challenge?: AuthChallenge }>;
  private challenge?: AuthChallenge;
  private readonly auth: TokenAuth;

  constructor(private readonly options: RegistryClientOptions) {
    this.domain = options.domain;
    this.host = options.baseUrl?.host ?? registryApiHost(options.domain);
    this.insecure = isInsecureRegistry(this.host, options.insecureRegistries);
    this.retry = options.retry ?? defaultRetryPolicy;
    this.auth = new TokenAuth(options.transport, options.domain, options.credentials, (url) =>
      isInsecureRegistry(url.host, options.insecureRegistries),
    );
  }

  /** Scheme and first challenge, found once per client. */
  private resolveBase(): Promise<{ url: URL; skipVerify: boolean; challenge?: AuthChallenge }> {
    this.base ??= this.negotiate().catch((error: unknown) => {
      this.base = undefined;
      throw error;
    });
    return this.base;
  }

  private async negotiate(): Promise<{ url: URL; skipVerify: boolean; challenge?: AuthChallenge }> {
    if (this.options.baseUrl) {
      const url = this.options.baseUrl;
      return { url, skipVerify: this.insecure, challenge: await this.ping(url, this.insecure) };
    }
    const https = new URL(`https://${this.host}`);
    try {
      return { url: https, skipVerify: false, challenge: await this.ping(https, false) };
    } catch (error) {
      if (!this.insecure || error instanceof RegistryError) throw error;
      const message = (error as Error).message + ' ' + ((error as NodeJS.ErrnoException).code ?? '');
      if (!TLS_PROTOCOL_ERRORS.test(message)) {
        // An insecure registry with a certificate we cannot verify: docker accepts it.
        return { url: https, skipVerify: true, challenge: await this.ping(https, true) };
      }
      const http = new URL(`http://${this.host}`);
      return { url: http, skipVerify: false, challenge: await this.ping(http, false) };
    }
  }

  private async ping(base: URL, skipVerify: boolean): Promise<AuthChallenge | undefined> {
    for (let attempt = 1; ; attempt++) {
      const response = await this.options.transport.request({
        method: 'GET',
        url: new URL(pingPath(), base),
        insecureSkipVerify: skipVerify,
      });
      discardBody(response);
      if (response.status === 401) {
        const value = header(response.headers, 'www-authenticate');
        return value ? pickChallenge(parseAuthenticate(value)) : undefined;
      }
      if (!isRetryableStatus(response.status)) return undefined;
      const wait = this.checkRetryAfter(response);
      if (attempt >= this.retry.attempts) {
        if (response.status === 429) {
          throw new TooManyRequestsError(
            `toomanyrequests: ${this.domain} kept answering 429 after ${attempt} tries`,
          );
        }
        throw new RegistryUnavailableError(
          `registry ${this.domain} answered HTTP ${response.status}`,
          response.status,
        );
      }
      await waitBeforeRetry(attempt, this.retry, wait);
    }
  }

  /** The wait a Retry-After asks for; one beyond our ceiling fails now with a clear message. */
  private checkRetryAfter(response: HttpResponse): number | undefined {
    const wait = retryAfterMs(header(response.headers, 'retry-after'));
    if (wait !== undefined && wait > this.retry.maxRetryAfterMs) {
      throw new TooManyRequestsError(
        `toomanyrequests: ${this.domain} asks to retry after ${Math.ceil(wait / 1000)}s; try again later`,
      );
    }
    return wait;
  }

  /** The challenge the registry sent to the ping (undefined: anonymous access works). */
  async pingChallenge(): Promise<AuthChallenge | undefined> {
    return (await this.resolveBase()).challenge;
  }

  async baseUrl(): Promise<URL> {
    return (await this.resolveBase()).url;
  }

  /** Checks credentials the way `docker login` does: against /v2/ (Basic) or the token server. */
  async verifyCredentials(credentials: Credentials): Promise<void> {
    const { url, skipVerify, challenge } = await this.resolveBase();
    if (!challenge) return;
    if (challenge.scheme === 'bearer') {
      await this.auth.fetchToken(challenge, [], credentials);
      return;
    }
    const basic =
      'Basic ' +
      Buffer.from(`${credentials.username ?? ''}:${credentials.password ?? ''}`).toString('base64');
    const response = await this.options.transport.request({
      method: 'GET',
      url: new URL(pingPath(), url),
      headers: { Authorization: basic },
      insecureSkipVerify: skipVerify,
    });
    discardBody(response);
    if (response.status === 401 || response.status === 403) {
      throw new RegistryAuthError(
        `unauthorized: incorrect username or password for ${this.domain}`,
        response.status,
      );
    }
  }

  async request(request: RegistryRequest): Promise<HttpResponse> {
    const { url: base, skipVerify } = await this.resolveBase();
    const url = typeof request.path === 'string' ? new URL(request.path, base) : request.path;
    const context: RegistryErrorContext = { registry: this.domain, ...request.context };
    let scopes = [...(request.scopes ?? [])];
    let reauthorised = false;
    for (let attempt = 1; ; attempt++) {
      this.challenge ??= (await this.resolveBase()).challenge;
      const authorization = await this.auth.authorization(this.challenge, scopes);
      let response: HttpResponse;
      try {
        response = await this.options.transport.request({
          method: request.method,
          url,
          headers: { ...request.headers, ...(authorization ? { Authorization: authorization } : {}) },
          body: request.body,
          insecureSkipVerify: skipVerify,
        });
      } catch (error) {
        if (attempt < this.retry.attempts && isRetryableNetworkError(error)) {
          request.onRetry?.((error as Error).message, undefined);
          await waitBeforeRetry(attempt, this.retry);
          continue;
        }
        throw new RegistryUnavailableError(`cannot reach ${this.domain}: ${(error as Error).message}`);
      }
      if (response.status === 401 && !reauthorised) {
        const value = header(response.headers, 'www-authenticate');
        const challenge = value ? pickChallenge(parseAuthenticate(value)) : undefined;
        // A new challenge (or a wider scope) deserves one more try; the same one means no access.
        if (challenge && (!authorization || challenge.scheme === 'bearer')) {
          discardBody(response);
          reauthorised = true;
          this.challenge = challenge;
          this.auth.invalidate();
          scopes = [...new Set([...scopes, ...challengeScopes(challenge)])];
          attempt--;
          continue;
        }
      }
      if (request.expect.includes(response.status)) return response;
      if (isRetryableStatus(response.status) && attempt < this.retry.attempts) {
        discardBody(response);
        const wait = this.checkRetryAfter(response);
        request.onRetry?.(`HTTP ${response.status}`, wait);
        await waitBeforeRetry(attempt, this.retry, wait);
        continue;
      }
      const body = request.method === 'HEAD' ? '' : (await readBody(response, 1024 * 1024)).toString('utf8');
      if (response.status === 401 && authorization) {
        const credentials = await this.options.credentials();
        if (credentials && this.challenge?.scheme === 'basic') {
          throw new RegistryAuthError(`unauthorized: incorrect username or password for ${this.domain}`);
        }
      }
      if (response.status === 429) {
        throw new TooManyRequestsError(
          `toomanyrequests: ${this.domain} kept answering 429 after ${attempt} tries`,
        );
      }
      throw registryErrorFromResponse(response.status, body, context);
    }
  }
}

/** Bearer beats Basic when a registry offers both (docker's order). */
function pickChallenge(challenges: AuthChallenge[]): AuthChallenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}
