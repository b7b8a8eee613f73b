/**
 * Container records on disk: <containers>/<id>/container.json, each change written atomically
 * under the container's lock; names are claimed under one names lock so two `create --name x`
 * racing each other cannot both win.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreCorruptError } from '../errors/index.js';
import { readJsonOr, withLock, writeJsonAtomic, type StoreLayout } from '../util/index.js';
import { AmbiguousContainerError, NameInUseError, NoSuchContainerError } from './container-errors.js';
import type { ContainerRecord } from './container-record.js';
import { isNamesIndex, randomName, type NamesIndex } from './container-names.js';

export { randomName } from './container-names.js';

/** docker draws a few random names before giving up on a unique one; so does berth. */
const NAME_DRAWS = 10;

const ID_PATTERN = /^[a-f0-9]{64}$/;
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export class ContainerStore {
  constructor(private readonly layout: StoreLayout) {}

  dir(id: string): string {
    return join(this.layout.containers, id);
  }

  recordPath(id: string): string {
    return join(this.dir(id), 'container.json');
  }

  lockPath(id: string): string {
    return join(this.layout.locks, `container-${id}.lock`);
  }

  newId(): string {
    return randomBytes(32).toString('hex');
  }

  async read(id: string): Promise<ContainerRecord | undefined> {
    let text: string;
    try {
      text = await readFile(this.recordPath(id), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw error;
    }
    try {
      return JSON.parse(text) as ContainerRecord;
    } catch {
      throw new StoreCorruptError(`container record ${id} is not valid JSON`);
    }
  }

  /** `read` without the thread pool; a record that vanished or cannot be parsed is skipped. */
  private readSync(id: string): ContainerRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.recordPath(id), 'utf8')) as ContainerRecord;
    } catch {
      return undefined;
    }
  }

  async write(record: ContainerRecord): Promise<void> {
    await writeJsonAtomic(this.recordPath(record.id), record);
  }

  /** Runs `change` on the current record under its lock and saves what it returns. */
  async update(
    id: string,
    change: (record: ContainerRecord) => ContainerRecord | Promise<ContainerRecord>,
  ): Promise<ContainerRecord> {
    return withLock(this.lockPath(id), async () => {
      const current = await this.read(id);
      if (!current) throw new NoSuchContainerError(id);
      const next = await change(current);
      await this.write(next);
      return next;
    });
  }

  async ids(): Promise<string[]> {
    try {
      return (await readdir(this.layout.containers)).filter((name) => ID_PATTERN.test(name));
    } catch {
      return [];
    }
  }

  /**
   * Every record, newest first (as docker's ps lists them). Read synchronously: each is a small
   * file, and 500 of them take ~10 ms this way against ~60 ms as 500 trips through libuv's thread
   * pool — most of `ps -a` on a full store.
   */
  async list(): Promise<ContainerRecord[]> {
    const records = (await this.ids()).map((id) => this.readSync(id));
    return records
      .filter((record): record is ContainerRecord => record !== undefined)
      .sort((a, b) => b.created.localeCompare(a.created));
  }

  /** docker's lookup order: full id, exact name, then a unique id prefix. */
  async resolve(nameOrId: string): Promise<ContainerRecord> {
    const wanted = nameOrId.replace(/^\//, '');
    if (ID_PATTERN.test(wanted)) {
      const record = await this.read(wanted);
      if (record) return record;
    }
    const records = await this.list();
    const byName = records.find((record) => record.name === wanted);
    if (byName) return byName;
    if (/^[a-f0-9]+$/.test(wanted)) {
      const matches = records.filter((record) => record.id.startsWith(wanted));
      if (matches.length === 1) return matches[0] as ContainerRecord;
      if (matches.length > 1) throw new AmbiguousContainerError(wanted);
    }
    throw new NoSuchContainerError(nameOrId);
  }

  private get namesLock(): string {
    return join(this.layout.locks, 'container-names.lock');
  }

  private get namesPath(): string {
    return join(this.layout.containers, 'names.json');
  }

  /**
   * The names index (call under the names lock). Entries whose container is gone (removed
   * without the lock, or a crash) are dropped; a missing or unreadable index is rebuilt.
   */
  private async names(): Promise<NamesIndex> {
    const stored: unknown = await readJsonOr(this.namesPath, undefined).catch(() => undefined);
    if (!isNamesIndex(stored)) {
      const rebuilt: NamesIndex = {};
      for (const record of await this.list()) rebuilt[record.name] = record.id;
      return rebuilt;
    }
    return stored;
  }

  /** Who holds `name` now, checked against the record itself (the index may be stale). */
  private async holder(names: NamesIndex, name: string): Promise<string | undefined> {
    const id = names[name];
    if (id === undefined) return undefined;
    if ((await this.read(id))?.name === name) return id;
    delete names[name];
    return undefined;
  }

  /**
   * Saves a new record if its name is free; the check and the write happen under one lock. A
   * `random` name that is taken is drawn again (docker's scheme); returns the record saved.
   */
  async createWithName(record: ContainerRecord, random = false): Promise<ContainerRecord> {
    return withLock(this.namesLock, async () => {
      const names = await this.names();
      let saved = record;
      for (let draw = 1; (await this.holder(names, saved.name)) !== undefined; draw++) {
        if (!random || draw >= NAME_DRAWS) throw new NameInUseError(saved.name, names[saved.name] as string);
        saved = { ...saved, name: randomName(draw) };
      }
      await this.write(saved);
      names[saved.name] = saved.id;
      await writeJsonAtomic(this.namesPath, names);
      return saved;
    });
  }

  async rename(id: string, newName: string): Promise<ContainerRecord> {
    return withLock(this.namesLock, async () => {
      const names = await this.names();
      const holder = await this.holder(names, newName);
      if (holder !== undefined && holder !== id) throw new NameInUseError(newName, holder);
      const renamed = await this.update(id, (record) => ({ ...record, name: newName }));
      for (const [name, owner] of Object.entries(names)) if (owner === id) delete names[name];
      names[newName] = id;
      await writeJsonAtomic(this.namesPath, names);
      return renamed;
    });
  }

  async removeDir(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true, maxRetries: 3 });
  }
}
