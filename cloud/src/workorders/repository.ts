/**
 * Work orders in the relational store: the orders, their append-only event log and
 * their attachment records. Every change the service makes goes through one of these
 * methods, inside a transaction the service opens (`transaction`), so a move, its log
 * line and its notification commit together.
 */
import type { Kysely, Transaction } from 'kysely';
import type {
  Attachment,
  Severity,
  WorkOrder,
  WorkOrderAction,
  WorkOrderEvent,
  WorkOrderState,
} from '@gridsafe/shared';
import type { NotificationTables } from '../notifications/tables.js';
import { orderedId } from '../notifications/ordered-id.js';
import type { WorkOrderTable, WorkOrderTables } from './tables.js';
import type { Message } from '@gridsafe/shared';

export type WorkflowDb = Kysely<WorkOrderTables & NotificationTables>;
export type WorkflowTrx = Transaction<WorkOrderTables & NotificationTables>;
export type AttachmentRow = WorkOrderTables['work_order_attachments'];

export interface WorkOrderFilter {
  state?: WorkOrderState;
  assignee?: string;
  alertId?: string;
  /** The orders of any of these alerts (a page of the alert list). */
  alertIds?: string[];
  area?: string;
}

export class WorkOrderRepository {
  constructor(
    private readonly db: WorkflowDb,
    private readonly now: () => number,
  ) {}

  transaction<T>(work: (trx: WorkflowTrx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** Newest first; `areas` (an inspector's) limits the orders to those areas. */
  async list(
    filter: WorkOrderFilter,
    areas: string[] | null,
    limit: number,
    offset: number,
  ): Promise<{ items: WorkOrder[]; total: number }> {
    let query = this.db.selectFrom('work_orders');
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.assignee) query = query.where('assignee', '=', filter.assignee);
    if (filter.alertId) query = query.where('alert_id', '=', filter.alertId);
    if (filter.alertIds) {
      if (!filter.alertIds.length) return { items: [], total: 0 };
      query = query.where('alert_id', 'in', filter.alertIds);
    }
    if (filter.area) query = query.where('area', '=', filter.area);
    if (areas) {
      if (!areas.length) return { items: [], total: 0 };
      query = query.where('area', 'in', areas);
    }
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toWorkOrder), total: Number(count.n) };
  }

  async find(id: string): Promise<WorkOrder | null> {
    const row = await this.db.selectFrom('work_orders').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toWorkOrder(row) : null;
  }

  async byAlert(alertId: string): Promise<WorkOrder | null> {
    const row = await this.db.selectFrom('work_orders').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
    return row ? toWorkOrder(row) : null;
  }

  async events(id: string): Promise<WorkOrderEvent[]> {
    const rows = await this.db
      .selectFrom('work_order_events')
      .selectAll()
      .where('work_order_id', '=', id)
      .orderBy('id')
      .execute();
    return rows.map((e) => ({
      id: e.id,
      workOrderId: e.work_order_id,
      at: Number(e.at),
      actor: e.actor,
      action: e.action as WorkOrderAction,
      note: e.note,
      detail: e.detail === null ? null : (JSON.parse(e.detail) as Record<string, unknown>),
    }));
  }

  async attachments(id: string): Promise<Attachment[]> {
    const rows = await this.db
      .selectFrom('work_order_attachments')
      .selectAll()
      .where('work_order_id', '=', id)
      .orderBy('at')
      .orderBy('id')
      .execute();
    return rows.map(toAttachment);
  }

  async attachmentCount(id: string): Promise<number> {
    const count = await this.db
      .selectFrom('work_order_attachments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('work_order_id', '=', id)
      .executeTakeFirstOrThrow();
    return Number(count.n);
  }

  attachment(id: string, attachmentId: string): Promise<AttachmentRow | undefined> {
    return this.db
      .selectFrom('work_order_attachments')
      .selectAll()
      .where('id', '=', attachmentId)
      .where('work_order_id', '=', id)
      .executeTakeFirst();
  }

  /** Orders open past their acknowledgement deadline and not yet escalated, oldest deadline first. */
  dueForEscalation(now: number, limit: number): Promise<WorkOrderTable[]> {
    return this.db
      .selectFrom('work_orders')
      .selectAll()
      .where('state', '=', 'open')
      .where('escalated_at', 'is', null)
      .where('ack_deadline_at', '<=', now)
      .orderBy('ack_deadline_at')
      .limit(limit)
      .execute();
  }

  /** Open orders per assignee and when each was last given one (what routing balances on). */
  async workload(trx: WorkflowTrx): Promise<{ open: Map<string, number>; lastAssignedAt: Map<string, number> }> {
    const rows = await trx
      .selectFrom('work_orders')
      .select(['assignee', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('assigned_at').as('last')])
      .where('state', '<>', 'resolved')
      .where('assignee', 'is not', null)
      .groupBy('assignee')
      .execute();
    const open = new Map<string, number>();
    const lastAssignedAt = new Map<string, number>();
    for (const row of rows) {
      open.set(row.assignee!, Number(row.n));
      lastAssignedAt.set(row.assignee!, Number(row.last ?? 0));
    }
    return { open, lastAssignedAt };
  }

  async insert(trx: WorkflowTrx, row: WorkOrderTable): Promise<void> {
    await trx.insertInto('work_orders').values(row).execute();
  }

  async update(trx: WorkflowTrx, id: string, set: Partial<WorkOrderTable>): Promise<void> {
    await trx.updateTable('work_orders').set(set).where('id', '=', id).execute();
  }

  /** Changes the order only while it is still in `state`: of two people pressing at once, one wins. */
  async updateIfState(
    trx: WorkflowTrx,
    id: string,
    state: WorkOrderState,
    set: Partial<WorkOrderTable>,
  ): Promise<boolean> {
    const result = await trx
      .updateTable('work_orders')
      .set(set)
      .where('id', '=', id)
      .where('state', '=', state)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Closes the order unless it is closed already. */
  async resolveUnlessResolved(trx: WorkflowTrx, id: string, set: Partial<WorkOrderTable>): Promise<void> {
    await trx.updateTable('work_orders').set(set).where('id', '=', id).where('state', '<>', 'resolved').execute();
  }

  /** Marks an open order escalated; false when it was acknowledged or escalated meanwhile (elsewhere too). */
  async markEscalated(trx: WorkflowTrx, id: string, at: number, to: string | null): Promise<boolean> {
    const result = await trx
      .updateTable('work_orders')
      .set({ escalated_at: at, escalated_to: to, updated_at: at })
      .where('id', '=', id)
      .where('state', '=', 'open')
      .where('escalated_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async insertAttachment(trx: WorkflowTrx, row: AttachmentRow): Promise<void> {
    await trx.insertInto('work_order_attachments').values(row).execute();
  }

  /** Appends a line to the order's log (never changed afterwards). */
  async appendEvent(
    trx: WorkflowTrx,
    workOrderId: string,
    actor: string,
    action: WorkOrderAction,
    note: string | null,
    detail: Record<string, unknown> | null,
  ): Promise<WorkOrderEvent> {
    const at = this.now();
    const event: WorkOrderEvent = { id: orderedId('woe', at), workOrderId, at, actor, action, note, detail };
    await trx
      .insertInto('work_order_events')
      .values({
        id: event.id,
        work_order_id: workOrderId,
        at,
        actor,
        action,
        note,
        detail: detail ? JSON.stringify(detail) : null,
      })
      .execute();
    return event;
  }
}

export function toWorkOrder(row: WorkOrderTable): WorkOrder {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: row.id,
    alertId: row.alert_id,
    alertType: row.alert_type as WorkOrder['alertType'],
    severity: row.severity as Severity,
    subject: row.subject,
    area: row.area,
    site: row.site,
    skill: row.skill,
    assignee: row.assignee,
    routing: row.routing,
    routingMessage: row.routing_message === null ? null : (JSON.parse(row.routing_message) as Message),
    state: row.state as WorkOrderState,
    createdAt: Number(row.created_at),
    acknowledgedAt: n(row.acknowledged_at),
    onSiteAt: n(row.on_site_at),
    resolvedAt: n(row.resolved_at),
    timeToAckMs: n(row.time_to_ack_ms),
    timeToResolveMs: n(row.time_to_resolve_ms),
    ackDeadlineAt: Number(row.ack_deadline_at),
    escalatedAt: n(row.escalated_at),
    escalatedTo: row.escalated_to,
    resolution: row.resolution,
    updatedAt: Number(row.updated_at),
  };
}

/** The fields of a WorkOrder that a change of the row sets (for the notification of that change). */
export function changedFields(set: Partial<WorkOrderTable>): Partial<WorkOrder> {
  const out: Partial<WorkOrder> = {};
  if (set.state) out.state = set.state as WorkOrderState;
  if (set.resolved_at !== undefined) out.resolvedAt = set.resolved_at;
  if (set.resolution !== undefined) out.resolution = set.resolution;
  if (set.time_to_resolve_ms !== undefined) out.timeToResolveMs = set.time_to_resolve_ms;
  return out;
}

export function toAttachment(row: AttachmentRow): Attachment {
  return {
    id: row.id,
    workOrderId: row.work_order_id,
    at: Number(row.at),
    author: row.author,
    fileName: row.file_name,
    mime: row.mime,
    size: Number(row.size),
    sha256: row.sha256,
  };
}
