/**
 * TLS material per registry host, the docker way: system CAs plus
 * <certs.d>/<host:port>/*.crt, and a client certificate from *.cert with its *.key.
 * The directory is /etc/docker/certs.d unless BERTH_CERTS_D says otherwise (tests, rootless).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { InvalidArgumentError } from '../errors/index.js';

export function certsDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_CERTS_D || '/etc/docker/certs.d';
}

export interface HostTls {
  /** System roots plus the host's extra CAs; undefined when there are no extras (Node's default). */
  ca?: string[];
  cert?: Buffer;
  key?: Buffer;
}

/** Reads <certsDir>/<host>/ — a missing directory just means "system CAs only". */
export async function loadHostTls(certsDir: string, host: string): Promise<HostTls> {
  if (host.includes('/') || host.startsWith('.'))
    throw new InvalidArgumentError(`invalid registry host: ${host}`);
  const dir = join(certsDir, host);
  const names = await readdir(dir).catch(() => [] as string[]);
  const result: HostTls = {};
  const extraCas: string[] = [];
  for (const name of names.sort()) {
    if (name.endsWith('.crt')) extraCas.push(await readFile(join(dir, name), 'utf8'));
    if (name.endsWith('.cert')) {
      const keyName = name.replace(/\.cert$/, '.key');
      if (!names.includes(keyName)) {
        throw new InvalidArgumentError(`missing key ${keyName} for client certificate ${join(dir, name)}`);
      }
      result.cert = await readFile(join(dir, name));
      result.key = await readFile(join(dir, keyName));
    }
  }
  if (extraCas.length > 0) result.ca = [...rootCertificates, ...extraCas];
  return result;
}
