/**
 * Who may do what with a work order: admins everything; inspectors what is in their
 * areas (a lead of the area may also reassign); auditors read only.
 */
import { WorkflowError } from './errors.js';
import type { Actor, Inspector, WorkOrder } from './types.js';

export function mayView(actor: Actor, order: WorkOrder): void {
  if (actor.role !== 'inspector') return;
  if (!order.area || !actor.areas.includes(order.area)) {
    throw new WorkflowError(
      'out_of_area',
      `work order ${order.id} is in area ${order.area ?? '(none)'}; ${actor.name} covers ${actor.areas.join(', ') || 'no area'}`,
    );
  }
}

export function mayAct(actor: Actor, order: WorkOrder): void {
  if (actor.role === 'auditor')
    throw new WorkflowError('forbidden', `auditors can read work orders but not act on them (${actor.name})`);
  mayView(actor, order);
}

/** Reassigning is for admins and the leads among the inspectors (checked after mayAct). */
export function mayReassign(actor: Actor, order: WorkOrder, inspectors: Inspector[]): void {
  if (actor.role === 'admin') return;
  const me = inspectors.find((i) => i.id === actor.name);
  if (!me?.lead)
    throw new WorkflowError(
      'forbidden',
      `only an admin or the lead of area ${order.area ?? '(none)'} may reassign work order ${order.id}`,
    );
}
