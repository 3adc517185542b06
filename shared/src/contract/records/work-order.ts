/**
 * Work orders as the cloud keeps them and the API answers them (GET /api/v1/workorders):
 * what an inspector is asked to do about an alert, its log and attachments, and the
 * inspectors routing picks from. The console reads the same types.
 */
import type { AlertType, Severity } from '../types.js';
import type { Message } from './message.js';

export const WORK_ORDER_STATES = ['open', 'acknowledged', 'on_site', 'resolved'] as const;
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number];

export interface WorkOrder {
  id: string;
  alertId: string;
  alertType: AlertType;
  severity: Severity;
  subject: string;
  area: string | null;
  site: string | null;
  /** Skill the alert calls for (e.g. fire_safety for residual current). */
  skill: string;
  assignee: string | null;
  /** Why the assignee was chosen (or why nobody was). */
  routing: string;
  /** The same reason as a catalogue message, for readers of either language (null for orders routed before it was kept). */
  routingMessage: Message | null;
  state: WorkOrderState;
  createdAt: number;
  acknowledgedAt: number | null;
  onSiteAt: number | null;
  resolvedAt: number | null;
  timeToAckMs: number | null;
  timeToResolveMs: number | null;
  /** When the order is escalated if still not acknowledged. */
  ackDeadlineAt: number;
  escalatedAt: number | null;
  escalatedTo: string | null;
  resolution: string | null;
  updatedAt: number;
}

export const WORK_ORDER_ACTIONS = [
  'created',
  'assigned',
  'reassigned',
  'acknowledged',
  'on_site',
  'resolved',
  'escalated',
  'note',
  'attachment',
  'alert_updated',
  'alert_cleared',
] as const;
export type WorkOrderAction = (typeof WORK_ORDER_ACTIONS)[number];

/** One line of a work order's append-only log. */
export interface WorkOrderEvent {
  id: string;
  workOrderId: string;
  at: number;
  actor: string;
  action: WorkOrderAction;
  note: string | null;
  detail: Record<string, unknown> | null;
}

export interface Attachment {
  id: string;
  workOrderId: string;
  at: number;
  author: string;
  fileName: string;
  mime: string;
  size: number;
  sha256: string;
}

/** An inspector as routing sees one: where they work, what they can do. */
export interface Inspector {
  id: string;
  name: string;
  areas: string[];
  skills: string[];
  /** Area lead: receives escalations for their areas and may reassign. */
  lead: boolean;
  active: boolean;
}
