/**
 * The work-order service: turns alerts into assigned work orders, moves them through
 * their states for the people allowed to (permissions.ts), keeps the alert in step,
 * escalates what is not acknowledged in time (escalation.ts), and records every step in
 * the order's append-only log. Rows live in repository.ts, photo files in attachment-store.ts.
 */
import { formatMessage } from '../messages/catalog.js';
import type {
  AlertSilence,
  ApiUser,
  Attachment,
  Inspector,
  Message,
  WorkOrder,
  WorkOrderEvent,
  WorkOrderState,
} from '@gridsafe/shared';
import type { Transaction } from 'kysely';
import type { Alert, AlertType, Logger, Severity } from '@gridsafe/shared';
import { SEVERITIES } from '@gridsafe/shared';
import type { LiveBus } from '../notifications/live-bus.js';
import { orderedId } from '../notifications/ordered-id.js';
import type { NotificationQueue } from '../notifications/queue.js';
import type { NotificationTables } from '../notifications/tables.js';
import type { NotificationEvent } from '../notifications/types.js';
import { AttachmentStore, cleanFileName } from './attachment-store.js';
import { WorkflowError } from './errors.js';
import { escalateDue } from './escalation.js';
import { mayAct, mayReassign, mayView } from './permissions.js';
import {
  changedFields,
  toAttachment,
  toWorkOrder,
  WorkOrderRepository,
  type WorkflowDb,
  type WorkflowTrx,
  type WorkOrderFilter,
} from './repository.js';
import { chooseAssignee } from './routing.js';
import { isSilenced } from '../silences/hidden.js';
import type { WorkOrderSettings } from './settings.js';
import { checkWorkOrderMove } from './state-machine.js';
import type { WorkOrderTable } from './tables.js';

/** The alert as the service needs it (the core's stored alert satisfies it). */
export interface AlertLike extends Alert {
  notes?: Array<{ actor: string; action: string; note?: string }>;
  silence?: AlertSilence | null;
}

export interface WorkOrderDeps {
  db: WorkflowDb;
  settings: WorkOrderSettings;
  /** The skill an alert type asks for unless the settings say otherwise (from the alert type's metadata). */
  defaultSkillOf(type: AlertType): string;
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

export class WorkOrderService {
  private readonly now: () => number;
  private readonly repo: WorkOrderRepository;
  private readonly files: AttachmentStore;

  constructor(private readonly deps: WorkOrderDeps) {
    this.now = deps.now ?? Date.now;
    this.repo = new WorkOrderRepository(deps.db, this.now);
    this.files = new AttachmentStore(deps.attachmentsDir, deps.settings.attachments.maxBytes);
  }

  // ---------------------------------------------------------------- from alerts

  /** Opens the work order of an alert (idempotent: one per alert) and routes it. */
  async createForAlert(alert: AlertLike): Promise<{ workOrder: WorkOrder; created: boolean }> {
    const existing = await this.repo.byAlert(alert.id);
    if (existing) return { workOrder: existing, created: false };
    const { area, site } = this.deps.locate(alert.subject);
    const skill = this.deps.settings.skillByType[alert.type] ?? this.deps.defaultSkillOf(alert.type);
    const inspectors = await this.deps.inspectors.list();
    const now = this.now();
    try {
      const workOrder = await this.repo.transaction(async (trx) => {
        const decision = chooseAssignee(inspectors, { area, skill }, await this.repo.workload(trx));
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
          routing_message: JSON.stringify(decision.message),
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
        await this.repo.insert(trx, row);
        await this.repo.appendEvent(trx, row.id, 'system', 'created', null, {
          alert: alert.id,
          type: alert.type,
          severity: alert.severity,
        });
        if (decision.assignee)
          await this.repo.appendEvent(trx, row.id, 'routing', 'assigned', decision.reason, {
            assignee: decision.assignee,
            message: decision.message,
          });
        const order = toWorkOrder(row);
        await this.notify(trx, 'alert.opened', order, { alert: summary(alert) });
        return order;
      });
      this.deps.bus.publish({ type: 'workorder', action: 'created', area, data: { workOrder } });
      return { workOrder, created: true };
    } catch (error) {
      // Another instance (or a concurrent event) opened it first: the unique index decides.
      const raced = await this.repo.byAlert(alert.id);
      if (raced) return { workOrder: raced, created: false };
      throw error;
    }
  }

  /**
   * Follows a change of an alert made elsewhere (detection, or the alert API). An alert a
   * silence hides gets no work order (and so no notification) while the silence lasts.
   */
  async onAlertChange(alert: AlertLike, change: string): Promise<void> {
    if (isSilenced(alert, this.now())) return;
    if (change === 'opened') {
      await this.createForAlert(alert);
      return;
    }
    const order = await this.repo.byAlert(alert.id);
    if (!order) {
      if (alert.state !== 'resolved') await this.createForAlert(alert);
      return;
    }
    const last = alert.notes?.[alert.notes.length - 1];
    // A recurrence continues the same episode, so the same order (CONTRACT.md: one alert per episode).
    if ((change === 'updated' || change === 'recurred') && rank(alert.severity) > rank(order.severity)) {
      // Severity rose: the tighter deadline applies from the order's creation.
      const deadline = Math.min(order.ackDeadlineAt, order.createdAt + this.deps.settings.ackWithinMs[alert.severity]);
      await this.repo.transaction(async (trx) => {
        await this.repo.update(trx, order.id, {
          severity: alert.severity,
          ack_deadline_at: deadline,
          updated_at: this.now(),
        });
        await this.repo.appendEvent(trx, order.id, 'detection', 'alert_updated', null, {
          severity: { from: order.severity, to: alert.severity },
        });
      });
      void this.publish(order.id, 'updated');
    } else if (change === 'acknowledged' && order.state === 'open') {
      const actor = last?.actor ?? 'unknown';
      await this.move(order, 'acknowledged', actor, last?.note, { syncAlert: false, takeOver: true });
    } else if (change === 'resolved' && order.state !== 'resolved') {
      if (last?.action === 'cleared') {
        await this.repo.transaction((trx) =>
          this.repo.appendEvent(
            trx,
            order.id,
            'detection',
            'alert_cleared',
            'the condition cleared; the order stays open until an inspector closes it',
            null,
          ),
        );
        void this.publish(order.id, 'alert_cleared');
      } else {
        // Resolved by a person on the alert itself: the order is closed with their note.
        await this.forceResolve(order, last?.actor ?? 'unknown', last?.note ?? 'resolved on the alert');
      }
    }
  }

  // ---------------------------------------------------------------- people

  async list(
    actor: ApiUser,
    filter: WorkOrderFilter,
    limit: number,
    offset: number,
  ): Promise<{ items: WorkOrder[]; total: number }> {
    return this.repo.list(filter, actor.role === 'inspector' ? actor.areas : null, limit, offset);
  }

  async get(
    actor: ApiUser,
    id: string,
  ): Promise<{ workOrder: WorkOrder; events: WorkOrderEvent[]; attachments: Attachment[] }> {
    const workOrder = await this.mustGet(id);
    mayView(actor, workOrder);
    const [events, attachments] = await Promise.all([this.repo.events(id), this.repo.attachments(id)]);
    return { workOrder, events, attachments };
  }

  /** acknowledge / on_site / resolve, by an inspector of the area or an admin. */
  async transition(actor: ApiUser, id: string, to: WorkOrderState, note: string | undefined): Promise<WorkOrder> {
    const order = await this.mustGet(id);
    mayAct(actor, order);
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

  async addNote(actor: ApiUser, id: string, text: string): Promise<WorkOrderEvent> {
    const order = await this.mustGet(id);
    mayAct(actor, order);
    if (!text.trim()) throw new WorkflowError('invalid', { code: 'problem.empty_note' });
    const event = await this.repo.transaction((trx) =>
      this.repo.appendEvent(trx, id, actor.name, 'note', text.trim(), null),
    );
    void this.publish(id, 'note');
    return event;
  }

  /** Gives the order to another inspector of its area: admins and the area's leads only. */
  async reassign(actor: ApiUser, id: string, to: string, note: string | undefined): Promise<WorkOrder> {
    const order = await this.mustGet(id);
    mayAct(actor, order);
    const inspectors = await this.deps.inspectors.list();
    mayReassign(actor, order, inspectors);
    if (order.state === 'resolved')
      throw new WorkflowError('not_allowed', { code: 'problem.reassign_resolved', params: { id } });
    const target = inspectors.find((i) => i.id === to && i.active);
    if (!target) throw new WorkflowError('invalid', { code: 'problem.reassign_not_inspector', params: { to } });
    if (!order.area || !target.areas.includes(order.area))
      throw new WorkflowError('out_of_area', {
        code: 'problem.reassign_out_of_area',
        params: { to, area: order.area ?? '(none)', id },
      });
    if (order.assignee === to)
      throw new WorkflowError('same_state', { code: 'problem.reassign_same', params: { id, to } });
    const now = this.now();
    // A new assignee has not acknowledged anything yet: the order is open again for them.
    const reassigned: Message = { code: 'routing.reassigned', params: { by: actor.name } };
    const set: Partial<WorkOrderTable> = {
      assignee: to,
      assigned_at: now,
      routing: formatMessage(reassigned, 'en'),
      routing_message: JSON.stringify(reassigned),
      updated_at: now,
    };
    if (order.state === 'acknowledged')
      Object.assign(set, { state: 'open', acknowledged_at: null, time_to_ack_ms: null });
    await this.repo.transaction(async (trx) => {
      if (!(await this.repo.updateIfState(trx, id, order.state, set)))
        throw new WorkflowError('conflict', { code: 'problem.order_changed', params: { id } });
      await this.repo.appendEvent(trx, id, actor.name, 'reassigned', note ?? null, { from: order.assignee, to });
      await this.notify(trx, 'workorder.assigned', { ...order, assignee: to }, { by: actor.name });
    });
    return this.publish(id, 'reassigned');
  }

  /** Stores a photo after checking its size and, by its first bytes, that it is an image. */
  async addAttachment(actor: ApiUser, id: string, bytes: Buffer, fileName: string | undefined): Promise<Attachment> {
    const order = await this.mustGet(id);
    mayAct(actor, order);
    const photo = this.files.check(bytes);
    const { maxPerOrder } = this.deps.settings.attachments;
    if ((await this.repo.attachmentCount(id)) >= maxPerOrder)
      throw new WorkflowError('conflict', {
        code: 'problem.too_many_photos',
        params: { id, max: maxPerOrder },
      });
    const now = this.now();
    const attId = orderedId('att', now);
    const relative = await this.files.save(id, attId, photo.ext, bytes);
    const row = {
      id: attId,
      work_order_id: id,
      at: now,
      author: actor.name,
      file_name: cleanFileName(fileName, photo.ext),
      mime: photo.mime,
      size: photo.size,
      sha256: photo.sha256,
      path: relative,
    };
    try {
      await this.repo.transaction(async (trx) => {
        await this.repo.insertAttachment(trx, row);
        await this.repo.appendEvent(trx, id, actor.name, 'attachment', null, {
          attachment: attId,
          fileName: row.file_name,
          size: row.size,
          mime: row.mime,
        });
      });
    } catch (error) {
      await this.files.remove(relative);
      throw error;
    }
    void this.publish(id, 'attachment');
    return toAttachment(row);
  }

  async attachmentFile(
    actor: ApiUser,
    id: string,
    attachmentId: string,
  ): Promise<{ path: string; mime: string; fileName: string }> {
    const order = await this.mustGet(id);
    mayView(actor, order);
    const row = await this.repo.attachment(id, attachmentId);
    if (!row)
      throw new WorkflowError('not_found', {
        code: 'problem.attachment_not_found',
        params: { id, attachment: attachmentId },
      });
    return { path: this.files.pathOf(row.path), mime: row.mime, fileName: row.file_name };
  }

  // ---------------------------------------------------------------- escalation

  /** Escalates what is overdue (escalation.ts); returns the ids escalated. */
  escalateDue(): Promise<string[]> {
    return escalateDue({
      repo: this.repo,
      inspectors: this.deps.inspectors,
      fallback: this.deps.settings.fallbackEscalation,
      now: this.now,
      notify: (trx, kind, order, extra) => this.notify(trx, kind, order, extra),
      publish: (id, action) => this.publish(id, action),
      log: this.deps.log,
    });
  }

  /** Alerts still open without an order (e.g. the cloud stopped between the two): open them. */
  async catchUp(openAlerts: AlertLike[]): Promise<number> {
    let created = 0;
    for (const alert of openAlerts)
      if (!isSilenced(alert, this.now()) && (await this.createForAlert(alert)).created) created++;
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
    await this.repo.transaction(async (trx) => {
      // Conditional on the state we checked: of two people pressing at once, one wins.
      if (!(await this.repo.updateIfState(trx, order.id, order.state, set)))
        throw new WorkflowError('conflict', { code: 'problem.order_changed', params: { id: order.id } });
      await this.repo.appendEvent(
        trx,
        order.id,
        actor,
        to === 'acknowledged' ? 'acknowledged' : to === 'on_site' ? 'on_site' : 'resolved',
        note?.trim() || null,
        set.assignee ? { assignee: set.assignee } : null,
      );
      if (to === 'resolved')
        await this.notify(trx, 'workorder.resolved', { ...order, ...changedFields(set) }, { by: actor });
    });
    if (options.syncAlert) await this.syncAlert(order.alertId, to, actor, note);
    return this.publish(order.id, to);
  }

  private async forceResolve(order: WorkOrder, actor: string, note: string): Promise<void> {
    const now = this.now();
    await this.repo.transaction(async (trx) => {
      await this.repo.resolveUnlessResolved(trx, order.id, {
        state: 'resolved',
        resolved_at: now,
        time_to_resolve_ms: now - order.createdAt,
        resolution: note,
        updated_at: now,
      });
      await this.repo.appendEvent(trx, order.id, actor, 'resolved', note, { via: 'alert' });
    });
    void this.publish(order.id, 'resolved');
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

  /** Queues a notification about the order, committed with the change it tells of. */
  private async notify(
    trx: WorkflowTrx,
    kind: NotificationEvent['kind'],
    order: WorkOrder,
    extra: Record<string, unknown>,
  ): Promise<void> {
    const event: NotificationEvent = {
      kind,
      area: order.area,
      site: order.site,
      at: this.now(),
      data: { workOrder: order, ...extra },
    };
    await this.deps.queue.enqueue(event, trx as unknown as Transaction<NotificationTables>);
  }

  private async publish(id: string, action: string): Promise<WorkOrder> {
    const workOrder = await this.mustGet(id);
    this.deps.bus.publish({ type: 'workorder', action, area: workOrder.area, data: { workOrder } });
    return workOrder;
  }

  private async mustGet(id: string): Promise<WorkOrder> {
    const order = await this.repo.find(id);
    if (!order) throw new WorkflowError('not_found', { code: 'problem.not_found', params: { what: 'work order', id } });
    return order;
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
