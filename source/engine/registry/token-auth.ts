/**
 * Authorization for one registry: Basic, or Bearer tokens per the distribution token spec
 * (GET <realm>?service=…&scope=… with Basic credentials, or an OAuth2 refresh-token POST when
 * an identity token is stored), cached per scope set until shortly before they expire.
 */
import type { AuthChallenge } from './auth-challenge.js';
import type { Credentials } from './docker-credentials.js';
import { readBody, type HttpTransport } from './http-transport.js';
import { RegistryAuthError, RegistryUnavailableError } from './registry-errors.js';

interface CachedToken {
  value: string;
  expiresAt: number;
}

/** `repository:<name>:pull,push`, the scope string registries expect. */
export function repositoryScope(repository: string, actions: readonly string[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}

function basic(credentials: Credentials): string {
  return (
    'Basic ' + Buffer.from(`${credentials.username ?? ''}:${credentials.password ?? ''}`).toString('base64')
  );
}

export class TokenAuth {
  /** Promises, so parallel requests for the same scopes share one token request. */
  private readonly tokens = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly transport: HttpTransport,
    private readonly registry: string,
    private readonly credentials: () => Promise<Credentials | undefined>,
    private readonly skipVerify: (url: URL) => boolean,
  ) {}

  /** The Authorization header value for these scopes under this challenge (undefined: none). */
  async authorization(
    challenge: AuthChallenge | undefined,
    scopes: readonly string[],
  ): Promise<string | undefined> {
    if (!challenge) return undefined;
    const credentials = await this.credentials();
    if (challenge.scheme === 'basic') return credentials ? basic(credentials) : undefined;
    if (challenge.scheme !== 'bearer') return undefined;
    const key = [...scopes].sort().join(' ');
    let pending = this.tokens.get(key);
    const current = pending && (await pending.catch(() => undefined));
    if (!pending || !current || current.expiresAt <= Date.now()) {
      pending = this.fetchToken(challenge, scopes, credentials);
      this.tokens.set(key, pending);
      pending.catch(() => this.tokens.delete(key));
    }
    return `Bearer ${(await pending).value}`;
  }

  /** Forgets cached tokens (after a 401 says they no longer fit). */
  invalidate(): void {
    this.tokens.clear();
  }

  async fetchToken(
    challenge: AuthChallenge,
    scopes: readonly string[],
    credentials: Credentials | undefined,
  ): Promise<CachedToken> {
    const realm = challenge.params.realm;
    if (!realm)
      throw new RegistryAuthError(`registry ${this.registry} sent a Bearer challenge without a realm`);
    const url = new URL(realm);
    const service = challenge.params.service;
    let response;
    if (credentials?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.identityToken,
      });
      if (service) form.set('service', service);
      form.set('client_id', 'berth');
      if (scopes.length) form.set('scope', scopes.join(' '));
      response = await this.send(url, 'POST', { 'Content-Type': 'application/x-www-form-urlencoded' }, form);
    } else {
      if (service) url.searchParams.set('service', service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      const headers: Record<string, string> = {};
      if (credentials?.username !== undefined) {
        url.searchParams.set('account', credentials.username);
        url.searchParams.set('client_id', 'berth');
        headers.Authorization = basic(credentials);
      }
      response = await this.send(url, 'GET', headers);
    }
    const body = (await readBody(response, 1024 * 1024)).toString('utf8');
    if (response.status === 401 || response.status === 403) {
      throw new RegistryAuthError(
        credentials
          ? `unauthorized: incorrect username or password for ${this.registry}`
          : `unauthorized: authentication required for ${this.registry} (try 'berth login ${this.registry}')`,
        response.status,
      );
    }
    if (response.status !== 200) {
      throw new RegistryUnavailableError(
        `token server ${url.host} for ${this.registry} answered HTTP ${response.status}`,
        response.status,
      );
    }
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      throw new RegistryAuthError(`token server ${url.host} sent an unreadable answer`);
    }
    const value = typeof parsed.token === 'string' ? parsed.token : parsed.access_token;
    if (typeof value !== 'string' || !value)
      throw new RegistryAuthError(`token server ${url.host} sent no token`);
    // The spec's default lifetime is 60 s; refresh 10 s early so a token never expires in flight.
    const lifetime = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 60;
    const issued = typeof parsed.issued_at === 'string' ? Date.parse(parsed.issued_at) : Number.NaN;
    const start = Number.isNaN(issued) ? Date.now() : Math.min(issued, Date.now());
    return { value, expiresAt: start + Math.max(lifetime - 10, lifetime / 2) * 1000 };
  }

  private async send(url: URL, method: string, headers: Record<string, string>, form?: URLSearchParams) {
    try {
      return await this.transport.request({
        method,
        url,
        headers,
        body: form ? Buffer.from(form.toString()) : undefined,
        insecureSkipVerify: this.skipVerify(url),
      });
    } catch (error) {
      throw new RegistryUnavailableError(
        `cannot reach token server ${url.host}: ${(error as Error).message}`,
      );
    }
  }
}

/** The `scope` a 401 asked for, if any (registries name what they need). */
export function challengeScopes(challenge: AuthChallenge): string[] {
  return challenge.params.scope ? challenge.params.scope.split(' ').filter(Boolean) : [];
}
