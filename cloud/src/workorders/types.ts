/** Work orders: what an inspector is asked to do about an alert, and everything recorded on the way. */

// The records the API answers live in the shared contract, so the console reads the same types.
export {
  WORK_ORDER_ACTIONS,
  WORK_ORDER_STATES,
  type Attachment,
  type Inspector,
  type WorkOrder,
  type WorkOrderAction,
  type WorkOrderEvent,
  type WorkOrderState,
} from '@gridsafe/shared';

/** Who is acting: the signed-in API user. */
export interface Actor {
  name: string;
  role: 'admin' | 'inspector' | 'auditor';
  /** Areas an inspector is scoped to (empty for admin and auditor). */
  areas: string[];
}
