/**
 * Alerts: transactional raise (one open alert per type and subject, CONTRACT.md),
 * clear, acknowledge and resolve with notes, and filtered, paginated listing.
 * A partial unique index backs the one-open rule even across cloud instances.
 */
import { EventEmitter } from 'node:events';
import { SEVERITIES, type Alert, type AlertState, type AlertType, type Severity } from '@gridsafe/shared';
import type { AlertSignal, AlertStore, SubjectKind } from '../../detector-kit/types.js';
import { isUniqueViolation, type RelationalDb } from './db.js';
import type { AlertTable } from './schema.js';
import { newId } from './ids.js';

export interface AlertNote {
  at: number;
  actor: string;
  action: 'acknowledged' | 'resolved' | 'cleared' | 'note';
  note?: string;
}

/** The stored alert: the contract's fields plus its subject kind, acknowledgement time and notes. */
export interface AlertRecord extends Alert {
  subjectKind: SubjectKind;
  acknowledgedAt: number | null;
  notes: AlertNote[];
}

export type AlertChange = 'opened' | 'updated' | 'acknowledged' | 'resolved';

export interface AlertFilter {
  type?: AlertType;
  state?: AlertState;
  subject?: string;
  /** Only alerts still seen at or after this time (lastSeenAt >= from). */
  from?: number;
  /** Only alerts opened before this time (openedAt < to). */
  to?: number;
  /** Only alerts whose subject is one of these (inspector scoping). */
  subjects?: string[];
}

export class AlertLifecycleError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'AlertLifecycleError';
  }
}

const severityRank = (severity: string) => SEVERITIES.indexOf(severity as Severity);

export function toAlert(row: AlertTable): AlertRecord {
  return {
    id: row.id,
    type: row.type as AlertType,
    severity: row.severity as Severity,
    state: row.state as AlertState,
    subject: row.subject,
    subjectKind: row.subject_kind as SubjectKind,
    openedAt: row.opened_at,
    lastSeenAt: row.last_seen_at,
    acknowledgedAt: row.acknowledged_at,
    resolvedAt: row.resolved_at,
    evidence: JSON.parse(row.evidence) as Record<string, unknown>,
    notes: JSON.parse(row.notes) as AlertNote[],
  };
}

export class SqlAlertStore implements AlertStore {
  /** Emits ('change', alert: AlertRecord, change: AlertChange) after each committed change. */
  readonly events = new EventEmitter();

  constructor(private readonly rdb: RelationalDb) {}

  /**
   * PostgreSQL: lock the row read for update, so concurrent transactions (other
   * instances, the pool) apply their changes one after the other instead of losing
   * one. SQLite has one writer at a time already (and no FOR UPDATE).
   */
  private lockable<Q extends { forUpdate(): Q }>(query: Q): Q {
    return this.rdb.dialect === 'postgres' ? query.forUpdate() : query;
  }

  async raise(signal: AlertSignal): Promise<{ alert: Alert; opened: boolean }> {
    // A concurrent raise from another instance can win the unique index; then ours
    // becomes an update of the alert it opened. Two attempts are enough.
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.raiseOnce(signal);
        this.events.emit('change', result.alert, result.opened ? 'opened' : 'updated');
        return result;
      } catch (error) {
        if (attempt === 0 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  private async raiseOnce(signal: AlertSignal): Promise<{ alert: AlertRecord; opened: boolean }> {
    return this.rdb.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const existing = await this.lockable(
        trx
          .selectFrom('alerts')
          .selectAll()
          .where('type', '=', signal.type)
          .where('subject', '=', signal.subject)
          .where('state', '<>', 'resolved'),
      ).executeTakeFirst();
      if (existing) {
        const severity =
          severityRank(signal.severity) > severityRank(existing.severity) ? signal.severity : existing.severity;
        // Event time decides: a late, older signal neither moves lastSeenAt back nor replaces newer evidence.
        const newer = signal.ts >= existing.last_seen_at;
        const update = {
          severity,
          last_seen_at: newer ? signal.ts : existing.last_seen_at,
          evidence: newer ? JSON.stringify(signal.evidence) : existing.evidence,
          updated_at: now,
        };
        await trx.updateTable('alerts').set(update).where('id', '=', existing.id).execute();
        return { alert: toAlert({ ...existing, ...update }), opened: false };
      }
      const row: AlertTable = {
        id: newId('al', signal.ts),
        type: signal.type,
        severity: signal.severity,
        state: 'open',
        subject: signal.subject,
        subject_kind: signal.subjectKind,
        opened_at: signal.ts,
        last_seen_at: signal.ts,
        acknowledged_at: null,
        resolved_at: null,
        evidence: JSON.stringify(signal.evidence),
        notes: '[]',
        updated_at: now,
      };
      await trx.insertInto('alerts').values(row).execute();
      return { alert: toAlert(row), opened: true };
    });
  }

  async clear(type: AlertType, subject: string, ts: number, evidence: Record<string, unknown>): Promise<Alert | null> {
    const cleared = await this.rdb.db.transaction().execute(async (trx) => {
      const existing = await this.lockable(
        trx
          .selectFrom('alerts')
          .selectAll()
          .where('type', '=', type)
          .where('subject', '=', subject)
          .where('state', '<>', 'resolved'),
      ).executeTakeFirst();
      if (!existing) return null;
      const notes = [
        ...(JSON.parse(existing.notes) as AlertNote[]),
        { at: ts, actor: 'detection', action: 'cleared' as const },
      ];
      const previous = JSON.parse(existing.evidence) as Record<string, unknown>;
      const update = {
        state: 'resolved',
        resolved_at: Math.max(ts, existing.opened_at),
        evidence: JSON.stringify({ ...previous, cleared: evidence }),
        notes: JSON.stringify(notes),
        updated_at: Date.now(),
      };
      await trx.updateTable('alerts').set(update).where('id', '=', existing.id).execute();
      return toAlert({ ...existing, ...update });
    });
    if (cleared) this.events.emit('change', cleared, 'resolved');
    return cleared;
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    const row = await this.rdb.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toAlert(row) : undefined;
  }

  /** Moves an alert on by hand: acknowledge (open → acknowledged) or resolve (open/acknowledged → resolved). */
  async transition(
    id: string,
    to: 'acknowledged' | 'resolved',
    actor: string,
    note: string | undefined,
    now = Date.now(),
  ): Promise<AlertRecord> {
    const changed = await this.rdb.db.transaction().execute(async (trx) => {
      const existing = await this.lockable(
        trx.selectFrom('alerts').selectAll().where('id', '=', id),
      ).executeTakeFirst();
      if (!existing) throw new AlertLifecycleError('not_found', `alert "${id}" does not exist`);
      if (existing.state === 'resolved') throw new AlertLifecycleError('conflict', `alert "${id}" is already resolved`);
      if (to === 'acknowledged' && existing.state === 'acknowledged') {
        throw new AlertLifecycleError('conflict', `alert "${id}" is already acknowledged`);
      }
      const entry: AlertNote = { at: now, actor, action: to };
      if (note) entry.note = note;
      const notes = [...(JSON.parse(existing.notes) as AlertNote[]), entry];
      const update =
        to === 'acknowledged'
          ? { state: to, acknowledged_at: now, notes: JSON.stringify(notes), updated_at: now }
          : { state: to, resolved_at: now, notes: JSON.stringify(notes), updated_at: now };
      await trx.updateTable('alerts').set(update).where('id', '=', id).execute();
      return toAlert({ ...existing, ...update });
    });
    this.events.emit('change', changed, to);
    return changed;
  }

  async list(filter: AlertFilter, limit: number, offset: number): Promise<{ items: AlertRecord[]; total: number }> {
    let query = this.rdb.db.selectFrom('alerts');
    if (filter.type) query = query.where('type', '=', filter.type);
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.subject) query = query.where('subject', '=', filter.subject);
    if (filter.from !== undefined) query = query.where('last_seen_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('opened_at', '<', filter.to);
    if (filter.subjects) {
      if (filter.subjects.length === 0) return { items: [], total: 0 };
      query = query.where('subject', 'in', filter.subjects);
    }
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('opened_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toAlert), total: Number(count.n) };
  }
}
