/**
 * Schema of the workflow (notification queue, work orders, inspector profiles, and the
 * append-only guard on the case trail), migrated through Kysely's Migrator like the
 * core's store, but recorded in its own migration table: the two sets evolve
 * independently, and neither can be blocked by the other's numbering.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as notifications from '../notifications/migration.js';
import * as workorders from '../workorders/migration.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The audit trail of a case is append-only (CONTRACT.md): the database itself refuses to
 * change or delete a line of case_history, whoever asks.
 */
function appendOnlyCaseTrail(dialect: Dialect): Migration {
  return {
    // Kysely<any>: migrations run before the typed schema exists.
    async up(db: Kysely<any>) {
      if (dialect === 'sqlite') {
        for (const op of ['UPDATE', 'DELETE']) {
          await sql
            .raw(`CREATE TRIGGER IF NOT EXISTS case_history_no_${op.toLowerCase()} BEFORE ${op} ON case_history BEGIN SELECT RAISE(ABORT, 'case_history is append-only'); END`)
            .execute(db);
        }
      } else {
        await sql
          .raw(`CREATE OR REPLACE FUNCTION case_history_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'case_history is append-only'; END $$ LANGUAGE plpgsql`)
          .execute(db);
        await sql.raw('DROP TRIGGER IF EXISTS case_history_append_only ON case_history').execute(db);
        await sql.raw('CREATE TRIGGER case_history_append_only BEFORE UPDATE OR DELETE ON case_history FOR EACH ROW EXECUTE FUNCTION case_history_append_only()').execute(db);
      }
    },
  };
}

class WorkflowMigrations implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '0001_notifications': notifications,
      '0002_workorders': workorders,
      '0003_case_trail_append_only': appendOnlyCaseTrail(this.dialect),
    };
  }
}

export async function migrateWorkflow(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new WorkflowMigrations(dialect),
    migrationTableName: 'workflow_migration',
    migrationLockTableName: 'workflow_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`workflow schema migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
}
