/**
 * Command lines that take over the terminal from the dashboard: an exec shell and attach. They
 * run as their own process under a pty (the dashboard is suspended meanwhile); that process is
 * the CLI's own verb, run by the same node and store root.
 */
import type { Engine } from '../../engine/index.js';
import { cliEntryCommand } from '../../engine/runtime/index.js';
import { notRunning } from './container-adapter.js';

async function runningRecord(engine: Engine, id: string) {
  const record = await engine.containers.get(id);
  if (record.state.status !== 'running') throw notRunning(record);
  return record;
}

export async function execArgv(engine: Engine, id: string, command: string[]): Promise<string[]> {
  const record = await runningRecord(engine, id);
  return [...cliEntryCommand(), '--root', engine.root, 'exec', '-it', record.id, ...command];
}

export async function attachArgv(engine: Engine, id: string): Promise<string[]> {
  const record = await runningRecord(engine, id);
  return [...cliEntryCommand(), '--root', engine.root, 'attach', record.id];
}
