/**
 * ARG scoping as docker's builder does it: ARGs before the first FROM are meta args (usable in
 * FROM lines, and as defaults for a stage that re-declares them with a bare `ARG name`); inside a
 * stage an ARG is visible from its declaration to the end of that stage; `--build-arg` overrides
 * defaults; ENV wins over ARG of the same name. The proxy variables are predefined: usable without
 * declaration, but left out of history and the cache key unless declared (they often hold
 * credentials and differ between machines).
 */

export const PROXY_ARGS: ReadonlySet<string> = new Set([
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
]);

type Given = Readonly<Record<string, string | undefined>>;

function envKeys(env: readonly string[]): Set<string> {
  return new Set(env.map((entry) => (entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry)));
}

/** Tracks which build args the Dockerfile consumed, for docker's "were not consumed" warning. */
export class BuildArgUsage {
  readonly consumed = new Set<string>();

  constructor(readonly given: Given) {}

  unconsumed(): string[] {
    return Object.keys(this.given)
      .filter((name) => !this.consumed.has(name) && !PROXY_ARGS.has(name))
      .sort();
  }
}

/** The args of one scope (the meta scope before FROM, or a stage). */
export class ArgScope {
  /** Declared names → default value (undefined: declared without one). */
  private readonly declared = new Map<string, string | undefined>();

  constructor(
    private readonly usage: BuildArgUsage,
    /** Meta args' effective values, inherited by a bare `ARG name` in a stage. */
    private readonly meta: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** `ARG name[=default]` (default already expanded). */
  declare(name: string, defaultValue: string | undefined): void {
    this.usage.consumed.add(name);
    this.declared.set(name, defaultValue ?? this.meta.get(name));
  }

  private value(name: string): string | undefined {
    if (Object.prototype.hasOwnProperty.call(this.usage.given, name) && this.usage.given[name] !== undefined) {
      return this.usage.given[name];
    }
    return this.declared.get(name);
  }

  /** Declared args with a value, plus proxy args that were given, by name. */
  values(): Map<string, string> {
    const result = new Map<string, string>();
    for (const name of this.declared.keys()) {
      const value = this.value(name);
      if (value !== undefined) result.set(name, value);
    }
    for (const name of PROXY_ARGS) {
      if (result.has(name)) continue;
      const value = this.usage.given[name];
      if (value !== undefined) result.set(name, value);
    }
    return result;
  }

  /** `KEY=value` args not shadowed by the config's Env (what RUN gets on top of Env). */
  filterAllowed(env: readonly string[]): string[] {
    const shadowed = envKeys(env);
    return [...this.values()].filter(([name]) => !shadowed.has(name)).map(([name, value]) => `${name}=${value}`);
  }

  /** The `|N K=V …` prefix args for RUN's history and cache key: declared ones only, sorted. */
  historyArgs(env: readonly string[]): string[] {
    return this.filterAllowed(env)
      .filter((entry) => this.declared.has(entry.slice(0, entry.indexOf('='))))
      .sort();
  }

  /** What instructions are expanded against: Env then the args Env does not shadow. */
  expansionEnv(env: readonly string[]): string[] {
    return [...env, ...this.filterAllowed(env)];
  }
}
