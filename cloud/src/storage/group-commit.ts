/**
 * Group commit: callers that arrive while a commit is being written wait for the next
 * one, and that one carries all of them, so N concurrent batches cost one fsync (or
 * one HTTP request) instead of N, and each caller still learns that *its* item is
 * durable before it resolves. Items are committed in arrival order.
 */
export interface GroupCommitOptions<T> {
  /** The most items per commit (256). */
  maxGroup?: number;
  /**
   * Commits started before the previous ones finish (1). Above 1 where the committer
   * applies groups in the order they were started (one writer working through a queue)
   * or where order between groups does not matter (idempotent writes).
   */
  maxInFlight?: number;
  /** With `maxSize`: a group stops before its items' sizes add up past it (a group always takes one item). */
  sizeOf?: (item: T) => number;
  maxSize?: number;
}

export class GroupCommit<T, R> {
  private queue: Array<{ item: T; resolve: (result: R) => void; reject: (error: Error) => void }> = [];
  private scheduled = false;
  private inFlight = 0;

  private readonly maxGroup: number;
  private readonly maxInFlight: number;
  private readonly sizeOf: ((item: T) => number) | undefined;
  private readonly maxSize: number;

  /**
   * @param commit writes a group in one go and returns one result per item, in order;
   *               if it throws, every item of the group fails with that error.
   */
  constructor(
    private readonly commit: (items: T[]) => Promise<R[]> | R[],
    options: GroupCommitOptions<T> = {},
  ) {
    this.maxGroup = options.maxGroup ?? 256;
    this.maxInFlight = options.maxInFlight ?? 1;
    this.sizeOf = options.sizeOf;
    this.maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
  }

  get pending(): number {
    return this.queue.length;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled && this.inFlight < this.maxInFlight) {
        this.scheduled = true;
        // Let the callers of this turn of the event loop join the group.
        setImmediate(() => {
          this.scheduled = false;
          this.startGroups();
        });
      }
    });
  }

  private startGroups(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      // Spread what is queued over the free slots, so the committer always has the next
      // group while this thread handles the replies to the one before.
      const count = Math.min(this.maxGroup, Math.ceil(this.queue.length / (this.maxInFlight - this.inFlight)));
      const group = this.queue.splice(0, this.fitting(count));
      this.inFlight++;
      Promise.resolve()
        .then(() => this.commit(group.map((entry) => entry.item)))
        .then(
          (results) => group.forEach((entry, i) => entry.resolve(results[i] as R)),
          (error: unknown) => group.forEach((entry) => entry.reject(error as Error)),
        )
        .finally(() => {
          this.inFlight--;
          this.startGroups();
        });
    }
  }

  /** How many of the first `count` queued items fit in one group under `maxSize` (at least one). */
  private fitting(count: number): number {
    if (!this.sizeOf) return count;
    let total = 0;
    for (let i = 0; i < count; i++) {
      total += this.sizeOf((this.queue[i] as { item: T }).item);
      if (i > 0 && total > this.maxSize) return i;
    }
    return count;
  }

  /** Resolves when everything submitted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.inFlight > 0 || this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
