/**
 * Opens the relational store (SQLite file by default, PostgreSQL with a URL) and brings
 * its schema up to date. Everything above this file is dialect-neutral Kysely.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration } from 'kysely';
import type { DatabaseSchema } from './schema.js';
import { InCodeMigrations, type Dialect } from './migrations.js';

// PostgreSQL returns int8 (our ms timestamps) as strings to be safe beyond 2^53;
// ours stay far below it, so numbers are what the code expects on both dialects.
pg.types.setTypeParser(20, (value: string) => Number(value));

export interface RelationalDb {
  db: Kysely<DatabaseSchema>;
  dialect: Dialect;
  close(): Promise<void>;
}

export type RelationalTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; poolSize?: number };

export interface OpenOptions {
  /** Migrations of other parts of the cloud, run with the core's (see migrations.ts). */
  extraMigrations?: Record<string, Migration>;
  /**
   * Errors of PostgreSQL connections outside a query (the server shut down or was
   * killed): pg emits them as 'error' events, which would end the process unhandled.
   * The pool drops such a connection (idle, or when released) and opens a new one when
   * asked, so they are only reported here; queries in flight fail on their own.
   */
  onConnectionError?: (error: Error) => void;
}

export async function openRelational(target: RelationalTarget, options: OpenOptions = {}): Promise<RelationalDb> {
  let db: Kysely<DatabaseSchema>;
  if (target.kind === 'sqlite') {
    // A short synchronous lock wait (see storage/series/sqlite.ts); callers retry.
    const sqlite = new Database(target.path, { timeout: 1000 });
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  } else {
    // A bounded connect wait: while the server is down or starting, a query fails soon
    // (API 503, ingest retries) instead of hanging.
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
    });
    const report = (error: Error) => options.onConnectionError?.(error);
    pool.on('error', report);
    // A connection checked out between two queries has no pool listener: give each one its own.
    pool.on('connect', (client) => client.on('error', report));
    db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  }
  // Unordered: a part added later may bring migrations whose names sort before ones already run.
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrations(target.kind, options.extraMigrations),
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    await db.destroy();
    throw new Error(
      `relational store migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`,
    );
  }
  return { db, dialect: target.kind, close: () => db.destroy() };
}

/** Whether the database answers a trivial query (readiness). */
export async function pingRelational(rdb: RelationalDb): Promise<boolean> {
  return sql`select 1`.execute(rdb.db).then(
    () => true,
    () => false,
  );
}

/**
 * Runs a write again, once, when it lost a race for a unique row to another writer (an
 * instance, a pooled connection): the second run finds the row the winner made and updates it.
 */
export async function againIfRaced<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return write();
  }
}

/** True for a unique-constraint violation on either dialect (used to resolve races by retrying). */
export function isUniqueViolation(error: unknown): boolean {
  const candidate = error as { code?: string; message?: string } | null;
  if (!candidate) return false;
  return (
    candidate.code === '23505' ||
    candidate.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    candidate.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
