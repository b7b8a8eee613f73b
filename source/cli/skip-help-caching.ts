/**
 * yargs renders the full help text of a command right after starting its handler, in case the
 * handler later asks to show help (berth's handlers never do: they throw typed errors). That
 * render is 10–20 ms of every `berth ps`, most of a small command's own work, so it is turned off.
 * The hook is yargs-internal; if a yargs update moves it, this does nothing and help still works.
 */
import type { Argv } from 'yargs';

interface UsageInternals {
  cacheHelpMessage?: () => void;
}

interface YargsInternals {
  getInternalMethods?: () => { getUsageInstance?: () => UsageInternals | undefined };
}

export function skipHelpCaching<T>(cli: Argv<T>): Argv<T> {
  const usage = (cli as unknown as YargsInternals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
  return cli;
}
