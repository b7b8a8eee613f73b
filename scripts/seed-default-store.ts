// `npm run seed`: puts the busybox test image (built from Debian's busybox-static; there is no
// Docker Hub here) into berth's default store, so a fresh dashboard has something to show.
import { defaultStoreRoot } from '../source/engine/util/index.js';
import { seedBusybox } from '../test/fixtures/busybox.js';

const root = process.argv[2] ?? defaultStoreRoot();
const id = await seedBusybox(root);
console.log(`busybox:latest ${id.slice(7, 19)} in ${root}`);
