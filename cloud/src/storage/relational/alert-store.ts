/**
 * Alerts: transactional raise (one open alert per type and subject, CONTRACT.md),
 * pause (an occurrence ends, the episode goes on), clear, acknowledge and resolve with
 * notes, and filtered, paginated listing.
 * A partial unique index backs the one-open rule even across cloud instances.
 */
import { EventEmitter } from 'node:events';
import {
  SEVERITIES,
  type AlertNote,
  type AlertOccurrence,
  type AlertRecord,
  type Alert,
  type AlertState,
  type AlertType,
  type Message,
  type Severity,
  type SubjectKind,
} from '@gridsafe/shared';
import type { AlertSignal, AlertStore } from '../../detector-kit/types.js';
import { againIfRaced, type RelationalDb } from './db.js';
import { sql, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { AlertTable, DatabaseSchema } from './schema.js';
import { newId } from './ids.js';
import type { AlertSort } from '../../alerts/types.js';

/** `recurred`: a paused episode started a new occurrence (same alert, same work order). */
export type AlertChange = 'opened' | 'updated' | 'recurred' | 'paused' | 'acknowledged' | 'resolved';

export interface AlertFilter {
  type?: AlertType;
  /** One state, or several (`open` and `acknowledged` together are the active alerts). */
  state?: AlertState | AlertState[];
  severity?: Severity;
  /** Case-insensitive part of the subject id or the alert id. */
  search?: string;
  subject?: string;
  /** Only alerts still seen at or after this time (lastSeenAt >= from). */
  from?: number;
  /** Only alerts opened before this time (openedAt < to). */
  to?: number;
  /** Only alerts whose subject is one of these (inspector scoping). */
  subjects?: string[];
  /** Alerts a silence hides at `at`: left out (`exclude`) or the only ones (`only`); both when absent. */
  silenced?: { mode: 'exclude' | 'only'; at: number };
}

export class AlertLifecycleError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict',
    message: string,
    /** The same refusal as a catalogue message (messages/catalog.ts), for readers of either language. */
    readonly text?: Message,
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
    occurrences: row.occurrences,
    firstOccurrenceAt: row.first_occurrence_at ?? row.opened_at,
    lastOccurrenceAt: row.last_occurrence_at ?? row.opened_at,
    occurrenceLog: JSON.parse(row.occurrence_log) as AlertOccurrence[],
    silence:
      row.silence_id === null
        ? null
        : { id: row.silence_id, reason: row.silence_reason ?? '', until: Number(row.silenced_until) },
  };
}

/** The occurrence log with the present occurrence (if it goes on) ended at `at`. */
function endOccurrence(row: AlertTable, at: number): AlertOccurrence[] {
  const log = JSON.parse(row.occurrence_log) as AlertOccurrence[];
  const present = log[log.length - 1];
  if (present && present.endedAt === null) present.endedAt = Math.max(at, present.startedAt);
  return log;
}

const higher = (a: string, b: string) => (severityRank(a) > severityRank(b) ? a : b);

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
    const result = await againIfRaced(() => this.raiseOnce(signal));
    this.events.emit('change', result.alert, result.change);
    return { alert: result.alert, opened: result.change === 'opened' };
  }

  private async raiseOnce(signal: AlertSignal): Promise<{ alert: AlertRecord; change: AlertChange }> {
    return this.rdb.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const existing = await this.openRow(trx, signal.type, signal.subject);
      if (existing) {
        const severity = higher(signal.severity, existing.severity);
        // Event time decides: a late, older signal neither moves lastSeenAt back nor replaces newer evidence.
        const newer = signal.ts >= existing.last_seen_at;
        const log = JSON.parse(existing.occurrence_log) as AlertOccurrence[];
        // A paused episode that returns is a new occurrence of the same alert.
        const recurs = existing.paused_at !== null && newer;
        if (recurs) log.push({ startedAt: signal.ts, endedAt: null, severity: signal.severity });
        else {
          const present = log[log.length - 1];
          if (present) present.severity = higher(signal.severity, present.severity) as Severity;
        }
        const update = {
          severity,
          last_seen_at: newer ? signal.ts : existing.last_seen_at,
          evidence: newer ? JSON.stringify(signal.evidence) : existing.evidence,
          updated_at: now,
          occurrences: recurs ? existing.occurrences + 1 : existing.occurrences,
          last_occurrence_at: recurs ? signal.ts : existing.last_occurrence_at,
          paused_at: recurs ? null : existing.paused_at,
          occurrence_log: JSON.stringify(log),
        };
        await trx.updateTable('alerts').set(update).where('id', '=', existing.id).execute();
        return { alert: toAlert({ ...existing, ...update }), change: recurs ? 'recurred' : 'updated' };
      }
      const silence = await this.silenceAt(trx, signal.subject, signal.ts);
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
        occurrences: 1,
        first_occurrence_at: signal.ts,
        last_occurrence_at: signal.ts,
        paused_at: null,
        occurrence_log: JSON.stringify([{ startedAt: signal.ts, endedAt: null, severity: signal.severity }]),
        silence_id: silence?.id ?? null,
        silence_reason: silence?.reason ?? null,
        silenced_until: silence ? silence.until : null,
      };
      await trx.insertInto('alerts').values(row).execute();
      return { alert: toAlert(row), change: 'opened' };
    });
  }

  /**
   * The silence covering a subject at a time, if any: one on the subject itself, or on the
   * transformer of the device (or of the customer's meters) it names. The latest-ending wins.
   */
  private async silenceAt(trx: Transaction<DatabaseSchema>, subject: string, at: number) {
    const row = await trx
      .selectFrom('silences')
      .select(['id', 'reason', 'ends_at', 'ended_at'])
      .where('starts_at', '<=', at)
      .where('ends_at', '>', at)
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', at)]))
      .where((eb) =>
        eb.or([
          eb('target', '=', subject),
          eb(
            'target',
            'in',
            eb
              .selectFrom('devices')
              .select('transformer')
              .where('transformer', 'is not', null)
              .where((d) => d.or([d('id', '=', subject), d('customer', '=', subject)])),
          ),
        ]),
      )
      .orderBy('ends_at', 'desc')
      .executeTakeFirst();
    if (!row) return undefined;
    const until = row.ended_at === null ? Number(row.ends_at) : Math.min(Number(row.ends_at), Number(row.ended_at));
    return { id: row.id, reason: row.reason, until };
  }

  /** The open (or acknowledged) alert of this type and subject, locked for the transaction. */
  private openRow(trx: Transaction<DatabaseSchema>, type: AlertType, subject: string) {
    return this.lockable(
      trx
        .selectFrom('alerts')
        .selectAll()
        .where('type', '=', type)
        .where('subject', '=', subject)
        .where('state', '<>', 'resolved'),
    ).executeTakeFirst();
  }

  async pause(type: AlertType, subject: string, ts: number, evidence: Record<string, unknown>): Promise<Alert | null> {
    const paused = await this.rdb.db.transaction().execute(async (trx) => {
      const existing = await this.openRow(trx, type, subject);
      if (!existing || existing.paused_at !== null) return null;
      const log = JSON.parse(existing.occurrence_log) as AlertOccurrence[];
      const present = log[log.length - 1];
      const endedAt = Math.max(ts, existing.last_occurrence_at ?? existing.opened_at);
      if (present) present.endedAt = endedAt;
      const previous = JSON.parse(existing.evidence) as Record<string, unknown>;
      const update = {
        paused_at: endedAt,
        occurrence_log: JSON.stringify(log),
        evidence: JSON.stringify({ ...previous, cleared: evidence }),
        updated_at: Date.now(),
      };
      await trx.updateTable('alerts').set(update).where('id', '=', existing.id).execute();
      return toAlert({ ...existing, ...update });
    });
    if (paused) this.events.emit('change', paused, 'paused');
    return paused;
  }

  async clear(type: AlertType, subject: string, ts: number, evidence: Record<string, unknown>): Promise<Alert | null> {
    const cleared = await this.rdb.db.transaction().execute(async (trx) => {
      const existing = await this.openRow(trx, type, subject);
      if (!existing) return null;
      const notes = [
        ...(JSON.parse(existing.notes) as AlertNote[]),
        { at: ts, actor: 'detection', action: 'cleared' as const },
      ];
      const previous = JSON.parse(existing.evidence) as Record<string, unknown>;
      const resolvedAt = Math.max(ts, existing.opened_at);
      const update = {
        state: 'resolved',
        resolved_at: resolvedAt,
        // A paused episode keeps the evidence of the pause; one that goes on ends its occurrence here.
        evidence: existing.paused_at === null ? JSON.stringify({ ...previous, cleared: evidence }) : existing.evidence,
        notes: JSON.stringify(notes),
        occurrence_log: JSON.stringify(endOccurrence(existing, resolvedAt)),
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
      if (!existing)
        throw new AlertLifecycleError('not_found', `alert "${id}" does not exist`, {
          code: 'problem.alert_not_found',
          params: { id },
        });
      if (existing.state === 'resolved')
        throw new AlertLifecycleError('conflict', `alert "${id}" is already resolved`, {
          code: 'problem.alert_resolved',
          params: { id },
        });
      if (to === 'acknowledged' && existing.state === 'acknowledged') {
        throw new AlertLifecycleError('conflict', `alert "${id}" is already acknowledged`, {
          code: 'problem.alert_acknowledged',
          params: { id },
        });
      }
      const entry: AlertNote = { at: now, actor, action: to };
      if (note) entry.note = note;
      const notes = [...(JSON.parse(existing.notes) as AlertNote[]), entry];
      const update =
        to === 'acknowledged'
          ? { state: to, acknowledged_at: now, notes: JSON.stringify(notes), updated_at: now }
          : {
              state: to,
              resolved_at: now,
              notes: JSON.stringify(notes),
              occurrence_log: JSON.stringify(endOccurrence(existing, now)),
              updated_at: now,
            };
      await trx.updateTable('alerts').set(update).where('id', '=', id).execute();
      return toAlert({ ...existing, ...update });
    });
    this.events.emit('change', changed, to);
    return changed;
  }

  async list(
    filter: AlertFilter,
    limit: number,
    offset: number,
    sort: AlertSort = 'newest',
  ): Promise<{ items: AlertRecord[]; total: number }> {
    let query = this.rdb.db.selectFrom('alerts');
    if (filter.type) query = query.where('type', '=', filter.type);
    if (Array.isArray(filter.state)) query = query.where('state', 'in', filter.state);
    else if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.severity) query = query.where('severity', '=', filter.severity);
    if (filter.search) {
      // LIKE with its wildcards escaped: the search text is matched literally.
      const pattern = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      query = query.where((eb) =>
        eb.or([
          eb(sql`lower(subject)`, 'like', sql`${pattern} escape '\\'`),
          eb(sql`lower(id)`, 'like', sql`${pattern} escape '\\'`),
        ]),
      );
    }
    if (filter.subject) query = query.where('subject', '=', filter.subject);
    if (filter.from !== undefined) query = query.where('last_seen_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('opened_at', '<', filter.to);
    if (filter.silenced?.mode === 'exclude') {
      const at = filter.silenced.at;
      query = query.where((eb) => eb.or([eb('silenced_until', 'is', null), eb('silenced_until', '<=', at)]));
    } else if (filter.silenced?.mode === 'only') query = query.where('silenced_until', '>', filter.silenced.at);
    if (filter.subjects) {
      if (filter.subjects.length === 0) return { items: [], total: 0 };
      query = query.where('subject', 'in', filter.subjects);
    }
    const [rows, count] = await Promise.all([
      orderAlerts(query.selectAll(), sort).limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toAlert), total: Number(count.n) };
  }
}

/** The ORDER BY of each sort (see ALERT_SORTS); the id last, so pages never overlap. */
function orderAlerts<Q extends SelectQueryBuilder<DatabaseSchema, 'alerts', AlertTable>>(query: Q, sort: AlertSort): Q {
  switch (sort) {
    case 'triage':
      return query
        .orderBy(sql`case state when 'resolved' then 1 else 0 end`)
        .orderBy(sql`case severity when 'critical' then 0 when 'warning' then 1 else 2 end`)
        .orderBy('last_seen_at', 'desc')
        .orderBy('id', 'desc') as Q;
    case 'oldest':
      return query.orderBy('opened_at', 'asc').orderBy('id', 'asc') as Q;
    case 'last_seen':
      return query.orderBy('last_seen_at', 'desc').orderBy('id', 'desc') as Q;
    case 'newest':
      return query.orderBy('opened_at', 'desc').orderBy('id', 'desc') as Q;
  }
}
