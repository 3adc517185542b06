/** Tables of work orders. Times are UTC ms; JSON is stored as text (same SQL on SQLite and PostgreSQL). */

export interface WorkOrderTable {
  id: string;
  alert_id: string;
  alert_type: string;
  severity: string;
  subject: string;
  area: string | null;
  site: string | null;
  skill: string;
  assignee: string | null;
  routing: string;
  state: string;
  created_at: number;
  assigned_at: number | null;
  acknowledged_at: number | null;
  on_site_at: number | null;
  resolved_at: number | null;
  time_to_ack_ms: number | null;
  time_to_resolve_ms: number | null;
  ack_deadline_at: number;
  escalated_at: number | null;
  escalated_to: string | null;
  resolution: string | null;
  updated_at: number;
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
