/**
 * Silences and maintenance windows (issue 15) in the relational store. Ending one early
 * also shortens the time it hides the alerts raised in it, in the same transaction.
 * Which alerts a silence covers is decided when an alert opens (SqlAlertStore.raise).
 */
import type { Selectable } from 'kysely';
import type { RelationalDb } from './db.js';
import type { SilenceTable } from './schema.js';
import type { Silence } from '../../silences/types.js';
import { newId } from './ids.js';

const toSilence = (row: Selectable<SilenceTable>): Silence => ({
  id: row.id,
  kind: row.kind as Silence['kind'],
  target: row.target,
  targetKind: row.target_kind as Silence['targetKind'],
  startsAt: Number(row.starts_at),
  endsAt: Number(row.ends_at),
  reason: row.reason,
  createdBy: row.created_by,
  createdAt: Number(row.created_at),
  endedAt: row.ended_at === null ? null : Number(row.ended_at),
  endedBy: row.ended_by,
});

export interface SilenceFilter {
  /** Only silences on these targets (a subject's own, or an inspector's areas). */
  targets?: string[];
  /** Only silences in force at this time (started, not yet over). */
  activeAt?: number;
}

export class SqlSilenceStore {
  constructor(private readonly rdb: RelationalDb) {}

  async create(silence: Omit<Silence, 'id' | 'endedAt' | 'endedBy'>): Promise<Silence> {
    const record: Silence = { ...silence, id: newId('si', silence.createdAt), endedAt: null, endedBy: null };
    await this.rdb.db
      .insertInto('silences')
      .values({
        id: record.id,
        kind: record.kind,
        target: record.target,
        target_kind: record.targetKind,
        starts_at: record.startsAt,
        ends_at: record.endsAt,
        reason: record.reason,
        created_by: record.createdBy,
        created_at: record.createdAt,
        ended_at: null,
        ended_by: null,
      })
      .execute();
    return record;
  }

  async get(id: string): Promise<Silence | undefined> {
    const row = await this.rdb.db.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSilence(row) : undefined;
  }

  /** Newest first. */
  async list(filter: SilenceFilter, limit: number, offset: number): Promise<{ items: Silence[]; total: number }> {
    let query = this.rdb.db.selectFrom('silences');
    if (filter.targets) {
      if (filter.targets.length === 0) return { items: [], total: 0 };
      query = query.where('target', 'in', filter.targets);
    }
    if (filter.activeAt !== undefined) {
      const at = filter.activeAt;
      query = query
        .where('starts_at', '<=', at)
        .where('ends_at', '>', at)
        .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', at)]));
    }
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('starts_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toSilence), total: Number(count.n) };
  }

  /**
   * Ends a silence at `at`, and with it the time it hides its alerts. Undefined when it
   * does not exist; the record unchanged when it had already ended.
   */
  async end(id: string, actor: string, at: number): Promise<Silence | undefined> {
    return this.rdb.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const silence = toSilence(row);
      if (silence.endedAt !== null || silence.endsAt <= at) return silence;
      await trx.updateTable('silences').set({ ended_at: at, ended_by: actor }).where('id', '=', id).execute();
      await trx
        .updateTable('alerts')
        .set({ silenced_until: at })
        .where('silence_id', '=', id)
        .where('silenced_until', '>', at)
        .execute();
      return { ...silence, endedAt: at, endedBy: actor };
    });
  }
}
