/** `GET /v2/<name>/tags/list`, following `Link: <…>; rel="next"` pages. */
import { tagsListPath } from './endpoints.js';
import { header, readBody } from './http-transport.js';
import type { RegistryClient } from './registry-client.js';
import { repositoryScope } from './token-auth.js';

export async function listTags(client: RegistryClient, repository: string): Promise<string[]> {
  const tags: string[] = [];
  let path: string | URL = tagsListPath(repository);
  for (let page = 0; page < 1000; page++) {
    const response = await client.request({
      method: 'GET',
      path,
      scopes: [repositoryScope(repository, ['pull'])],
      expect: [200],
      context: { repository },
    });
    const body = JSON.parse((await readBody(response)).toString('utf8')) as { tags?: unknown };
    if (Array.isArray(body.tags))
      tags.push(...body.tags.filter((tag): tag is string => typeof tag === 'string'));
    const next = /<([^>]+)>;\s*rel="?next"?/.exec(header(response.headers, 'link') ?? '');
    if (!next) break;
    path = new URL(next[1]!, response.url);
  }
  return tags;
}
