/**
 * docker's reference grammar (distribution/reference v0.6, which moby and the docker CLI vendor),
 * written as the same regular expressions. JavaScript and Go's RE2 both pick the leftmost-first
 * match for these patterns, so the optional domain group splits names exactly as docker does.
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component [ "/" path-component ]*
 *   domain    := host [ ":" port ]     host := domain-name | "[" ipv6 "]"
 */

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;

const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
// Brackets only, no zone (`%eth0`) and no embedded IPv4: docker refuses both.
const ipv6Address = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainName}|${ipv6Address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;

const namePattern = `(?:${domainAndPort}/)?${remoteName}`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

/** Captures: 1 name, 2 tag, 3 digest. */
export const REFERENCE_REGEXP = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
/** Captures: 1 domain (may be undefined), 2 path. */
export const NAME_REGEXP = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
export const TAG_REGEXP = new RegExp(`^${tagPattern}$`);
export const REFERENCE_DIGEST_REGEXP = new RegExp(`^${digestPattern}$`);
/** A full image ID without its `sha256:` prefix; never accepted as a repository name. */
export const IDENTIFIER_REGEXP = /^[a-f0-9]{64}$/;

/** Longest repository path (domain excluded since distribution/reference v0.6.0). */
export const NAME_MAX_LENGTH = 255;

export const DEFAULT_DOMAIN = 'docker.io';
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
export const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
