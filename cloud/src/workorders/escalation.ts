/**
 * Escalation: the pass that hands every order not acknowledged in time to its area's
 * lead, and the node-cron job that runs it. noOverlap: a slow pass is never run twice at
 * once; the conditional update makes each escalation happen once even across instances.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Inspector, Logger, WorkOrder } from '@gridsafe/shared';
import type { NotificationEvent } from '../notifications/types.js';
import { toWorkOrder, type WorkflowTrx, type WorkOrderRepository } from './repository.js';
import { escalationTarget } from './routing.js';

export interface EscalationDeps {
  repo: WorkOrderRepository;
  inspectors: { list(): Promise<Inspector[]> };
  /** Who gets an escalation when the area has no lead. */
  fallback: string | null;
  now: () => number;
  /** Queues the notification in the escalation's own transaction. */
  notify(
    trx: WorkflowTrx,
    kind: NotificationEvent['kind'],
    order: WorkOrder,
    extra: Record<string, unknown>,
  ): Promise<void>;
  /** Tells live viewers the order changed. */
  publish(id: string, action: string): Promise<unknown>;
  log: Logger;
}

/**
 * Escalates every order still open past its acknowledgement deadline to the area lead.
 * The update is conditional on `escalated_at IS NULL`, so an order is escalated once,
 * however often (and on however many instances) the check runs. Returns the ids escalated.
 */
export async function escalateDue(deps: EscalationDeps): Promise<string[]> {
  const now = deps.now();
  const due = await deps.repo.dueForEscalation(now, 500);
  if (!due.length) return [];
  const inspectors = await deps.inspectors.list();
  const escalated: string[] = [];
  for (const row of due) {
    const target = escalationTarget(inspectors, row.area, deps.fallback);
    const done = await deps.repo.transaction(async (trx) => {
      if (!(await deps.repo.markEscalated(trx, row.id, now, target))) return false;
      const waited = Math.round((now - Number(row.created_at)) / 60_000);
      await deps.repo.appendEvent(trx, row.id, 'escalation', 'escalated', `not acknowledged within ${waited} min`, {
        to: target,
        assignee: row.assignee,
      });
      const order = toWorkOrder({ ...row, escalated_at: now, escalated_to: target });
      await deps.notify(trx, 'alert.escalated', order, { to: target, waitedMinutes: waited });
      return true;
    });
    if (done) {
      escalated.push(row.id);
      deps.log.warn(
        { workOrder: row.id, alert: row.alert_id, to: target, area: row.area },
        'work order escalated: not acknowledged in time',
      );
      void deps.publish(row.id, 'escalated');
    }
  }
  return escalated;
}

export interface EscalationJob {
  stop(): Promise<void>;
}

export function startEscalationJob(schedule: string, escalate: () => Promise<unknown>, log: Logger): EscalationJob {
  if (!cron.validate(schedule)) throw new Error(`escalation schedule "${schedule}" is not a valid cron expression`);
  const task: ScheduledTask = cron.schedule(
    schedule,
    async () => {
      try {
        await escalate();
      } catch (error) {
        log.error({ err: error }, 'escalation pass failed; next pass will retry');
      }
    },
    { name: 'workorder-escalation', noOverlap: true },
  );
  return {
    async stop() {
      await task.stop();
      await task.destroy();
    },
  };
}
