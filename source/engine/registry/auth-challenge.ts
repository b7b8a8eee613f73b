/**
 * `WWW-Authenticate` parsing (RFC 7235): one or more challenges, each a scheme followed by
 * comma-separated `key=value` or `key="quoted value"` parameters. Registries send
 * `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
 */
export interface AuthChallenge {
  /** Lowercased: `bearer` or `basic`. */
  scheme: string;
  params: Record<string, string>;
}

export function parseAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let index = 0;
  const skip = (pattern: RegExp): void => {
    while (index < header.length && pattern.test(header[index]!)) index++;
  };
  const token = (): string => {
    const start = index;
    while (index < header.length && /[^\s,=]/.test(header[index]!)) index++;
    return header.slice(start, index);
  };
  while (index < header.length) {
    skip(/[\s,]/);
    const word = token();
    if (!word) break;
    skip(/\s/);
    if (header[index] === '=' && challenges.length > 0) {
      // A parameter of the current challenge.
      index++;
      skip(/\s/);
      let value = '';
      if (header[index] === '"') {
        index++;
        while (index < header.length && header[index] !== '"') {
          if (header[index] === '\\' && index + 1 < header.length) index++;
          value += header[index];
          index++;
        }
        index++;
      } else value = token();
      challenges[challenges.length - 1]!.params[word.toLowerCase()] = value;
    } else {
      challenges.push({ scheme: word.toLowerCase(), params: {} });
    }
  }
  return challenges;
}
