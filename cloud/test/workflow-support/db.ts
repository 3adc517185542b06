/** A throwaway SQLite database in a temp folder, with the workflow's migrations applied. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type Migration } from 'kysely';

export interface TempDb<T> {
  db: Kysely<T>;
  dir: string;
  close(): Promise<void>;
}

export async function tempSqlite<T>(migrations: Migration[]): Promise<TempDb<T>> {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-workflow-'));
  const db = new Kysely<T>({ dialect: new SqliteDialect({ database: new Database(join(dir, 'cloud.sqlite')) }) });
  // Kysely<any> is what migrations take: they run before the typed schema exists.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  for (const migration of migrations) await migration.up(db as Kysely<any>);
  return {
    db,
    dir,
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
