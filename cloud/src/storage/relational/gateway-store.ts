/**
 * Gateways in the relational store: their MQTT credentials (secrets kept only as scrypt
 * hashes), the last status they reported and when they were last heard from.
 */
import type { GatewayRecord, GatewayStatus } from '@gridsafe/shared';
import type { Kysely, Transaction } from 'kysely';
import { hashSecret, verifySecret } from '../../security/secrets.js';
import { notRegistered, RegistryError, type Page } from './registry-entities.js';
import type { DatabaseSchema } from './schema.js';

export class GatewayStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Registers the gateway, or keeps it; a given secret replaces the one it had. */
  async put(id: string, secret: string | undefined): Promise<GatewayRecord> {
    const secretHash = secret === undefined ? null : await hashSecret(secret);
    await this.upsert(this.db, id, secretHash, Date.now());
    return this.get(id);
  }

  async get(id: string): Promise<GatewayRecord> {
    const row = await this.db.selectFrom('gateways').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new RegistryError('not_found', notRegistered('gateway', id));
    return {
      id: row.id,
      hasSecret: row.secret_hash !== null,
      status: row.status === null ? null : (JSON.parse(row.status) as GatewayStatus),
      statusAt: row.status_at,
      lastSeenAt: row.last_seen_at,
    };
  }

  /** `only`: these ids at most (an inspector's scope; none when empty). */
  async list(limit: number, offset: number, only?: string[]): Promise<Page<GatewayRecord>> {
    if (only?.length === 0) return { items: [], total: 0, limit, offset };
    let query = this.db.selectFrom('gateways');
    if (only) query = query.where('id', 'in', only);
    const [rows, count] = await Promise.all([
      query.select('id').orderBy('id').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: await Promise.all(rows.map((row) => this.get(row.id))), total: Number(count.n), limit, offset };
  }

  async remove(id: string): Promise<void> {
    const result = await this.db.deleteFrom('gateways').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new RegistryError('not_found', notRegistered('gateway', id));
  }

  async exists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('gateways').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** Checks a gateway's MQTT login; false for an unknown gateway, one without a secret, or a wrong secret. */
  async verifySecret(id: string, secret: string): Promise<boolean> {
    const row = await this.db.selectFrom('gateways').select('secret_hash').where('id', '=', id).executeTakeFirst();
    if (!row?.secret_hash) return false;
    return verifySecret(secret, row.secret_hash);
  }

  async recordStatus(id: string, status: Record<string, unknown>, at: number): Promise<void> {
    const json = JSON.stringify(status);
    await this.db
      .insertInto('gateways')
      .values({ id, secret_hash: null, status: json, status_at: at, last_seen_at: at, updated_at: at })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ status: json, status_at: at, last_seen_at: at, updated_at: at }),
      )
      .execute();
  }

  async touch(id: string, at: number): Promise<void> {
    await this.db.updateTable('gateways').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  /** Hashes of the secrets an import brings (hashing is slow: done before its transaction opens). */
  hashSecrets(items: Array<Record<string, unknown>>): Promise<Array<string | null>> {
    return Promise.all(
      items.map((item) => (typeof item['secret'] === 'string' ? hashSecret(item['secret']) : Promise.resolve(null))),
    );
  }

  /** Creates or keeps the gateway; a hash replaces its secret. */
  async upsert(
    db: Kysely<DatabaseSchema> | Transaction<DatabaseSchema>,
    id: string,
    secretHash: string | null,
    now: number,
  ): Promise<void> {
    await db
      .insertInto('gateways')
      .values({ id, secret_hash: secretHash, status: null, status_at: null, last_seen_at: null, updated_at: now })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet(secretHash === null ? { updated_at: now } : { secret_hash: secretHash, updated_at: now }),
      )
      .execute();
  }
}
