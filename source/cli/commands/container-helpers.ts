/** Small shared pieces of the container verbs. */
import { readExitRecord } from '../../engine/monitor/index.js';
export { isActive } from '../../engine/container/index.js';

export async function readExitRecordFor(stateDir: string): Promise<number | undefined> {
  return (await readExitRecord(stateDir))?.exitCode;
}
