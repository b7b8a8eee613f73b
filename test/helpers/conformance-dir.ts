// Where the peers' conformance vectors live: BERTH_CONFORMANCE_DIR, else ../shared/conformance next
// to the repository (CI's fresh clone has shared/ beside it), else the workplace's /work/shared.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const besideRepository = resolve(
  fileURLToPath(new URL('../..', import.meta.url)),
  '..',
  'shared',
  'conformance',
);

export const conformanceDir: string =
  process.env.BERTH_CONFORMANCE_DIR ??
  (existsSync(besideRepository) ? besideRepository : '/work/shared/conformance');
