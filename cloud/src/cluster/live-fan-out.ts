/**
 * Live events across instances (cluster mode), on PostgreSQL's LISTEN/NOTIFY: the store
 * every instance already shares, so no further engine to run. An event published on one
 * instance's bus is written to `live_events` and announced with NOTIFY in the same
 * transaction (delivered at commit, and NOTIFY's 8000-byte payload limit never meets an
 * event's size); the other instances LISTEN, read it and hand it to their own streams.
 * A listener that lost its connection (PostgreSQL restarted) reconnects and catches up
 * from the table what it missed meanwhile; an event that could not be written is kept
 * and retried. Rows are pruned after ten minutes: a console away longer reloads anyway.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Logger } from '@gridsafe/shared';
import type { RelationalDb } from '../storage/relational/db.js';
import type { LiveBus, LiveEvent } from '../notifications/live-bus.js';
import { PgListener } from './pg-listener.js';

const CHANNEL = 'gridsafe_live';
const KEEP_MS = 10 * 60_000;
/** A catch-up looks this far before the newest event seen: ids of different instances are not in commit order. */
const CATCH_UP_MARGIN_MS = 5000;
const RETRY_MAX_MS = 5000;
/** Events kept for sending while PostgreSQL is away; the oldest go first beyond it. */
const MAX_UNSENT = 1000;
const REMEMBERED = 2000;

export class LiveFanOut {
  private readonly origin = randomUUID();
  private readonly buses = new Set<LiveBus>();
  private readonly listener: PgListener;
  private readonly delivered = new Set<string>();
  private newestAt = Date.now();
  private unsent: LiveEvent[] = [];
  private sending: Promise<void> | null = null;
  private closed = false;
  private prunedAt = 0;

  constructor(
    url: string,
    private readonly rdb: RelationalDb,
    private readonly log: Logger,
  ) {
    this.listener = new PgListener({
      url,
      channel: CHANNEL,
      applicationName: 'gridsafe-live',
      log,
      onNotification: (payload) => void this.received(payload),
      onListening: () => this.catchUp(),
    });
  }

  /** Starts listening; resolves once the first LISTEN is in place (or after 5 s if PostgreSQL is away). */
  start(): Promise<void> {
    return this.listener.start();
  }

  /** This bus's events go to the other instances, theirs come to it. */
  attach(bus: LiveBus): void {
    this.buses.add(bus);
    bus.onPublished((event) => {
      this.unsent.push(event);
      if (this.unsent.length > MAX_UNSENT) {
        this.unsent.shift();
        this.log.warn('too many live events waiting for PostgreSQL; the oldest is dropped');
      }
      this.sending ??= this.send().finally(() => (this.sending = null));
    });
  }

  private async send(): Promise<void> {
    for (let attempt = 0; this.unsent.length > 0 && !this.closed;) {
      const event = this.unsent[0] as LiveEvent;
      try {
        await this.rdb.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('live_events')
            .values({ id: event.id, origin: this.origin, at: event.at, event: JSON.stringify(event) })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
          await sql`SELECT pg_notify(${CHANNEL}, ${JSON.stringify({ origin: this.origin, id: event.id })})`.execute(
            trx,
          );
        });
        this.unsent.shift();
        attempt = 0;
        await this.prune();
      } catch (error) {
        const wait = Math.min(RETRY_MAX_MS, 100 * 2 ** Math.min(attempt++, 10));
        this.log.warn({ err: error, retryInMs: wait }, 'could not share a live event with the other instances');
        await sleep(wait);
      }
    }
  }

  private async prune(): Promise<void> {
    const now = Date.now();
    if (now - this.prunedAt < 60_000) return;
    this.prunedAt = now;
    await this.rdb.db
      .deleteFrom('live_events')
      .where('at', '<', now - KEEP_MS)
      .execute();
  }

  private async received(payload: string | undefined): Promise<void> {
    try {
      const note = JSON.parse(payload ?? '') as { origin: string; id: string };
      if (note.origin === this.origin || this.delivered.has(note.id)) return;
      const row = await this.rdb.db
        .selectFrom('live_events')
        .select('event')
        .where('id', '=', note.id)
        .executeTakeFirst();
      if (row) this.deliver(JSON.parse(row.event) as LiveEvent);
    } catch (error) {
      this.log.warn({ err: error }, 'could not read a live event of another instance');
    }
  }

  /** What others published while this listener was away. */
  private async catchUp(): Promise<void> {
    const rows = await this.rdb.db
      .selectFrom('live_events')
      .select('event')
      .where('at', '>=', this.newestAt - CATCH_UP_MARGIN_MS)
      .where('origin', '!=', this.origin)
      .orderBy('at')
      .orderBy('id')
      .execute();
    for (const row of rows) this.deliver(JSON.parse(row.event) as LiveEvent);
  }

  private deliver(event: LiveEvent): void {
    if (this.delivered.has(event.id)) return;
    this.delivered.add(event.id);
    if (this.delivered.size > REMEMBERED) this.delivered.delete(this.delivered.values().next().value as string);
    this.newestAt = Math.max(this.newestAt, event.at);
    for (const bus of this.buses) bus.deliver(event);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listener.stop();
  }
}
