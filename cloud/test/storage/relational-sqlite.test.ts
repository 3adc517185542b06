/** The relational contract on SQLite (the embedded default): a new file per subtest. */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRelational } from '../../src/storage/relational/db.js';
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

relationalContract(t, () => openRelational({ kind: 'sqlite', path: join(dir, `rel-${++n}.sqlite`) }));
