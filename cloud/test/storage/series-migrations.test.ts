/** The embedded series file's schema comes from numbered migrations tracked in user_version. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { migrateSeriesFile } from '../../src/storage/series/sqlite-migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'gridsafe-series-migrations-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const tables = (db: Database.Database) =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>
  ).map((row) => row.name);

t.test('a new file gets every table and the latest version; a second run changes nothing', async (t) => {
  const db = new Database(join(dir, 'new.sqlite'));
  const version = migrateSeriesFile(db);
  t.ok(version >= 1);
  t.same(tables(db), ['ingest_ledger', 'readings']);
  t.equal(db.pragma('user_version', { simple: true }), version);
  t.equal(migrateSeriesFile(db), version, 'idempotent');
  db.close();
});

t.test('a file made before migrations were tracked is adopted with its rows', async (t) => {
  const db = new Database(join(dir, 'old.sqlite'));
  db.exec(
    'CREATE TABLE readings (device TEXT NOT NULL, ts INTEGER NOT NULL, gateway TEXT NOT NULL, quality INTEGER NOT NULL, p_kw REAL, PRIMARY KEY (device, ts)) WITHOUT ROWID',
  );
  db.prepare('INSERT INTO readings VALUES (?, ?, ?, ?, ?)').run('m-001', 1, 'gw-001', 0, 12.5);
  migrateSeriesFile(db);
  t.same(db.prepare('SELECT p_kw FROM readings').all(), [{ p_kw: 12.5 }], 'the reading is still there');
  t.ok(tables(db).includes('ingest_ledger'));
  db.close();
});

t.test('a file from a newer cloud is refused with a message that says so', async (t) => {
  const db = new Database(join(dir, 'newer.sqlite'));
  db.pragma('user_version = 999');
  t.throws(() => migrateSeriesFile(db), /schema version 999, newer than this cloud knows/);
  db.close();
});
