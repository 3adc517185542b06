/**
 * Group commit: callers that arrive while a commit is being written wait for the next
 * one, and that one carries all of them, so N concurrent batches cost one fsync (or
 * one HTTP request) instead of N, and each caller still learns that *its* item is
 * durable before it resolves. Items are committed in arrival order.
 */
export class GroupCommit<T, R> {
  private queue: Array<{ item: T; resolve: (result: R) => void; reject: (error: Error) => void }> = [];
  private running = false;

  /**
   * @param commit writes a group in one go and returns one result per item, in order;
   *               if it throws, every item of the group fails with that error.
   * @param maxGroup the most items per commit.
   */
  constructor(
    private readonly commit: (items: T[]) => Promise<R[]> | R[],
    private readonly maxGroup = 256,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let the callers of this turn of the event loop join the first group.
        setImmediate(() => void this.pump());
      }
    });
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxGroup);
        try {
          const results = await this.commit(group.map((entry) => entry.item));
          group.forEach((entry, i) => entry.resolve(results[i] as R));
        } catch (error) {
          for (const entry of group) entry.reject(error as Error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Resolves when everything submitted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.running || this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
