/**
 * The small typed interface the panes use to reach the engine. Only engine-adapter.ts (with
 * adapter/) implements it against the real Engine; pane tests implement it in memory. Nothing here imports the engine
 * beyond its event type, so the panes do not change when the engine's facets do.
 */
import type { BerthEvent } from '../engine/index.js';

export type ContainerStatus =
  'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead' | 'removing';

export interface ContainerSummary {
  id: string;
  name: string;
  /** The reference the user gave (`busybox:latest`). */
  image: string;
  imageId: string;
  status: ContainerStatus;
  /** Epoch milliseconds; 0 when it never happened. */
  createdMs: number;
  startedMs: number;
  finishedMs: number;
  exitCode: number;
  /** docker's PORTS column (`0.0.0.0:8080->80/tcp`). */
  ports: string;
}

export interface StatsSample {
  /** Epoch milliseconds when sampled. */
  time: number;
  /** Total CPU time used so far, nanoseconds (CPU % comes from two samples). */
  cpuUsageNs: number;
  memoryUsage: number;
  memoryLimit: number;
  pids: number;
}

export interface LogEvent {
  stream: 'stdout' | 'stderr';
  /** RFC3339Nano. */
  time: string;
  /** Without the trailing newline. */
  text: string;
}

export interface FollowOptions {
  /** Epoch milliseconds; earlier lines are skipped. */
  sinceMs?: number;
  /** Only the last N lines before following. */
  tail?: number;
  signal: AbortSignal;
}

export interface ImageRow {
  id: string;
  /** `busybox:latest`…; empty for a dangling image. */
  repoTags: string[];
  size: number;
  createdMs: number;
  /** Names of the containers (any state) made from it. */
  usedBy: string[];
}

export interface VolumeRow {
  name: string;
  /** Bytes, when known. */
  size?: number;
  usedBy: string[];
}

export type PruneKind = 'container' | 'image' | 'volume' | 'build-cache';

export interface PruneItem {
  kind: PruneKind;
  /** What the engine removes it by (container id, image id, volume name…). */
  id: string;
  /** What the user sees (container name, image tag or short id…). */
  label: string;
  /** Bytes on disk it holds (for images: its layers, some of which other images may share). */
  size: number;
  /** Listed but not marked at first (a named volume: its data probably matters). */
  unmarkedAtFirst?: boolean;
}

export interface PrunePreview {
  items: PruneItem[];
  /** Kinds that could not be listed, with why, shown instead of passing for "nothing to prune". */
  problems: string[];
}

export interface PruneOutcome {
  /** Bytes actually freed on disk, measured. */
  reclaimed: number;
  removed: PruneItem[];
  failures: { item: PruneItem; message: string }[];
}

/** Key/value sections of the Inspect pane (config, env, mounts, ports, state). */
export interface InspectSection {
  title: string;
  rows: [string, string][];
}

export interface DashboardEngine {
  /** Store root, for messages and file names. */
  readonly root: string;
  listContainers(): Promise<ContainerSummary[]>;
  containerStats(id: string): Promise<StatsSample>;
  start(id: string): Promise<void>;
  stop(id: string): Promise<void>;
  restart(id: string): Promise<void>;
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  kill(id: string): Promise<void>;
  remove(id: string, options: { force: boolean }): Promise<void>;
  followLogs(id: string, options: FollowOptions): AsyncIterable<LogEvent>;
  listImages(): Promise<ImageRow[]>;
  removeImage(id: string): Promise<void>;
  listVolumes(): Promise<VolumeRow[]>;
  removeVolume(name: string): Promise<void>;
  prunePreview(options: { allImages: boolean }): Promise<PrunePreview>;
  prune(
    items: PruneItem[],
    onProgress: (done: number, total: number, item: PruneItem) => void,
  ): Promise<PruneOutcome>;
  /** The command line that runs `command` in the container on a terminal (spawned under a pty). */
  execArgv(id: string, command: string[]): Promise<string[]>;
  /** The command line that attaches the terminal to the container's main process. */
  attachArgv(id: string): Promise<string[]>;
  inspect(id: string): Promise<InspectSection[]>;
  /** Calls back with each batch of new events until the returned function is called. */
  subscribe(onEvents: (events: BerthEvent[]) => void): () => void;
}
