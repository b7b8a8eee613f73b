/**
 * HTTP(S) over Node's own stack: keep-alive agents per host with that host's TLS material,
 * redirects followed by hand so `Authorization` never travels to another host (blob downloads
 * are often redirected to a CDN or S3), and bodies left as streams for the caller.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { loadHostTls, type HostTls } from './tls-config.js';

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  /** A buffer, or a factory for a fresh stream (so the request can be sent again). */
  body?: Buffer | (() => Readable);
  /** Skip certificate checks (insecure registries only). */
  insecureSkipVerify?: boolean;
  /** Follow redirects (default true). */
  followRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  url: URL;
  body: IncomingMessage;
}

const MAX_REDIRECTS = 10;

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads a whole (small) body; registries' JSON answers are kilobytes, `limit` guards the rest. */
export async function readBody(response: HttpResponse, limit = 8 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) {
      response.body.destroy();
      throw new Error(`response from ${response.url.host} is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Throws the rest of a body away so the keep-alive socket can be reused. */
export function discardBody(response: HttpResponse): void {
  response.body.resume();
}

export class HttpTransport {
  private readonly agents = new Map<string, Promise<http.Agent>>();

  constructor(private readonly certsDir: string) {}

  private agentFor(url: URL, skipVerify: boolean): Promise<http.Agent> {
    const key = `${url.protocol}//${url.host}#${skipVerify ? 'insecure' : 'verify'}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = (async () => {
        if (url.protocol === 'http:') return new http.Agent({ keepAlive: true, maxSockets: 16 });
        const tls: HostTls = await loadHostTls(this.certsDir, url.host);
        return new https.Agent({ keepAlive: true, maxSockets: 16, ...tls, rejectUnauthorized: !skipVerify });
      })();
      this.agents.set(key, agent);
    }
    return agent;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    let url = request.url;
    let method = request.method;
    let headers = { ...request.headers };
    let body = request.body;
    for (let hop = 0; ; hop++) {
      const response = await this.send({ ...request, method, url, headers, body });
      const location = header(response.headers, 'location');
      const redirect = [301, 302, 303, 307, 308].includes(response.status);
      if (!redirect || !location || request.followRedirects === false || hop >= MAX_REDIRECTS)
        return response;
      discardBody(response);
      const next = new URL(location, url);
      // Credentials belong to the registry, not to wherever it sends us (a CDN, a bucket).
      if (next.host !== url.host || next.protocol !== url.protocol) {
        headers = Object.fromEntries(
          Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
        );
      }
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  private async send(request: HttpRequest): Promise<HttpResponse> {
    const agent = await this.agentFor(request.url, request.insecureSkipVerify ?? false);
    const client = request.url.protocol === 'https:' ? https : http;
    const body = request.body;
    const headers: Record<string, string> = { 'User-Agent': 'berth/0.1', ...request.headers };
    if (Buffer.isBuffer(body)) headers['Content-Length'] = String(body.length);
    else if (!body && ['POST', 'PUT', 'PATCH'].includes(request.method) && !headers['Content-Length']) {
      headers['Content-Length'] = '0';
    }
    return new Promise<HttpResponse>((resolve, reject) => {
      const outgoing = client.request(request.url, { method: request.method, headers, agent }, (incoming) => {
        resolve({
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          url: request.url,
          body: incoming,
        });
      });
      outgoing.on('error', reject);
      outgoing.setTimeout(120_000, () =>
        outgoing.destroy(new Error(`timed out talking to ${request.url.host}`)),
      );
      if (Buffer.isBuffer(body)) outgoing.end(body);
      else if (body) {
        const stream = body();
        stream.on('error', (error) => outgoing.destroy(error));
        stream.pipe(outgoing);
      } else outgoing.end();
    });
  }

  /** Closes idle keep-alive sockets so a CLI process can exit promptly. */
  async close(): Promise<void> {
    for (const agent of this.agents.values()) (await agent).destroy();
    this.agents.clear();
  }
}
