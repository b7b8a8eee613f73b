/**
 * What the Containers pane's action keys do, as plain functions over the shell services: each
 * engine call goes through `shell.run` (status line, never blocking), destructive ones ask first
 * and say exactly what will happen, and with marks they apply to every marked container.
 */
import type { ContainerSummary, DashboardEngine } from '../dashboard-engine.js';
import type { ShellServices } from '../dashboard-context.js';
import { osc52 } from '../terminal.js';

const active = (container: ContainerSummary): boolean =>
  container.status === 'running' || container.status === 'paused' || container.status === 'restarting';

function names(targets: readonly ContainerSummary[]): string {
  if (targets.length <= 3) return targets.map((target) => target.name).join(', ');
  return `${targets
    .slice(0, 3)
    .map((target) => target.name)
    .join(', ')} and ${targets.length - 3} more`;
}

function each(
  targets: readonly ContainerSummary[],
  call: (target: ContainerSummary) => Promise<void>,
): () => Promise<void> {
  return async () => {
    const failures: string[] = [];
    for (const target of targets) {
      try {
        await call(target);
      } catch (error) {
        failures.push(`${target.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length > 0) throw new Error(failures.join('; '));
  };
}

export function containerCommand(
  command: string,
  targets: readonly ContainerSummary[],
  engine: DashboardEngine,
  shell: ShellServices,
): boolean {
  const first = targets[0];
  if (!first) {
    if (command.startsWith('container.')) shell.info('no container selected', 'error');
    return command.startsWith('container.');
  }
  const list = names(targets);
  switch (command) {
    case 'container.toggle': {
      const starting = targets.filter((target) => !active(target));
      const stopping = targets.filter(active);
      if (stopping.length > 0) {
        shell.run(
          `stopping ${names(stopping)}`,
          `stopped ${names(stopping)}`,
          each(stopping, (target) => engine.stop(target.id)),
        );
      }
      if (starting.length > 0) {
        shell.run(
          `starting ${names(starting)}`,
          `started ${names(starting)}`,
          each(starting, (target) => engine.start(target.id)),
        );
      }
      return true;
    }
    case 'container.restart':
      shell.run(
        `restarting ${list}`,
        `restarted ${list}`,
        each(targets, (target) => engine.restart(target.id)),
      );
      return true;
    case 'container.pause': {
      const resume = targets.every((target) => target.status === 'paused');
      shell.run(
        `${resume ? 'unpausing' : 'pausing'} ${list}`,
        `${resume ? 'unpaused' : 'paused'} ${list}`,
        each(targets, (target) => (resume ? engine.unpause(target.id) : engine.pause(target.id))),
      );
      return true;
    }
    case 'container.kill':
      shell.ask(
        `Kill ${list} with SIGKILL? Unsaved work in ${targets.length === 1 ? 'it' : 'them'} is lost.`,
        () =>
          shell.run(
            `killing ${list}`,
            `killed ${list}`,
            each(targets, (target) => engine.kill(target.id)),
          ),
      );
      return true;
    case 'container.remove': {
      const running = targets.filter(active);
      const question =
        running.length > 0
          ? `Remove ${list}? ${names(running)} ${running.length === 1 ? 'is' : 'are'} running and will be killed first (force).`
          : `Remove ${list} and ${targets.length === 1 ? 'its' : 'their'} writable layer and logs?`;
      shell.ask(question, () =>
        shell.run(
          `removing ${list}`,
          `removed ${list}`,
          each(targets, (target) => engine.remove(target.id, { force: active(target) })),
        ),
      );
      return true;
    }
    case 'container.exec':
    case 'container.attach': {
      const exec = command === 'container.exec';
      void (async () => {
        try {
          const argv = exec
            ? await engine.execArgv(first.id, ['/bin/sh'])
            : await engine.attachArgv(first.id);
          const code = await shell.handOver(argv);
          shell.info(
            `${exec ? 'shell in' : 'detached from'} ${first.name} ended (exit code ${code})`,
            code === 0 ? 'ok' : 'info',
          );
        } catch (error) {
          shell.info(error instanceof Error ? error.message : String(error), 'error');
        }
      })();
      return true;
    }
    case 'container.copyId':
      shell.writeRaw(osc52(first.id));
      shell.info(`copied the id of ${first.name} (${first.id.slice(0, 12)}) to the clipboard`, 'ok');
      return true;
    case 'container.logs':
      shell.switchPane('logs');
      return true;
    case 'container.inspect':
      shell.switchPane('inspect');
      return true;
    default:
      return false;
  }
}
