/**
 * The variables a word is expanded against. Callers hold them in different shapes (the image
 * config's `KEY=value` list, a Map built up by ENV/ARG, a plain object in tests), so every shape
 * is accepted and normalised once. As with ENV, a later entry for the same name wins.
 */
export type ShellEnv =
  | ReadonlyMap<string, string>
  | Readonly<Record<string, string>>
  | readonly string[]
  | readonly (readonly [string, string])[];

export function toEnvMap(env: ShellEnv | undefined): ReadonlyMap<string, string> {
  if (env === undefined) return new Map();
  if (env instanceof Map) return env;
  const map = new Map<string, string>();
  if (Array.isArray(env)) {
    for (const entry of env as readonly (string | readonly [string, string])[]) {
      if (typeof entry === 'string') {
        // BuildKit's EnvsFromSlice: `KEY` without `=` is set to the empty string.
        const eq = entry.indexOf('=');
        if (eq < 0) map.set(entry, '');
        else map.set(entry.slice(0, eq), entry.slice(eq + 1));
      } else {
        map.set(entry[0], entry[1]);
      }
    }
    return map;
  }
  const record = env as Readonly<Record<string, string>>;
  for (const key of Object.keys(record)) map.set(key, record[key]!);
  return map;
}
