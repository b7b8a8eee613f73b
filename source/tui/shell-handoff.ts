/**
 * Hands the terminal to a program (an exec shell, an attach) under a pty, with the dashboard
 * suspended: the caller has stopped rendering and reading keys; this leaves the alternate screen,
 * relays keys, output and size between the real terminal and the pty, and returns the exit code
 * when the program ends. The caller then re-enters the alternate screen and redraws.
 */
import { spawn } from 'node-pty';

export interface HandoffStreams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

export async function runOnTerminal(argv: string[], streams: HandoffStreams): Promise<number> {
  const [file, ...args] = argv;
  if (!file) throw new Error('no command to run');
  const { stdin, stdout } = streams;
  const pty = spawn(file, args, {
    name: process.env.TERM ?? 'xterm-256color',
    cols: stdout.columns || 80,
    rows: stdout.rows || 24,
    cwd: process.cwd(),
    env: process.env as Record<string, string>,
  });
  // 'readable' rather than 'data', as Ink reads: a 'data' listener would switch stdin to flowing
  // mode and Ink's own listener would never hear a key again after the shell.
  const onInput = (): void => {
    for (let chunk: unknown = stdin.read(); chunk !== null; chunk = stdin.read()) {
      pty.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    }
  };
  const onResize = (): void => pty.resize(stdout.columns || 80, stdout.rows || 24);
  const wasRaw = stdin.isTTY ? stdin.isRaw : false;
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.on('readable', onInput);
  stdout.on('resize', onResize);
  const output = pty.onData((data) => stdout.write(data));
  try {
    return await new Promise<number>((resolve) => {
      pty.onExit(({ exitCode }) => resolve(exitCode));
    });
  } finally {
    output.dispose();
    stdin.off('readable', onInput);
    stdout.off('resize', onResize);
    if (stdin.isTTY) stdin.setRawMode(wasRaw);
  }
}
