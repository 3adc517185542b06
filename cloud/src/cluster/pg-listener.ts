/**
 * A PostgreSQL LISTEN on a connection of its own that lasts as long as the cloud runs:
 * reconnects after the server went away (a restart), and tells its user each time it is
 * listening again, so what was announced meanwhile can be caught up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from '@gridsafe/shared';

export interface ListenOptions {
  url: string;
  channel: string;
  /** Names the connection in pg_stat_activity. */
  applicationName: string;
  log: Logger;
  onNotification(payload: string | undefined): void;
  /** Runs each time the LISTEN is (again) in place. */
  onListening(): Promise<void>;
}

export class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly o: ListenOptions) {}

  /** Starts listening; resolves once the first LISTEN is in place, or after 5 s if PostgreSQL is away. */
  async start(): Promise<void> {
    let listening: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (listening = resolve));
    this.loop = this.run(() => listening());
    await Promise.race([first, sleep(5000)]);
  }

  private async run(listening: () => void): Promise<void> {
    const { log } = this.o;
    while (!this.stopped) {
      const client = new pg.Client({
        connectionString: this.o.url,
        application_name: this.o.applicationName,
        connectionTimeoutMillis: 5000,
        keepAlive: true,
      });
      const ended = new Promise<void>((resolve) => {
        client.on('end', resolve);
        client.on('error', () => resolve());
      });
      client.on('notification', (message) => this.o.onNotification(message.payload));
      try {
        await client.connect();
        await client.query(`LISTEN ${this.o.channel}`);
        this.client = client;
        listening();
        await this.o.onListening();
        await ended;
        if (!this.stopped) log.warn({ channel: this.o.channel }, 'listener lost PostgreSQL; reconnecting');
      } catch (error) {
        if (!this.stopped)
          log.warn({ err: error, channel: this.o.channel }, 'listener cannot reach PostgreSQL; retrying');
      }
      this.client = null;
      await client.end().catch(() => undefined);
      if (!this.stopped) await sleep(1000);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }
}
