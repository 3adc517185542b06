/**
 * Schema of the workflow (notification queue, work orders, inspector profiles, and the
 * append-only guard on the case trail), handed to the core's migrator as its
 * `extraMigrations` (names prefixed `workflow_`, run with the core's migrations).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import * as notifications from '../notifications/migration.js';
import * as workorders from '../workorders/migration.js';
import * as routingMessage from '../workorders/migration-routing-message.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The audit trail of a case is append-only (CONTRACT.md): the database itself refuses to
 * change or delete a line of case_history, whoever asks.
 */
function appendOnlyCaseTrail(dialect: Dialect): Migration {
  return {
    // Kysely<any>: migrations run before the typed schema exists.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
    async up(db: Kysely<any>) {
      if (dialect === 'sqlite') {
        for (const op of ['UPDATE', 'DELETE']) {
          await sql
            .raw(
              `CREATE TRIGGER IF NOT EXISTS case_history_no_${op.toLowerCase()} BEFORE ${op} ON case_history BEGIN SELECT RAISE(ABORT, 'case_history is append-only'); END`,
            )
            .execute(db);
        }
      } else {
        await sql
          .raw(
            `CREATE OR REPLACE FUNCTION case_history_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'case_history is append-only'; END $$ LANGUAGE plpgsql`,
          )
          .execute(db);
        await sql.raw('DROP TRIGGER IF EXISTS case_history_append_only ON case_history').execute(db);
        await sql
          .raw(
            'CREATE TRIGGER case_history_append_only BEFORE UPDATE OR DELETE ON case_history FOR EACH ROW EXECUTE FUNCTION case_history_append_only()',
          )
          .execute(db);
      }
    },
  };
}

export function workflowMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    workflow_0001_notifications: notifications,
    workflow_0002_workorders: workorders,
    workflow_0003_case_trail_append_only: appendOnlyCaseTrail(dialect),
    workflow_0004_routing_message: routingMessage,
  };
}

/** Refuses to start the workflow on a database its migrations have not run on, saying how to fix it. */
export async function checkWorkflowSchema(db: Kysely<unknown>): Promise<void> {
  try {
    await sql`SELECT 1 FROM work_orders WHERE 1 = 0`.execute(db);
    await sql`SELECT 1 FROM notification_outbox WHERE 1 = 0`.execute(db);
  } catch {
    throw new Error(
      'the workflow tables are missing: start the cloud with workflowStartOptions() (it passes workflowMigrations() as extraMigrations)',
    );
  }
}
