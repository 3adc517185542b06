/**
 * Commands across instances (cluster mode): a gateway's MQTT connection ends on one
 * instance's embedded broker, but the API call that asks for a command may land on any.
 * The instance that stored the command announces the gateway with NOTIFY; every instance
 * LISTENs and the one holding that gateway's connection publishes its queued commands.
 * A listener that was away (PostgreSQL restarted) delivers what is queued for every
 * gateway connected to it when it listens again.
 */
import { sql } from 'kysely';
import type { Logger } from '@gridsafe/shared';
import type { RelationalDb } from '../storage/relational/db.js';
import { PgListener } from './pg-listener.js';

const CHANNEL = 'gridsafe_commands';

export class CommandRelay {
  private readonly listener: PgListener;

  constructor(
    url: string,
    private readonly rdb: RelationalDb,
    /** Publishes the gateway's queued commands if its connection is on this instance. */
    deliver: (gateway: string) => void,
    connectedGateways: () => string[],
    log: Logger,
  ) {
    this.listener = new PgListener({
      url,
      channel: CHANNEL,
      applicationName: 'gridsafe-commands',
      log,
      onNotification: (gateway) => {
        if (gateway) deliver(gateway);
      },
      onListening: async () => {
        for (const gateway of connectedGateways()) deliver(gateway);
      },
    });
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  /** Tells every instance, this one included, that the gateway has a new command. */
  async announce(gateway: string): Promise<void> {
    await sql`SELECT pg_notify(${CHANNEL}, ${gateway})`.execute(this.rdb.db);
  }

  stop(): Promise<void> {
    return this.listener.stop();
  }
}
