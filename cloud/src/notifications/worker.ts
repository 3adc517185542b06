/**
 * The delivery worker: flushes grouped events, claims due deliveries under a lease, sends
 * them signed, and records the outcome — delivered, retried later with backoff, or moved
 * to the dead-letter list. It runs on its own timer; nothing else ever waits for it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Logger } from '@gridsafe/shared';
import { DEFAULT_BACKOFF, retryDelay, type BackoffPolicy } from './backoff.js';
import type { NotificationQueue } from './queue.js';
import { postJson, type DeliveryResult } from './sender.js';
import { signedHeaders } from './signer.js';
import type { NotificationTables } from './tables.js';

export interface WorkerOptions {
  backoff: BackoffPolicy;
  /** Longest wait for one receiver's answer. */
  timeoutMs: number;
  /** Deliveries in flight at once, so one slow receiver cannot hold up the others. */
  concurrency: number;
  /** How often the queue is looked at. */
  pollMs: number;
  now?: () => number;
  log: Logger;
}

export const DEFAULT_WORKER_OPTIONS: Omit<WorkerOptions, 'log'> = {
  backoff: DEFAULT_BACKOFF,
  timeoutMs: 5_000,
  concurrency: 4,
  pollMs: 1_000,
};

export interface WorkerCounters {
  delivered: number;
  failed: number;
  dead: number;
}

export class DeliveryWorker {
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  /** Set by stop(): a pass in progress finishes what it holds and claims nothing more. */
  private halting = false;
  readonly counters: WorkerCounters = { delivered: 0, failed: 0, dead: 0 };

  constructor(
    private readonly db: Kysely<NotificationTables>,
    private readonly queue: NotificationQueue,
    private readonly options: WorkerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.halting = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the deliveries in flight (each bounded by timeoutMs). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halting = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Wakes the worker early (a new event was enqueued) instead of waiting for the next poll. */
  poke(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce()
        .catch((error: unknown) =>
          this.options.log.error({ err: error }, 'notification worker pass failed; will retry'),
        )
        .then(() => {
          this.running = null;
          if (!this.stopped) this.schedule(this.options.pollMs);
        });
    }, delay);
    this.timer.unref();
  }

  /**
   * One pass: flush groups, then keep up to `concurrency` deliveries in flight until
   * nothing is due. At most one delivery per webhook is in flight, so a receiver that
   * hangs holds one slot for at most `timeoutMs` and never delays the others.
   * Returns the number of attempts made.
   */
  async runOnce(): Promise<number> {
    await this.queue.flushGroups();
    let attempts = 0;
    const inFlight = new Map<string, Promise<void>>(); // webhook id → attempt
    for (;;) {
      const free = this.options.concurrency - inFlight.size;
      const claimed = free > 0 && !this.halting ? await this.claim(free, [...inFlight.keys()]) : [];
      for (const { id, webhookId } of claimed) {
        attempts++;
        inFlight.set(
          webhookId,
          this.attempt(id).finally(() => inFlight.delete(webhookId)),
        );
      }
      if (!inFlight.size) return attempts;
      // Wake when a slot frees or after a poll interval, whichever first, to pick up new work.
      await Promise.race([...inFlight.values(), delay(this.options.pollMs, undefined, { ref: false })]);
    }
  }

  /** Takes a lease on up to `limit` due deliveries, one per webhook, skipping busy webhooks. */
  private async claim(limit: number, busyWebhooks: string[]): Promise<Array<{ id: string; webhookId: string }>> {
    const now = this.now();
    let query = this.db
      .selectFrom('notification_outbox')
      .select(['id', 'webhook_id'])
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]));
    if (busyWebhooks.length) query = query.where('webhook_id', 'not in', busyWebhooks);
    // Oldest first (ids sort in creation order), so a receiver sees events in the order they happened.
    const due = await query
      .orderBy('next_attempt_at')
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit * 8)
      .execute();
    const claimed: Array<{ id: string; webhookId: string }> = [];
    const taken = new Set<string>();
    for (const { id, webhook_id } of due) {
      if (claimed.length >= limit) break;
      if (taken.has(webhook_id)) continue;
      // The conditions are repeated so that of two instances racing, only one wins the row.
      const result = await this.db
        .updateTable('notification_outbox')
        .set({ locked_until: now + this.options.timeoutMs * 2 + 1_000 })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) {
        claimed.push({ id, webhookId: webhook_id });
        taken.add(webhook_id);
      }
    }
    return claimed;
  }

  private async attempt(id: string): Promise<void> {
    const row = await this.db
      .selectFrom('notification_outbox')
      .innerJoin('webhooks', 'webhooks.id', 'notification_outbox.webhook_id')
      .select([
        'notification_outbox.id',
        'notification_outbox.body',
        'notification_outbox.kind',
        'notification_outbox.attempts',
        'webhooks.url',
        'webhooks.secret',
        'webhooks.enabled',
      ])
      .where('notification_outbox.id', '=', id)
      .executeTakeFirst();
    let result: DeliveryResult;
    if (!row) {
      result = { ok: false, status: null, error: 'webhook was removed', durationMs: 0 };
    } else if (!row.enabled) {
      result = { ok: false, status: null, error: 'webhook is disabled', durationMs: 0 };
    } else {
      const timestamp = this.now();
      result = await postJson(
        row.url,
        row.body,
        signedHeaders(row.secret, timestamp, row.body, row.id, row.kind),
        this.options.timeoutMs,
      );
    }
    const attempts = (row?.attempts ?? 0) + 1;
    const now = this.now();
    if (result.ok) {
      this.counters.delivered++;
      await this.db
        .updateTable('notification_outbox')
        .set({
          state: 'delivered',
          attempts,
          delivered_at: now,
          locked_until: null,
          last_status: result.status,
          last_error: null,
        })
        .where('id', '=', id)
        .execute();
      return;
    }
    this.counters.failed++;
    const dead = !row || !row.enabled || attempts >= this.options.backoff.maxAttempts;
    if (dead) this.counters.dead++;
    this.options.log.warn(
      { delivery: id, url: row?.url, attempts, status: result.status, error: result.error, dead },
      dead ? 'webhook delivery moved to the dead-letter list' : 'webhook delivery failed; will retry',
    );
    await this.db
      .updateTable('notification_outbox')
      .set({
        state: dead ? 'dead' : 'pending',
        attempts,
        next_attempt_at: now + retryDelay(attempts, this.options.backoff),
        dead_at: dead ? now : null,
        locked_until: null,
        last_status: result.status,
        last_error: result.error,
      })
      .where('id', '=', id)
      .execute();
  }
}
