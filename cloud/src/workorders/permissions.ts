/**
 * Who may do what with a work order: admins everything; inspectors what is in their
 * areas (a lead of the area may also reassign); auditors read only.
 */
import type { ApiUser, Inspector, WorkOrder } from '@gridsafe/shared';
import { WorkflowError } from './errors.js';

export function mayView(actor: ApiUser, order: WorkOrder): void {
  if (actor.role !== 'inspector') return;
  if (!order.area || !actor.areas.includes(order.area)) {
    throw new WorkflowError('out_of_area', {
      code: 'problem.order_out_of_area',
      params: {
        id: order.id,
        area: order.area ?? '(none)',
        user: actor.name,
        areas: actor.areas.join(', ') || 'no area',
      },
    });
  }
}

export function mayAct(actor: ApiUser, order: WorkOrder): void {
  if (actor.role === 'auditor')
    throw new WorkflowError('forbidden', { code: 'problem.auditor_read_only', params: { user: actor.name } });
  mayView(actor, order);
}

/** Reassigning is for admins and the leads among the inspectors (checked after mayAct). */
export function mayReassign(actor: ApiUser, order: WorkOrder, inspectors: Inspector[]): void {
  if (actor.role === 'admin') return;
  const me = inspectors.find((i) => i.id === actor.name);
  if (!me?.lead)
    throw new WorkflowError('forbidden', {
      code: 'problem.reassign_lead_only',
      params: { area: order.area ?? '(none)', id: order.id },
    });
}
