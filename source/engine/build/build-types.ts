/** The builder's public shapes: what a build is asked to do, what it reports, what it returns. */
import type { Readable } from 'node:stream';
import type { Digest } from '../util/index.js';

export interface BuildOptions {
  /**
   * The context: a directory, or a stream holding a tar (any compression) or a bare Dockerfile
   * (docker's `build -`).
   */
  context: string | Readable;
  /** Path of the Dockerfile (absolute, or relative to the context dir); default `Dockerfile`. */
  dockerfile?: string;
  /** The Dockerfile's text (`-f -`); wins over `dockerfile`, which is then only its name. */
  dockerfileText?: string;
  /** `-t`: references to point at the result. */
  tags?: string[];
  /** `--build-arg K=V` (value undefined for `--build-arg K` with K unset in the environment). */
  buildArgs?: Record<string, string | undefined>;
  /** `--target`: build up to and including this stage. */
  target?: string;
  noCache?: boolean;
  /** RUN's network: `host` (default, so package installs work) or `none`. */
  network?: 'host' | 'none';
  /** `--label`: added to the final image as a last LABEL step (as docker's classic builder does). */
  labels?: Record<string, string>;
  /** Called for every progress event; never throws into the build. */
  onEvent?: (event: BuildEvent) => void;
}

export type BuildEvent =
  /** The context was read: its size in bytes after .dockerignore. */
  | { type: 'context'; bytes: number }
  /** `Step 3/8 : RUN make` (the instruction as written, continuation lines joined). */
  | { type: 'step'; step: number; total: number; instruction: string; stage: number }
  /** ONBUILD triggers about to run as part of a FROM. */
  | { type: 'triggers'; count: number }
  | { type: 'cached'; step: number }
  /** A RUN started its container (docker prints ` ---> Running in <id>`). */
  | { type: 'running'; step: number; container: string }
  | { type: 'output'; step: number; stream: 'stdout' | 'stderr'; data: string }
  /** A step finished: the id of the image it produced (docker's ` ---> 1a2b3c4d5e6f`). */
  | { type: 'step-done'; step: number; imageId: Digest; cached: boolean; ms: number }
  | { type: 'warning'; message: string };

export interface BuildResult {
  imageId: Digest;
  /** Full references tagged (as given to `-t`, normalised by the image store). */
  tags: string[];
  steps: number;
  cachedSteps: number;
}
