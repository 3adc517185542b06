/**
 * Schema of the embedded series file, as numbered migrations tracked in SQLite's
 * `user_version`. The series file is not the relational database (it is written by its
 * own thread, with its own pragmas), so it keeps its own list; append new steps, never
 * edit one that has shipped.
 */
import type Database from 'better-sqlite3';
import { QUANTITY_NAMES } from '@gridsafe/shared';

/** Each step runs once, in order, inside one transaction with its version bump. */
const SERIES_MIGRATIONS: ReadonlyArray<{ name: string; sql: string }> = [
  {
    // Files made before migrations were tracked already have these tables: IF NOT EXISTS adopts them.
    name: 'readings and ingest ledger',
    sql: `
      CREATE TABLE IF NOT EXISTS readings (
        device TEXT NOT NULL,
        ts INTEGER NOT NULL,
        gateway TEXT NOT NULL,
        quality INTEGER NOT NULL,
        ${QUANTITY_NAMES.map((column) => `${column} REAL`).join(',\n        ')},
        PRIMARY KEY (device, ts)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS ingest_ledger (
        gateway TEXT NOT NULL,
        seq INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        readings INTEGER NOT NULL,
        pending BLOB,
        PRIMARY KEY (gateway, seq)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS ingest_ledger_pending ON ingest_ledger (received_at) WHERE pending IS NOT NULL;`,
  },
];

/** Brings a series file up to the latest schema; returns the version it is at. */
export function migrateSeriesFile(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SERIES_MIGRATIONS.length)
    throw new Error(
      `the series file is at schema version ${current}, newer than this cloud knows (${SERIES_MIGRATIONS.length}): run a newer cloud`,
    );
  for (let version = current; version < SERIES_MIGRATIONS.length; version++) {
    const step = SERIES_MIGRATIONS[version] as { sql: string };
    db.transaction(() => {
      db.exec(step.sql);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return SERIES_MIGRATIONS.length;
}
