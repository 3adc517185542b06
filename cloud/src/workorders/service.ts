/**
 * The work-order service: turns alerts into assigned work orders, moves them through
 * their states for the people allowed to, keeps the alert in step, escalates what is not
 * acknowledged in time (once), and records every step in the order's append-only log.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import type { Alert, Logger, Severity } from '@gridsafe/shared';
import { SEVERITIES } from '@gridsafe/shared';
import type { LiveBus } from '../notifications/live-bus.js';
import { orderedId } from '../notifications/ordered-id.js';
import type { NotificationQueue } from '../notifications/queue.js';
import type { NotificationTables } from '../notifications/tables.js';
import type { NotificationEvent } from '../notifications/types.js';
import { WorkflowError } from './errors.js';
import { ACCEPTED_IMAGE_TYPES, sniffImage } from './image-type.js';
import { chooseAssignee, escalationTarget } from './routing.js';
import type { WorkOrderSettings } from './settings.js';
import { checkWorkOrderMove } from './state-machine.js';
import type { WorkOrderTable, WorkOrderTables } from './tables.js';
import type {
  Actor,
  Attachment,
  Inspector,
  WorkOrder,
  WorkOrderAction,
  WorkOrderEvent,
  WorkOrderState,
} from './types.js';

/** The alert as the service needs it (the core's stored alert satisfies it). */
export interface AlertLike extends Alert {
  notes?: Array<{ actor: string; action: string; note?: string }>;
}

export interface WorkOrderDeps {
  db: Kysely<WorkOrderTables & NotificationTables>;
  settings: WorkOrderSettings;
  /** Folder for photo attachments (created if missing). */
  attachmentsDir: string;
  inspectors: { list(): Promise<Inspector[]> };
  /** Area and site of an alert's subject, from the registry. */
  locate(subject: string): { area: string | null; site: string | null };
  /** Keeps the alert in step with its work order (the core's alert store). */
  alerts: {
    acknowledge(id: string, actor: string, note: string | undefined): Promise<void>;
    resolve(id: string, actor: string, note: string | undefined): Promise<void>;
  };
  queue: NotificationQueue;
  bus: LiveBus;
  log: Logger;
  now?: () => number;
}

export interface WorkOrderFilter {
  state?: WorkOrderState;
  assignee?: string;
  alertId?: string;
  area?: string;
}

type Trx = Transaction<WorkOrderTables & NotificationTables>;

export class WorkOrderService {
  private readonly now: () => number;

  constructor(private readonly deps: WorkOrderDeps) {
    this.now = deps.now ?? Date.now;
  }

  // ---------------------------------------------------------------- from alerts

  /** Opens the work order of an alert (idempotent: one per alert) and routes it. */
  async createForAlert(alert: AlertLike): Promise<{ workOrder: WorkOrder; created: boolean }> {
    const existing = await this.byAlert(alert.id);
    if (existing) return { workOrder: existing, created: false };
    const { area, site } = this.deps.locate(alert.subject);
    const skill = this.deps.settings.skillByType[alert.type] ?? 'general';
    const inspectors = await this.deps.inspectors.list();
    const now = this.now();
    try {
      const workOrder = await this.deps.db.transaction().execute(async (trx) => {
        const decision = chooseAssignee(inspectors, { area, skill }, await this.load(trx));
        const row: WorkOrderTable = {
          id: orderedId('wo', now),
          alert_id: alert.id,
          alert_type: alert.type,
          severity: alert.severity,
          subject: alert.subject,
          area,
          site,
          skill,
          assignee: decision.assignee,
          routing: decision.reason,
          state: 'open',
          created_at: now,
          assigned_at: decision.assignee ? now : null,
          acknowledged_at: null,
          on_site_at: null,
          resolved_at: null,
          time_to_ack_ms: null,
          time_to_resolve_ms: null,
          ack_deadline_at: now + this.deps.settings.ackWithinMs[alert.severity],
          escalated_at: null,
          escalated_to: null,
          resolution: null,
          updated_at: now,
        };
        await trx.insertInto('work_orders').values(row).execute();
        await this.log(trx, row.id, 'system', 'created', null, {
          alert: alert.id,
          type: alert.type,
          severity: alert.severity,
        });
        if (decision.assignee)
          await this.log(trx, row.id, 'routing', 'assigned', decision.reason, { assignee: decision.assignee });
        const order = toWorkOrder(row);
        await this.deps.queue.enqueue(
          this.notification('alert.opened', order, { alert: summary(alert) }),
          trx as unknown as Transaction<NotificationTables>,
        );
        return order;
      });
      this.deps.bus.publish({ type: 'workorder', action: 'created', area, data: { workOrder } });
      return { workOrder, created: true };
    } catch (error) {
      // Another instance (or a concurrent event) opened it first: the unique index decides.
      const raced = await this.byAlert(alert.id);
      if (raced) return { workOrder: raced, created: false };
      throw error;
    }
  }

  /** Follows a change of an alert made elsewhere (detection, or the alert API). */
  async onAlertChange(alert: AlertLike, change: string): Promise<void> {
    if (change === 'opened') {
      await this.createForAlert(alert);
      return;
    }
    const order = await this.byAlert(alert.id);
    if (!order) {
      if (alert.state !== 'resolved') await this.createForAlert(alert);
      return;
    }
    const last = alert.notes?.[alert.notes.length - 1];
    // A recurrence continues the same episode, so the same order (CONTRACT.md: one alert per episode).
    if ((change === 'updated' || change === 'recurred') && rank(alert.severity) > rank(order.severity)) {
      // Severity rose: the tighter deadline applies from the order's creation.
      const deadline = Math.min(order.ackDeadlineAt, order.createdAt + this.deps.settings.ackWithinMs[alert.severity]);
      await this.deps.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('work_orders')
          .set({ severity: alert.severity, ack_deadline_at: deadline, updated_at: this.now() })
          .where('id', '=', order.id)
          .execute();
        await this.log(trx, order.id, 'detection', 'alert_updated', null, {
          severity: { from: order.severity, to: alert.severity },
        });
      });
      this.publish(order.id, 'updated');
    } else if (change === 'acknowledged' && order.state === 'open') {
      const actor = last?.actor ?? 'unknown';
      await this.move(order, 'acknowledged', actor, last?.note, { syncAlert: false, takeOver: true });
    } else if (change === 'resolved' && order.state !== 'resolved') {
      if (last?.action === 'cleared') {
        await this.deps.db
          .transaction()
          .execute((trx) =>
            this.log(
              trx,
              order.id,
              'detection',
              'alert_cleared',
              'the condition cleared; the order stays open until an inspector closes it',
              null,
            ),
          );
        this.publish(order.id, 'alert_cleared');
      } else {
        // Resolved by a person on the alert itself: the order is closed with their note.
        await this.forceResolve(order, last?.actor ?? 'unknown', last?.note ?? 'resolved on the alert');
      }
    }
  }

  // ---------------------------------------------------------------- people

  async list(
    actor: Actor,
    filter: WorkOrderFilter,
    limit: number,
    offset: number,
  ): Promise<{ items: WorkOrder[]; total: number }> {
    let query = this.deps.db.selectFrom('work_orders');
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.assignee) query = query.where('assignee', '=', filter.assignee);
    if (filter.alertId) query = query.where('alert_id', '=', filter.alertId);
    if (filter.area) query = query.where('area', '=', filter.area);
    if (actor.role === 'inspector') {
      if (!actor.areas.length) return { items: [], total: 0 };
      query = query.where('area', 'in', actor.areas);
    }
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toWorkOrder), total: Number(count.n) };
  }

  async get(
    actor: Actor,
    id: string,
  ): Promise<{ workOrder: WorkOrder; events: WorkOrderEvent[]; attachments: Attachment[] }> {
    const workOrder = await this.mustGet(id);
    this.mayView(actor, workOrder);
    const [events, attachments] = await Promise.all([
      this.deps.db.selectFrom('work_order_events').selectAll().where('work_order_id', '=', id).orderBy('id').execute(),
      this.deps.db
        .selectFrom('work_order_attachments')
        .selectAll()
        .where('work_order_id', '=', id)
        .orderBy('at')
        .orderBy('id')
        .execute(),
    ]);
    return {
      workOrder,
      events: events.map((e) => ({
        id: e.id,
        workOrderId: e.work_order_id,
        at: Number(e.at),
        actor: e.actor,
        action: e.action as WorkOrderAction,
        note: e.note,
        detail: e.detail === null ? null : (JSON.parse(e.detail) as Record<string, unknown>),
      })),
      attachments: attachments.map(toAttachment),
    };
  }

  /** acknowledge / on_site / resolve, by an inspector of the area or an admin. */
  async transition(actor: Actor, id: string, to: WorkOrderState, note: string | undefined): Promise<WorkOrder> {
    const order = await this.mustGet(id);
    this.mayAct(actor, order);
    const refusal = checkWorkOrderMove(order.state, to, note);
    if (refusal)
      throw new WorkflowError(
        refusal.startsWith('resolving') ? 'note_required' : 'not_allowed',
        `work order ${id}: ${refusal}`,
      );
    return this.move(order, to, actor.name, note, {
      syncAlert: true,
      takeOver: to === 'acknowledged' && actor.role === 'inspector',
    });
  }

  async addNote(actor: Actor, id: string, text: string): Promise<WorkOrderEvent> {
    const order = await this.mustGet(id);
    this.mayAct(actor, order);
    if (!text.trim()) throw new WorkflowError('invalid', 'a note needs some text');
    const event = await this.deps.db
      .transaction()
      .execute((trx) => this.log(trx, id, actor.name, 'note', text.trim(), null));
    this.publish(id, 'note');
    return event;
  }

  /** Gives the order to another inspector of its area: admins and the area's leads only. */
  async reassign(actor: Actor, id: string, to: string, note: string | undefined): Promise<WorkOrder> {
    const order = await this.mustGet(id);
    this.mayAct(actor, order);
    const inspectors = await this.deps.inspectors.list();
    if (actor.role !== 'admin') {
      const me = inspectors.find((i) => i.id === actor.name);
      if (!me?.lead)
        throw new WorkflowError(
          'forbidden',
          `only an admin or the lead of area ${order.area ?? '(none)'} may reassign work order ${id}`,
        );
    }
    if (order.state === 'resolved')
      throw new WorkflowError('not_allowed', `work order ${id} is resolved and cannot be reassigned`);
    const target = inspectors.find((i) => i.id === to && i.active);
    if (!target) throw new WorkflowError('invalid', `"${to}" is not an active inspector`);
    if (!order.area || !target.areas.includes(order.area))
      throw new WorkflowError('out_of_area', `${to} does not cover area ${order.area ?? '(none)'} of work order ${id}`);
    if (order.assignee === to) throw new WorkflowError('same_state', `work order ${id} is already assigned to ${to}`);
    const now = this.now();
    // A new assignee has not acknowledged anything yet: the order is open again for them.
    const set: Partial<WorkOrderTable> = {
      assignee: to,
      assigned_at: now,
      routing: `reassigned by ${actor.name}`,
      updated_at: now,
    };
    if (order.state === 'acknowledged')
      Object.assign(set, { state: 'open', acknowledged_at: null, time_to_ack_ms: null });
    await this.deps.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('work_orders')
        .set(set)
        .where('id', '=', id)
        .where('state', '=', order.state)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1)
        throw new WorkflowError('conflict', `work order ${id} changed meanwhile; reload and try again`);
      await this.log(trx, id, actor.name, 'reassigned', note ?? null, { from: order.assignee, to });
      await this.deps.queue.enqueue(
        this.notification('workorder.assigned', { ...order, assignee: to }, { by: actor.name }),
        trx as unknown as Transaction<NotificationTables>,
      );
    });
    return this.publish(id, 'reassigned');
  }

  /** Stores a photo after checking its size and, by its first bytes, that it is an image. */
  async addAttachment(actor: Actor, id: string, bytes: Buffer, fileName: string | undefined): Promise<Attachment> {
    const order = await this.mustGet(id);
    this.mayAct(actor, order);
    const { maxBytes, maxPerOrder } = this.deps.settings.attachments;
    if (bytes.length > maxBytes)
      throw new WorkflowError(
        'too_large',
        `the photo is ${bytes.length} bytes; at most ${maxBytes} bytes are accepted`,
      );
    if (bytes.length === 0) throw new WorkflowError('invalid', 'the upload is empty');
    const type = sniffImage(bytes);
    if (!type)
      throw new WorkflowError(
        'unsupported_type',
        `the upload is not a ${ACCEPTED_IMAGE_TYPES} image (judged by its content, not its name or Content-Type)`,
      );
    const count = await this.deps.db
      .selectFrom('work_order_attachments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('work_order_id', '=', id)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= maxPerOrder)
      throw new WorkflowError('conflict', `work order ${id} already has ${maxPerOrder} photos, the most allowed`);
    const now = this.now();
    const attId = orderedId('att', now);
    const relative = join(id, `${attId}.${type.ext}`);
    const path = join(this.deps.attachmentsDir, relative);
    await mkdir(join(this.deps.attachmentsDir, id), { recursive: true });
    // Write then rename: a crash never leaves a half file under the final name.
    await writeFile(`${path}.part`, bytes);
    await rename(`${path}.part`, path);
    const row = {
      id: attId,
      work_order_id: id,
      at: now,
      author: actor.name,
      file_name: cleanFileName(fileName, type.ext),
      mime: type.mime,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      path: relative,
    };
    try {
      await this.deps.db.transaction().execute(async (trx) => {
        await trx.insertInto('work_order_attachments').values(row).execute();
        await this.log(trx, id, actor.name, 'attachment', null, {
          attachment: attId,
          fileName: row.file_name,
          size: row.size,
          mime: row.mime,
        });
      });
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    this.publish(id, 'attachment');
    return toAttachment(row);
  }

  async attachmentFile(
    actor: Actor,
    id: string,
    attachmentId: string,
  ): Promise<{ path: string; mime: string; fileName: string }> {
    const order = await this.mustGet(id);
    this.mayView(actor, order);
    const row = await this.deps.db
      .selectFrom('work_order_attachments')
      .selectAll()
      .where('id', '=', attachmentId)
      .where('work_order_id', '=', id)
      .executeTakeFirst();
    if (!row) throw new WorkflowError('not_found', `work order ${id} has no attachment "${attachmentId}"`);
    return { path: join(this.deps.attachmentsDir, row.path), mime: row.mime, fileName: row.file_name };
  }

  // ---------------------------------------------------------------- escalation

  /**
   * Escalates every order still open past its acknowledgement deadline to the area lead.
   * The update is conditional on `escalated_at IS NULL`, so an order is escalated once,
   * however often (and on however many instances) the check runs. Returns the ids escalated.
   */
  async escalateDue(): Promise<string[]> {
    const now = this.now();
    const due = await this.deps.db
      .selectFrom('work_orders')
      .selectAll()
      .where('state', '=', 'open')
      .where('escalated_at', 'is', null)
      .where('ack_deadline_at', '<=', now)
      .orderBy('ack_deadline_at')
      .limit(500)
      .execute();
    if (!due.length) return [];
    const inspectors = await this.deps.inspectors.list();
    const escalated: string[] = [];
    for (const row of due) {
      const target = escalationTarget(inspectors, row.area, this.deps.settings.fallbackEscalation);
      const done = await this.deps.db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('work_orders')
          .set({ escalated_at: now, escalated_to: target, updated_at: now })
          .where('id', '=', row.id)
          .where('state', '=', 'open')
          .where('escalated_at', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        const waited = Math.round((now - Number(row.created_at)) / 60_000);
        await this.log(trx, row.id, 'escalation', 'escalated', `not acknowledged within ${waited} min`, {
          to: target,
          assignee: row.assignee,
        });
        const order = toWorkOrder({ ...row, escalated_at: now, escalated_to: target });
        await this.deps.queue.enqueue(
          this.notification('alert.escalated', order, { to: target, waitedMinutes: waited }),
          trx as unknown as Transaction<NotificationTables>,
        );
        return true;
      });
      if (done) {
        escalated.push(row.id);
        this.deps.log.warn(
          { workOrder: row.id, alert: row.alert_id, to: target, area: row.area },
          'work order escalated: not acknowledged in time',
        );
        this.publish(row.id, 'escalated');
      }
    }
    return escalated;
  }

  /** Alerts still open without an order (e.g. the cloud stopped between the two): open them. */
  async catchUp(openAlerts: AlertLike[]): Promise<number> {
    let created = 0;
    for (const alert of openAlerts) if ((await this.createForAlert(alert)).created) created++;
    return created;
  }

  // ---------------------------------------------------------------- internals

  private async move(
    order: WorkOrder,
    to: WorkOrderState,
    actor: string,
    note: string | undefined,
    options: { syncAlert: boolean; takeOver: boolean },
  ): Promise<WorkOrder> {
    const now = this.now();
    const set: Partial<WorkOrderTable> = { state: to, updated_at: now };
    if (to === 'acknowledged') {
      set.acknowledged_at = now;
      set.time_to_ack_ms = now - order.createdAt;
      if (options.takeOver && order.assignee !== actor) Object.assign(set, { assignee: actor, assigned_at: now });
    } else if (to === 'on_site') {
      set.on_site_at = now;
    } else if (to === 'resolved') {
      set.resolved_at = now;
      set.time_to_resolve_ms = now - order.createdAt;
      set.resolution = note?.trim() ?? null;
    }
    await this.deps.db.transaction().execute(async (trx) => {
      // Conditional on the state we checked: of two people pressing at once, one wins.
      const result = await trx
        .updateTable('work_orders')
        .set(set)
        .where('id', '=', order.id)
        .where('state', '=', order.state)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1)
        throw new WorkflowError('conflict', `work order ${order.id} changed meanwhile; reload and try again`);
      await this.log(
        trx,
        order.id,
        actor,
        to === 'acknowledged' ? 'acknowledged' : to === 'on_site' ? 'on_site' : 'resolved',
        note?.trim() || null,
        set.assignee ? { assignee: set.assignee } : null,
      );
      if (to === 'resolved')
        await this.deps.queue.enqueue(
          this.notification('workorder.resolved', { ...order, ...toPartial(set) }, { by: actor }),
          trx as unknown as Transaction<NotificationTables>,
        );
    });
    if (options.syncAlert) await this.syncAlert(order.alertId, to, actor, note);
    return this.publish(order.id, to);
  }

  private async forceResolve(order: WorkOrder, actor: string, note: string): Promise<void> {
    const now = this.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('work_orders')
        .set({
          state: 'resolved',
          resolved_at: now,
          time_to_resolve_ms: now - order.createdAt,
          resolution: note,
          updated_at: now,
        })
        .where('id', '=', order.id)
        .where('state', '<>', 'resolved')
        .execute();
      await this.log(trx, order.id, actor, 'resolved', note, { via: 'alert' });
    });
    this.publish(order.id, 'resolved');
  }

  /** The alert follows the order; an alert already there (or resolved by detection) is fine. */
  private async syncAlert(alertId: string, to: WorkOrderState, actor: string, note: string | undefined): Promise<void> {
    try {
      if (to === 'acknowledged') await this.deps.alerts.acknowledge(alertId, actor, note);
      else if (to === 'resolved') await this.deps.alerts.resolve(alertId, actor, note);
    } catch (error) {
      this.deps.log.info({ alert: alertId, to, err: error }, 'alert not moved with its work order (already there)');
    }
  }

  private async load(trx: Trx): Promise<{ open: Map<string, number>; lastAssignedAt: Map<string, number> }> {
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

  private async log(
    trx: Trx,
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

  private notification(
    kind: NotificationEvent['kind'],
    order: WorkOrder,
    extra: Record<string, unknown>,
  ): NotificationEvent {
    return { kind, area: order.area, site: order.site, at: this.now(), data: { workOrder: order, ...extra } };
  }

  private async publish(id: string, action: string): Promise<WorkOrder> {
    const workOrder = await this.mustGet(id);
    this.deps.bus.publish({ type: 'workorder', action, area: workOrder.area, data: { workOrder } });
    return workOrder;
  }

  private async byAlert(alertId: string): Promise<WorkOrder | null> {
    const row = await this.deps.db
      .selectFrom('work_orders')
      .selectAll()
      .where('alert_id', '=', alertId)
      .executeTakeFirst();
    return row ? toWorkOrder(row) : null;
  }

  private async mustGet(id: string): Promise<WorkOrder> {
    const row = await this.deps.db.selectFrom('work_orders').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new WorkflowError('not_found', `work order "${id}" does not exist`);
    return toWorkOrder(row);
  }

  private mayView(actor: Actor, order: WorkOrder): void {
    if (actor.role !== 'inspector') return;
    if (!order.area || !actor.areas.includes(order.area)) {
      throw new WorkflowError(
        'out_of_area',
        `work order ${order.id} is in area ${order.area ?? '(none)'}; ${actor.name} covers ${actor.areas.join(', ') || 'no area'}`,
      );
    }
  }

  private mayAct(actor: Actor, order: WorkOrder): void {
    if (actor.role === 'auditor')
      throw new WorkflowError('forbidden', `auditors can read work orders but not act on them (${actor.name})`);
    this.mayView(actor, order);
  }
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);

function summary(alert: AlertLike): Record<string, unknown> {
  return {
    id: alert.id,
    type: alert.type,
    severity: alert.severity,
    subject: alert.subject,
    openedAt: alert.openedAt,
    evidence: alert.evidence,
  };
}

function cleanFileName(name: string | undefined, ext: string): string {
  const base = (name ?? '')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[._]+/, '')
    .slice(0, 100);
  return base || `photo.${ext}`;
}

function toPartial(set: Partial<WorkOrderTable>): Partial<WorkOrder> {
  const out: Partial<WorkOrder> = {};
  if (set.state) out.state = set.state as WorkOrderState;
  if (set.resolved_at !== undefined) out.resolvedAt = set.resolved_at;
  if (set.resolution !== undefined) out.resolution = set.resolution;
  if (set.time_to_resolve_ms !== undefined) out.timeToResolveMs = set.time_to_resolve_ms;
  return out;
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

function toAttachment(row: WorkOrderTables['work_order_attachments']): Attachment {
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
