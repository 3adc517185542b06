/**
 * The registry snapshot of every instance kept current in cluster mode: an edit made
 * through one instance (API, import, meter event) is announced with NOTIFY, and the
 * others reload their snapshot at once, so detection and ingest checks see a new device
 * or meter event within moments instead of at the next 30-second refresh. A listener that
 * was away (PostgreSQL restarted) reloads when it listens again.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from '@gridsafe/shared';
import type { RelationalDb } from '../storage/relational/db.js';
import type { RegistryStore } from '../storage/relational/registry-store.js';
import { PgListener } from './pg-listener.js';

const CHANNEL = 'gridsafe_registry';

export class RegistrySync {
  private readonly origin = randomUUID();
  private readonly listener: PgListener;

  constructor(
    url: string,
    private readonly rdb: RelationalDb,
    private readonly registry: RegistryStore,
    private readonly log: Logger,
  ) {
    this.listener = new PgListener({
      url,
      channel: CHANNEL,
      applicationName: 'gridsafe-registry',
      log,
      onNotification: (payload) => {
        if (payload !== this.origin) void this.reload();
      },
      onListening: () => this.reload(),
    });
    registry.onLocalChange(() => void this.announce());
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  private async announce(): Promise<void> {
    try {
      await sql`SELECT pg_notify(${CHANNEL}, ${this.origin})`.execute(this.rdb.db);
    } catch (error) {
      // The others still reload at their next periodic refresh.
      this.log.warn({ err: error }, 'could not tell the other instances of a registry edit');
    }
  }

  private async reload(): Promise<void> {
    try {
      await this.registry.refresh();
    } catch (error) {
      this.log.warn({ err: error }, "could not reload the registry after another instance's edit");
    }
  }

  stop(): Promise<void> {
    return this.listener.stop();
  }
}
