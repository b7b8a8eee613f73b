/**
 * Credentials in docker's own places, so `docker login` and `berth login` share them:
 * $DOCKER_CONFIG/config.json (default ~/.docker/config.json) with `auths` entries holding a
 * base64 `user:password` or an `identitytoken`, and `credHelpers` / `credsStore` naming
 * `docker-credential-<name>` programs that speak JSON over stdin/stdout.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BerthError, StoreCorruptError } from '../errors/index.js';
import { DOCKER_HUB_AUTH_KEY, DOCKER_HUB_REGISTRY } from './registry-config.js';

export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token from a previous login (docker's `identitytoken`). */
  identityToken?: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [key: string]: unknown;
}

export class CredentialHelperError extends BerthError {
  constructor(helper: string, detail: string) {
    super('CREDENTIAL_HELPER_FAILED', `credential helper docker-credential-${helper} failed: ${detail}`, 1);
  }
}

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER_CONFIG) return env.DOCKER_CONFIG;
  return join(env.HOME || homedir(), '.docker');
}

/** The keys an entry for `key` may be stored under (docker normalises old URL-shaped keys). */
function keyVariants(key: string): string[] {
  if (key === DOCKER_HUB_AUTH_KEY) return [key, 'index.docker.io', 'docker.io', DOCKER_HUB_REGISTRY];
  return [key, `https://${key}`, `http://${key}`, `https://${key}/v1/`, `https://${key}/v2/`];
}

function runHelper(helper: string, action: 'get' | 'store' | 'erase', input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      `docker-credential-${helper}`,
      [action],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const message = (stdout || stderr).trim() || error.message;
        reject(
          Object.assign(new CredentialHelperError(helper, message), {
            notFound: /credentials not found/i.test(message),
          }),
        );
      },
    );
    child.stdin?.end(input);
  });
}

export class DockerCredentialStore {
  readonly configPath: string;

  constructor(configDir: string = dockerConfigDir()) {
    this.configPath = join(configDir, 'config.json');
  }

  private async readConfig(): Promise<DockerConfig> {
    let text: string;
    try {
      text = await readFile(this.configPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      return parsed as DockerConfig;
    } catch {
      throw new StoreCorruptError(`${this.configPath} is not valid JSON`);
    }
  }

  /** Same-directory temp file, 0600 from the start (it holds secrets), then rename. */
  private async writeConfig(config: DockerConfig): Promise<void> {
    const dir = join(this.configPath, '..');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = join(dir, `.config.json.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(config, null, '\t') + '\n');
      await handle.sync();
      await handle.close();
      await rename(temp, this.configPath);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw error;
    }
  }

  private helperFor(config: DockerConfig, key: string): string | undefined {
    for (const variant of keyVariants(key)) {
      const helper = config.credHelpers?.[variant];
      if (helper) return helper;
    }
    return config.credsStore || undefined;
  }

  /** Credentials for a registry key (`localhost:5000`, or DOCKER_HUB_AUTH_KEY), if any. */
  async get(key: string): Promise<Credentials | undefined> {
    const config = await this.readConfig();
    const helper = this.helperFor(config, key);
    if (helper) {
      try {
        const answer = JSON.parse(await runHelper(helper, 'get', key)) as {
          Username?: string;
          Secret?: string;
        };
        if (!answer.Secret) return undefined;
        // docker's convention: the username `<token>` marks an identity token.
        if (answer.Username === '<token>') return { identityToken: answer.Secret };
        return { username: answer.Username, password: answer.Secret };
      } catch (error) {
        if ((error as { notFound?: boolean }).notFound) return undefined;
        throw error;
      }
    }
    for (const variant of keyVariants(key)) {
      const entry = config.auths?.[variant];
      if (!entry) continue;
      if (entry.identitytoken)
        return { identityToken: entry.identitytoken, username: decodeUser(entry.auth) };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) throw new StoreCorruptError(`invalid auth entry for ${variant} in ${this.configPath}`);
        return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      }
      if (entry.username && entry.password) return { username: entry.username, password: entry.password };
    }
    return undefined;
  }

  async store(key: string, credentials: Credentials): Promise<void> {
    const config = await this.readConfig();
    const helper = this.helperFor(config, key);
    if (helper) {
      const secret = credentials.identityToken ?? credentials.password ?? '';
      const username = credentials.identityToken ? '<token>' : (credentials.username ?? '');
      await runHelper(
        helper,
        'store',
        JSON.stringify({ ServerURL: key, Username: username, Secret: secret }),
      );
      return;
    }
    const auths = { ...config.auths };
    for (const variant of keyVariants(key)) delete auths[variant];
    const entry: AuthEntry = {};
    if (credentials.username !== undefined && credentials.password !== undefined) {
      entry.auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
    }
    if (credentials.identityToken) entry.identitytoken = credentials.identityToken;
    auths[key] = entry;
    await this.writeConfig({ ...config, auths });
  }

  /** Removes stored credentials; false when there were none. */
  async erase(key: string): Promise<boolean> {
    const config = await this.readConfig();
    const helper = this.helperFor(config, key);
    if (helper) {
      try {
        await runHelper(helper, 'erase', key);
        return true;
      } catch (error) {
        if ((error as { notFound?: boolean }).notFound) return false;
        throw error;
      }
    }
    const auths = { ...config.auths };
    const present = keyVariants(key).filter((variant) => variant in auths);
    if (present.length === 0) return false;
    for (const variant of present) delete auths[variant];
    await this.writeConfig({ ...config, auths });
    return true;
  }
}

function decodeUser(auth: string | undefined): string | undefined {
  if (!auth) return undefined;
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  return decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : undefined;
}
