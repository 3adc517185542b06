/**
 * Runs tasks one at a time per key (per gateway), different keys in parallel: a
 * gateway's batches are stored in the order they arrived, and a slow gateway does not
 * hold up the others. `depth` feeds the queue-depth metric.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private waiting = 0;

  get depth(): number {
    return this.waiting;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    this.waiting++;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task).finally(() => {
      this.waiting--;
    });
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves when everything queued so far has finished. */
  async drain(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
