/** The relational contract on SQLite (the embedded default): a new file per subtest. */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { openRelational } from '../../src/storage/relational/db.js';
import { InCodeMigrations } from '../../src/storage/relational/migrations.js';
import { SqlAlertStore } from '../../src/storage/relational/alert-store.js';
import { relationalContract } from './relational-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'gridsafe-rel-sqlite-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

t.test('migrations are applied once; opening again changes nothing', async (t) => {
  const path = join(dir, 'twice.sqlite');
  const first = await openRelational({ kind: 'sqlite', path });
  await first.db
    .insertInto('transformers')
    .values({ id: 'tx', site: 's', rated_kva: 1, vector_group: null, area: null, updated_at: 0 })
    .execute();
  await first.close();
  const second = await openRelational({ kind: 'sqlite', path });
  t.equal((await second.db.selectFrom('transformers').selectAll().execute()).length, 1);
  await second.close();
});

t.test('alerts stored before one-alert-per-episode read back as one occurrence each', async (t) => {
  const path = join(dir, 'before-episodes.sqlite');
  const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path) }) });
  const migrated = await new Migrator({ db: old, provider: new InCodeMigrations('sqlite') }).migrateTo('0001_initial');
  t.error(migrated.error);
  for (const [id, resolvedAt] of [
    ['al-old-1', 2000],
    ['al-old-2', null],
  ] as const) {
    await sql`INSERT INTO alerts (id, type, severity, state, subject, subject_kind, opened_at, last_seen_at,
      acknowledged_at, resolved_at, evidence, notes, updated_at)
      VALUES (${id}, 'overload', 'critical', ${resolvedAt === null ? 'open' : 'resolved'}, 'tx-1', 'transformer',
      1000, 1500, NULL, ${resolvedAt}, '{}', '[]', 0)`.execute(old);
  }
  await old.destroy();
  const rdb = await openRelational({ kind: 'sqlite', path });
  const alerts = new SqlAlertStore(rdb);
  t.match(await alerts.get('al-old-1'), {
    occurrences: 1,
    firstOccurrenceAt: 1000,
    lastOccurrenceAt: 1000,
    occurrenceLog: [{ startedAt: 1000, endedAt: 2000, severity: 'critical' }],
  });
  t.match(await alerts.get('al-old-2'), { occurrenceLog: [{ startedAt: 1000, endedAt: null }] });
  await rdb.close();
});

relationalContract(t, () => openRelational({ kind: 'sqlite', path: join(dir, `rel-${++n}.sqlite`) }));
