/**
 * Named and anonymous volumes of the local driver: <root>/volumes/<name>/_data holds the data,
 * <root>/volumes/<name>/volume.json the metadata. Creating and removing take the volumes lock so
 * `volume rm` and `prune` never race a create of the same name; usage comes from the container
 * records, so a volume any container names (running or not) is never removed.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConflictError, InvalidArgumentError, StoreCorruptError } from '../errors/index.js';
import type { EventLog } from '../events/index.js';
import { readJsonOr, withLock, writeJsonAtomic, type StoreLayout } from '../util/index.js';
import { NoSuchVolumeError, VolumeInUseError } from './volume-errors.js';
import { volumeFilter, PRUNE_FILTER_KEYS } from './volume-filters.js';
import { ANONYMOUS_LABEL, anonymousVolumeName, isValidVolumeName, volumeDir } from './volume-name.js';
import { dataSize, volumesUsage, volumeUsers, type VolumeUsage, type VolumeUser } from './volume-usage.js';

export interface VolumeRecord {
  name: string;
  driver: 'local';
  labels: Record<string, string>;
  options: Record<string, string>;
  /** ISO time of creation. */
  created: string;
  /** Made without a name (by `-v /path`, an image VOLUME, or `volume create` with no name). */
  anonymous: boolean;
}

export interface Volume extends VolumeRecord {
  /** Host path of the data: <root>/volumes/<name>/_data. */
  mountpoint: string;
}

export interface VolumeListEntry extends Volume {
  /** Containers mounting it (ids). */
  usedBy: string[];
}

export interface CreateVolumeOptions {
  /** Omitted: an anonymous volume with a random 64-hex name. */
  name?: string;
  labels?: Record<string, string>;
  driver?: string;
  driverOptions?: Record<string, string>;
}

export interface PruneVolumesOptions {
  /** Every unused volume, not only anonymous ones (docker's `prune -a`). */
  all?: boolean;
  /** label=…, label!=… */
  filters?: string[];
}

export interface PruneVolumesResult {
  deleted: string[];
  /** Bytes freed. */
  reclaimed: number;
}

/** docker's inspect JSON for a volume. */
export interface VolumeInspect {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string>;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string>;
  Scope: 'local';
}

/** RFC 3339 with whole seconds, as docker prints CreatedAt. */
function rfc3339(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class VolumeStore {
  private readonly dir: string;
  private readonly lockPath: string;

  constructor(
    private readonly layout: StoreLayout,
    private readonly events?: EventLog,
  ) {
    this.dir = layout.volumes;
    this.lockPath = join(layout.locks, 'volumes.lock');
  }

  /** Host path of a volume's data directory (the name is validated, never joined blindly). */
  dataPath(name: string): string {
    return join(volumeDir(this.dir, name), '_data');
  }

  private metadataPath(name: string): string {
    return join(volumeDir(this.dir, name), 'volume.json');
  }

  private async readRecord(name: string): Promise<Volume | undefined> {
    if (!isValidVolumeName(name)) return undefined;
    let record: VolumeRecord | undefined;
    try {
      record = await readJsonOr<VolumeRecord | undefined>(this.metadataPath(name), undefined);
    } catch {
      throw new StoreCorruptError(`volume ${name}: metadata is not valid JSON`);
    }
    if (!record) return undefined;
    return { ...record, name, mountpoint: this.dataPath(name) };
  }

  async get(name: string): Promise<Volume> {
    const volume = await this.readRecord(name);
    if (!volume) throw new NoSuchVolumeError(name);
    return volume;
  }

  async exists(name: string): Promise<boolean> {
    return (await this.readRecord(name)) !== undefined;
  }

  /**
   * Creates a volume, or returns the one of that name (docker's create is idempotent; labels of
   * an existing volume are kept). `created` tells the caller whether it is new.
   */
  async create(options: CreateVolumeOptions = {}): Promise<{ volume: Volume; created: boolean }> {
    const driver = options.driver ?? 'local';
    if (driver !== 'local')
      throw new InvalidArgumentError(
        `error looking up volume plugin ${driver}: plugin "${driver}" not found`,
      );
    const driverOptions = options.driverOptions ?? {};
    const unsupported = Object.keys(driverOptions);
    if (unsupported.length > 0) {
      throw new InvalidArgumentError(
        `invalid option key: ${JSON.stringify(unsupported[0])} (berth's local driver takes no options)`,
      );
    }
    const anonymous = options.name === undefined || options.name === '';
    const name = anonymous ? anonymousVolumeName() : (options.name as string);
    const dir = volumeDir(this.dir, name);
    const result = await withLock(this.lockPath, async () => {
      const existing = await this.readRecord(name);
      if (existing) return { volume: existing, created: false };
      await mkdir(this.dir, { recursive: true });
      // A directory without metadata is a create that crashed: finish it.
      await mkdir(join(dir, '_data'), { recursive: true, mode: 0o755 });
      const record: VolumeRecord = {
        name,
        driver: 'local',
        labels: { ...(options.labels ?? {}), ...(anonymous ? { [ANONYMOUS_LABEL]: '' } : {}) },
        options: driverOptions,
        created: new Date().toISOString(),
        anonymous,
      };
      await writeJsonAtomic(join(dir, 'volume.json'), record);
      return { volume: { ...record, mountpoint: join(dir, '_data') }, created: true };
    });
    if (result.volume.driver !== driver) {
      throw new ConflictError(
        `create ${name}: a volume with the name ${name} already exists with driver "${result.volume.driver}"`,
      );
    }
    if (result.created) {
      await this.events?.append({ kind: 'volume', action: 'create', id: name, attributes: { driver } });
    }
    return result;
  }

  /** Every volume, sorted by name, with the containers that mount it. */
  async list(filters: string[] = []): Promise<VolumeListEntry[]> {
    const match = volumeFilter(filters);
    const users = await volumeUsers(this.layout.containers);
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter(isValidVolumeName);
    const volumes: VolumeListEntry[] = [];
    for (const name of names) {
      const volume = await this.readRecord(name).catch(() => undefined);
      if (!volume) continue;
      const usedBy = (users.get(name) ?? []).map((user) => user.id);
      if (!match({ name, driver: volume.driver, labels: volume.labels, dangling: usedBy.length === 0 }))
        continue;
      volumes.push({ ...volume, usedBy });
    }
    return volumes.sort((a, b) => naturalCompare(a.name, b.name));
  }

  async inspect(name: string): Promise<VolumeInspect> {
    const volume = await this.get(name);
    return {
      CreatedAt: rfc3339(volume.created),
      Driver: volume.driver,
      Labels: volume.labels,
      Mountpoint: volume.mountpoint,
      Name: volume.name,
      Options: volume.options,
      Scope: 'local',
    };
  }

  /** Containers that mount the volume. */
  async users(name: string): Promise<VolumeUser[]> {
    return (await volumeUsers(this.layout.containers)).get(name) ?? [];
  }

  /**
   * Removes a volume no container uses. docker refuses a volume in use even with `-f`; `force`
   * only makes a missing volume not an error.
   */
  async remove(name: string, options: { force?: boolean } = {}): Promise<void> {
    const removed = await withLock(this.lockPath, async () => {
      const volume = await this.readRecord(name);
      if (!volume) {
        if (options.force) return false;
        throw new NoSuchVolumeError(name);
      }
      const users = await this.users(name);
      if (users.length > 0)
        throw new VolumeInUseError(
          name,
          users.map((user) => user.id),
        );
      await this.discard(name);
      return true;
    });
    if (removed)
      await this.events?.append({
        kind: 'volume',
        action: 'destroy',
        id: name,
        attributes: { driver: 'local' },
      });
  }

  /** Moves the volume out of sight in one rename, then deletes it: a crash leaves no half volume. */
  private async discard(name: string): Promise<void> {
    const trash = join(this.dir, `.trash-${name}-${randomBytes(4).toString('hex')}`);
    await rename(volumeDir(this.dir, name), trash);
    await rm(trash, { recursive: true, force: true });
  }

  /** Removes unused volumes: anonymous ones only (docker 23+), or all of them with `all`. */
  async prune(options: PruneVolumesOptions = {}): Promise<PruneVolumesResult> {
    const match = volumeFilter(options.filters ?? [], PRUNE_FILTER_KEYS);
    const result = await withLock(this.lockPath, async () => {
      const users = await volumeUsers(this.layout.containers);
      const deleted: string[] = [];
      let reclaimed = 0;
      const names = (await readdir(this.dir).catch(() => [] as string[]))
        .filter(isValidVolumeName)
        .sort(naturalCompare);
      for (const name of names) {
        const volume = await this.readRecord(name).catch(() => undefined);
        if (!volume || (users.get(name)?.length ?? 0) > 0) continue;
        if (!options.all && !volume.anonymous && !Object.hasOwn(volume.labels, ANONYMOUS_LABEL)) continue;
        if (!match({ name, driver: volume.driver, labels: volume.labels, dangling: true })) continue;
        const size = await dataSize(volume.mountpoint);
        await this.discard(name);
        deleted.push(name);
        reclaimed += size;
      }
      return { deleted, reclaimed };
    });
    for (const name of result.deleted) {
      await this.events?.append({
        kind: 'volume',
        action: 'destroy',
        id: name,
        attributes: { driver: 'local' },
      });
    }
    await this.events?.append({
      kind: 'volume',
      action: 'prune',
      id: '',
      attributes: { reclaimed: String(result.reclaimed) },
    });
    return result;
  }

  /**
   * `rm -v`: removes the anonymous volumes among a removed container's mounts that no other
   * container still uses (one shared through --volumes-from stays). Returns the names removed.
   */
  async removeAnonymous(names: string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const name of names) {
      const volume = await this.readRecord(name).catch(() => undefined);
      if (!volume?.anonymous) continue;
      try {
        await this.remove(name);
        removed.push(name);
      } catch (error) {
        if (!(error instanceof VolumeInUseError || error instanceof NoSuchVolumeError)) throw error;
      }
    }
    return removed;
  }

  /** Sizes and users of every volume, for `system df`. */
  usage(): Promise<VolumeUsage[]> {
    return volumesUsage(this.layout.root);
  }
}

/** docker's CLI sorts volume names naturally (vol2 before vol10). */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
