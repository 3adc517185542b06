import type { WorkOrderState } from '@gridsafe/shared';
/** Work-order states: open → acknowledged → on_site → resolved (or resolved remotely once acknowledged). */

export const WORK_ORDER_TRANSITIONS: Readonly<Record<WorkOrderState, readonly WorkOrderState[]>> = {
  open: ['acknowledged'],
  // Resolving without going on site is for what can be settled remotely (a false alarm
  // explained by the customer); the note must say so.
  acknowledged: ['on_site', 'resolved'],
  on_site: ['resolved'],
  resolved: [],
};

export function checkWorkOrderMove(from: WorkOrderState, to: WorkOrderState, note: string | undefined): string | null {
  if (from === to) return `the work order is already ${from}`;
  const next = WORK_ORDER_TRANSITIONS[from];
  if (!next.includes(to)) {
    return `a work order cannot move from ${from} to ${to}: ${next.length ? `from ${from} it can move to ${next.join(' or ')}` : 'resolved is final'}`;
  }
  if (to === 'resolved' && !(note && note.trim()))
    return 'resolving a work order needs a note saying what was found and done';
  return null;
}
