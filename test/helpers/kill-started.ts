/** Ends, by pid, the processes a test started: for `after.always`, where some may be gone. */
export function killStarted(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
