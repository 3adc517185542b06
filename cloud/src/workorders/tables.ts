/** Tables of work orders. Times are UTC ms; JSON is stored as text (same SQL on SQLite and PostgreSQL). */
import type { WorkOrder } from '@gridsafe/shared';

/** `ackDeadlineAt` → `ack_deadline_at`: a column's name from its record field's. */
type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;

/** A row with a column per record field, by its snake_case name; text where the record narrows it to a few names. */
type ColumnsOf<T> = { [K in keyof T as SnakeCase<K & string>]: T[K] extends string ? string : T[K] };

/** The row is the API record (shared contract) column for column, plus when it was first assigned. */
export interface WorkOrderTable extends ColumnsOf<Omit<WorkOrder, 'routingMessage'>> {
  /** The routing reason as a catalogue message (JSON text), null for orders routed before it was kept. */
  routing_message: string | null;
  assigned_at: number | null;
}

/** Append-only log of a work order (who did what, when); also holds notes. */
export interface WorkOrderEventTable {
  id: string;
  work_order_id: string;
  at: number;
  actor: string;
  action: string;
  note: string | null;
  detail: string | null;
}

export interface WorkOrderAttachmentTable {
  id: string;
  work_order_id: string;
  at: number;
  author: string;
  file_name: string;
  mime: string;
  size: number;
  sha256: string;
  /** Path relative to the attachments folder. */
  path: string;
}

/** What routing knows of an inspector beyond their API user: skills, lead, on duty. */
export interface InspectorProfileTable {
  id: string;
  name: string;
  /** JSON array of skills. */
  skills: string;
  lead: number;
  active: number;
  updated_at: number;
}

export interface WorkOrderTables {
  work_orders: WorkOrderTable;
  work_order_events: WorkOrderEventTable;
  work_order_attachments: WorkOrderAttachmentTable;
  inspector_profiles: InspectorProfileTable;
}
