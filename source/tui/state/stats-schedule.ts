/**
 * Which containers a stats round reads, free of Ink: every one whose figures moved lately, and
 * those that showed the same figures `quietAfter` rounds running only every `quietEvery`-th
 * round. Fifty idle containers then cost a quarter of the cgroup reads, while a busy one stays
 * as fresh as the round, and a quiet one that wakes up is noticed within `quietEvery` rounds.
 */
export class StatsSchedule {
  private readonly quiet = new Map<string, number>();
  private round = 0;

  constructor(
    readonly quietAfter = 3,
    readonly quietEvery = 4,
  ) {}

  /** The ids to read this round (and starts the round). */
  due(ids: readonly string[]): string[] {
    this.round++;
    return ids.filter(
      (id) => (this.quiet.get(id) ?? 0) < this.quietAfter || this.round % this.quietEvery === 0,
    );
  }

  /** After a reading: whether it changed what the row shows. */
  record(id: string, changed: boolean): void {
    this.quiet.set(id, changed ? 0 : (this.quiet.get(id) ?? 0) + 1);
  }
}
