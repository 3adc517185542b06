/**
 * Detection partitions leased through PostgreSQL advisory locks (the shared store is the
 * lock server; no cluster protocol of our own). Each instance holds one dedicated
 * connection; `pg_try_advisory_lock` on it takes a partition, and the lock lives as long
 * as that session: when an instance dies its connection drops and PostgreSQL frees its
 * locks at once, so another instance takes them at its next round. The instances alive
 * are the lease sessions PostgreSQL shows (application_name `gridsafe-lease:<id>`), which
 * is what fair shares are computed from.
 */
import pg from 'pg';
import type { Logger } from '@gridsafe/shared';

/**
 * What a set of leases is for: its sessions' application_name prefix (whose sessions count
 * as the live instances) and the first key of its two-key advisory locks.
 */
export interface LeaseKind {
  applicationPrefix: string;
  lockSpace: number;
}

/** Detection partitions. Lock space "grid" in ASCII, so gridsafe's locks never collide with another application's. */
export const PARTITION_LEASES: LeaseKind = { applicationPrefix: 'gridsafe-lease:', lockSpace: 0x67726964 };

export class PartitionLeases {
  private client: pg.Client | null = null;
  private readonly held = new Set<number>();

  constructor(
    private readonly url: string,
    private readonly instanceId: string,
    private readonly log: Logger,
    /** Called when the lease connection is lost: every partition must be dropped at once. */
    private readonly onLost: () => void,
    private readonly kind: LeaseKind = PARTITION_LEASES,
  ) {}

  /** Partitions held now (empty while the lease connection is down). */
  owned(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  holds(partition: number): boolean {
    return this.held.has(partition);
  }

  /** Opens the lease session if there is none; false when PostgreSQL cannot be reached. */
  async connect(): Promise<boolean> {
    if (this.client) return true;
    const client = new pg.Client({
      connectionString: this.url,
      application_name: `${this.kind.applicationPrefix}${this.instanceId}`,
      connectionTimeoutMillis: 5000,
      // A peer that vanished without closing (power loss) is noticed by TCP keepalive.
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
    });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = null;
      const dropped = this.owned();
      this.held.clear();
      this.log.warn({ err: error, dropped }, 'lease connection to PostgreSQL lost: its leases dropped');
      client.end().catch(() => undefined);
      this.onLost();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
    } catch (error) {
      this.log.warn({ err: error }, 'cannot open the lease connection to PostgreSQL; will retry');
      client.end().catch(() => undefined);
      return false;
    }
    this.client = client;
    return true;
  }

  /** Instances with a live lease session (this one included). */
  async liveInstances(): Promise<number> {
    const result = await this.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE $1',
      [`${this.kind.applicationPrefix}%`],
    );
    return Math.max(1, Number(result.rows[0]?.n ?? 1));
  }

  async tryAcquire(partition: number): Promise<boolean> {
    const result = await this.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
      this.kind.lockSpace,
      partition,
    ]);
    const ok = result.rows[0]?.ok === true;
    if (ok) this.held.add(partition);
    return ok;
  }

  async release(partition: number): Promise<void> {
    if (!this.held.delete(partition)) return;
    await this.query('SELECT pg_advisory_unlock($1, $2)', [this.kind.lockSpace, partition]);
  }

  /** Ends the session: PostgreSQL frees every lock it held. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.held.clear();
    await client?.end().catch(() => undefined);
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    if (!this.client) throw new Error('the lease connection to PostgreSQL is down');
    return this.client.query<R>(text, values);
  }
}
