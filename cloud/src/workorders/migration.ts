/** Schema of work orders; runs on SQLite and PostgreSQL alike. */
import type { Kysely } from 'kysely';

// Kysely<any> is the documented type for migrations: they run before the typed schema exists.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's documented migration type: they run before the typed schema exists
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('work_orders')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    // One work order per alert, enforced by the database even across cloud instances.
    .addColumn('alert_id', 'text', (c) => c.notNull().unique())
    .addColumn('alert_type', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('area', 'text')
    .addColumn('site', 'text')
    .addColumn('skill', 'text', (c) => c.notNull())
    .addColumn('assignee', 'text')
    .addColumn('routing', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('assigned_at', 'bigint')
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('on_site_at', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('time_to_ack_ms', 'bigint')
    .addColumn('time_to_resolve_ms', 'bigint')
    .addColumn('ack_deadline_at', 'bigint', (c) => c.notNull())
    .addColumn('escalated_at', 'bigint')
    .addColumn('escalated_to', 'text')
    .addColumn('resolution', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('work_orders_due')
    .ifNotExists()
    .on('work_orders')
    .columns(['state', 'ack_deadline_at'])
    .execute();
  await db.schema
    .createIndex('work_orders_assignee')
    .ifNotExists()
    .on('work_orders')
    .columns(['assignee', 'state'])
    .execute();
  await db.schema
    .createTable('work_order_events')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('work_order_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema
    .createIndex('work_order_events_order')
    .ifNotExists()
    .on('work_order_events')
    .columns(['work_order_id', 'id'])
    .execute();
  await db.schema
    .createTable('work_order_attachments')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('work_order_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('work_order_attachments_order')
    .ifNotExists()
    .on('work_order_attachments')
    .column('work_order_id')
    .execute();
  await db.schema
    .createTable('inspector_profiles')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('skills', 'text', (c) => c.notNull())
    .addColumn('lead', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('inspector_profiles').ifExists().execute();
  await db.schema.dropTable('work_order_attachments').ifExists().execute();
  await db.schema.dropTable('work_order_events').ifExists().execute();
  await db.schema.dropTable('work_orders').ifExists().execute();
}
