/**
 * Capacity-violation cases: opened or updated by detection (one open case per
 * customer), moved on by people (cases/service.ts decides which moves are allowed), each
 * step appended to the case's history (never rewritten).
 */
import { EventEmitter } from 'node:events';
import type { AuditAction, AuditEntry, CaseComment, CaseRecord, CaseState, EquipmentFound } from '@gridsafe/shared';
import type { CapacityCaseEvidence, CaseStore } from '../../detector-kit/types.js';
import { againIfRaced, type RelationalDb } from './db.js';
import type { Transaction } from 'kysely';
import type { CaseTable, DatabaseSchema } from './schema.js';
import { newId } from './ids.js';

/** How many demand points a case keeps as evidence (a month of 15-minute blocks is 2,976). */
const MAX_EVIDENCE_POINTS = 3000;

interface StoredEvidence {
  demandSeries: Array<[number, number]>;
  detail: Record<string, unknown>;
}

function toCase(row: CaseTable): CaseRecord {
  const evidence = JSON.parse(row.evidence) as StoredEvidence;
  return {
    id: row.id,
    customer: row.customer,
    state: row.state as CaseState,
    contractKva: row.contract_kva,
    maxDemandKw: row.max_demand_kw,
    maxDemandKva: row.max_demand_kva,
    excessKva: row.excess_kva,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    demandSeries: evidence.demandSeries ?? [],
    detail: evidence.detail ?? {},
    openedAt: row.created_at,
    updatedAt: row.updated_at,
    penalty: row.penalty === null ? null : (JSON.parse(row.penalty) as CaseRecord['penalty']),
    equipment: row.equipment === null ? null : (JSON.parse(row.equipment) as EquipmentFound),
  };
}

function mergeSeries(a: Array<[number, number]>, b: Array<[number, number]>): Array<[number, number]> {
  const byTs = new Map<number, number>(a);
  for (const [ts, value] of b) byTs.set(ts, value);
  return [...byTs.entries()].sort((x, y) => x[0] - y[0]).slice(-MAX_EVIDENCE_POINTS);
}

export class SqlCaseStore implements CaseStore {
  /** Emits ('change', case: CaseRecord, action: string) after each committed change. */
  readonly events = new EventEmitter();

  constructor(private readonly rdb: RelationalDb) {}

  async openOrUpdate(evidence: CapacityCaseEvidence): Promise<string> {
    // A concurrent open from another instance can win the unique index; ours then updates its case.
    const { record, action } = await againIfRaced(() => this.openOrUpdateOnce(evidence));
    this.events.emit('change', record, action);
    return record.id;
  }

  private async openOrUpdateOnce(evidence: CapacityCaseEvidence): Promise<{ record: CaseRecord; action: string }> {
    return this.rdb.db.transaction().execute(async (trx) => {
      const now = Date.now();
      let openQuery = trx
        .selectFrom('cases')
        .selectAll()
        .where('customer', '=', evidence.customer)
        .where('state', 'not in', ['confirmed', 'dismissed']);
      // PostgreSQL: concurrent updates of one case apply one after the other (see alert-store.ts).
      if (this.rdb.dialect === 'postgres') openQuery = openQuery.forUpdate();
      const open = await openQuery.executeTakeFirst();
      if (open) {
        const previous = JSON.parse(open.evidence) as StoredEvidence;
        const update = {
          contract_kva: evidence.contractKva,
          max_demand_kw: Math.max(open.max_demand_kw, evidence.maxDemandKw),
          max_demand_kva:
            evidence.maxDemandKva === undefined
              ? open.max_demand_kva
              : Math.max(open.max_demand_kva ?? 0, evidence.maxDemandKva),
          excess_kva: Math.max(open.excess_kva, evidence.excessKva),
          first_seen: Math.min(open.first_seen, evidence.firstSeen),
          last_seen: Math.max(open.last_seen, evidence.lastSeen),
          evidence: JSON.stringify({
            demandSeries: mergeSeries(previous.demandSeries ?? [], evidence.demandSeries),
            detail: { ...previous.detail, ...evidence.detail },
          }),
          updated_at: now,
        };
        await trx.updateTable('cases').set(update).where('id', '=', open.id).execute();
        await trx
          .insertInto('case_history')
          .values({
            case_id: open.id,
            at: now,
            actor: 'detection',
            action: 'evidence',
            from_state: null,
            to_state: null,
            note: null,
            detail: JSON.stringify({
              maxDemandKw: evidence.maxDemandKw,
              maxDemandKva: evidence.maxDemandKva ?? null,
              excessKva: evidence.excessKva,
              lastSeen: evidence.lastSeen,
            }),
          })
          .execute();
        return { record: toCase({ ...open, ...update }), action: 'evidence' };
      }
      const row: CaseTable = {
        id: newId('case', now),
        customer: evidence.customer,
        state: 'new',
        contract_kva: evidence.contractKva,
        max_demand_kw: evidence.maxDemandKw,
        max_demand_kva: evidence.maxDemandKva ?? null,
        excess_kva: evidence.excessKva,
        first_seen: evidence.firstSeen,
        last_seen: evidence.lastSeen,
        evidence: JSON.stringify({ demandSeries: mergeSeries([], evidence.demandSeries), detail: evidence.detail }),
        penalty: null,
        created_at: now,
        updated_at: now,
        equipment: null,
      };
      await trx.insertInto('cases').values(row).execute();
      await trx
        .insertInto('case_history')
        .values({
          case_id: row.id,
          at: now,
          actor: 'detection',
          action: 'opened',
          from_state: null,
          to_state: 'new',
          note: null,
          detail: null,
        })
        .execute();
      return { record: toCase(row), action: 'opened' };
    });
  }

  async get(id: string): Promise<CaseRecord | undefined> {
    const row = await this.rdb.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toCase(row) : undefined;
  }

  /** The append-only audit trail of a case, oldest first. */
  async history(id: string): Promise<AuditEntry[]> {
    const rows = await this.rdb.db
      .selectFrom('case_history')
      .selectAll()
      .where('case_id', '=', id)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      caseId: row.case_id,
      at: row.at,
      actor: row.actor,
      action: row.action as AuditAction,
      from: row.from_state as CaseState | null,
      to: row.to_state as CaseState | null,
      note: row.note,
    }));
  }

  async list(
    filter: { state?: CaseState; customer?: string; customers?: string[] },
    limit: number,
    offset: number,
  ): Promise<{ items: CaseRecord[]; total: number }> {
    let query = this.rdb.db.selectFrom('cases');
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.customer) query = query.where('customer', '=', filter.customer);
    if (filter.customers) {
      if (filter.customers.length === 0) return { items: [], total: 0 };
      query = query.where('customer', 'in', filter.customers);
    }
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toCase), total: Number(count.n) };
  }

  /**
   * Moves a case on, inside one transaction that holds the case: `decide` sees the case as
   * it is and names the new state (and the penalty to keep with a confirmation), or throws
   * to refuse; nothing is changed then. Undefined when there is no such case.
   */
  async transition(
    id: string,
    actor: string,
    note: string | undefined,
    decide: (current: CaseRecord) => { to: CaseState; penalty?: CaseRecord['penalty'] },
  ): Promise<CaseRecord | undefined> {
    const record = await this.rdb.db.transaction().execute(async (trx) => {
      const row = await this.holdCase(trx, id);
      if (!row) return undefined;
      const { to, penalty } = decide(toCase(row));
      const from = row.state as CaseState;
      const now = Date.now();
      const update: Partial<CaseTable> = { state: to, updated_at: now };
      if (to === 'confirmed' && penalty) update.penalty = JSON.stringify(penalty);
      await trx.updateTable('cases').set(update).where('id', '=', id).execute();
      await trx
        .insertInto('case_history')
        .values({
          case_id: id,
          at: now,
          actor,
          action: 'transition',
          from_state: from,
          to_state: to,
          note: note ?? null,
          detail: null,
        })
        .execute();
      return toCase({ ...row, ...update } as CaseTable);
    });
    if (record) this.events.emit('change', record, 'transition');
    return record;
  }

  /**
   * Records the equipment the field check found, inside one transaction that holds the
   * case: `check` sees the case as it is and throws to refuse. Appended to the trail.
   * Undefined when there is no such case.
   */
  async recordEquipment(
    id: string,
    equipment: EquipmentFound,
    check: (current: CaseRecord) => void,
  ): Promise<CaseRecord | undefined> {
    const record = await this.rdb.db.transaction().execute(async (trx) => {
      const row = await this.holdCase(trx, id);
      if (!row) return undefined;
      check(toCase(row));
      const update = { equipment: JSON.stringify(equipment), updated_at: equipment.recordedAt };
      await trx.updateTable('cases').set(update).where('id', '=', id).execute();
      await trx
        .insertInto('case_history')
        .values({
          case_id: id,
          at: equipment.recordedAt,
          actor: equipment.recordedBy,
          action: 'equipment',
          from_state: null,
          to_state: null,
          note: equipment.description,
          detail: JSON.stringify({ nameplateKva: equipment.nameplateKva, photo: equipment.photo }),
        })
        .execute();
      return toCase({ ...row, ...update });
    });
    if (record) this.events.emit('change', record, 'equipment');
    return record;
  }

  /** Appends a comment to the case's trail (kept with the rest of its history, append-only). */
  async addComment(caseId: string, author: string, text: string): Promise<CaseComment> {
    const at = Date.now();
    const inserted = await this.rdb.db
      .insertInto('case_history')
      .values({
        case_id: caseId,
        at,
        actor: author,
        action: 'comment',
        from_state: null,
        to_state: null,
        note: text,
        detail: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: Number(inserted.id), caseId, at, author, text };
  }

  /** The case row, held until the transaction ends (PostgreSQL: concurrent moves of one case apply one after the other). */
  private async holdCase(trx: Transaction<DatabaseSchema>, id: string): Promise<CaseTable | undefined> {
    let rowQuery = trx.selectFrom('cases').selectAll().where('id', '=', id);
    if (this.rdb.dialect === 'postgres') rowQuery = rowQuery.forUpdate();
    return rowQuery.executeTakeFirst();
  }
}
