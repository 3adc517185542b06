/**
 * The relational contract on PostgreSQL: Debian's postgresql 15 started by this test
 * (initdb into a temporary folder, a free port), a new database per subtest.
 */
import t from 'tap';
import { openRelational } from '../../src/storage/relational/db.js';
import { startPostgres } from '../support/postgres.js';
import { relationalContract } from './relational-contract.js';

const server = await startPostgres();
t.teardown(() => server.stop());
let n = 0;

t.test('migrations are applied once; opening again changes nothing', async (t) => {
  const url = await server.createDatabase('twice');
  const first = await openRelational({ kind: 'postgres', url });
  await first.db
    .insertInto('transformers')
    .values({ id: 'tx', site: 's', rated_kva: 1, vector_group: null, area: null, updated_at: 0 })
    .execute();
  await first.close();
  const second = await openRelational({ kind: 'postgres', url });
  t.equal((await second.db.selectFrom('transformers').selectAll().execute()).length, 1);
  await second.close();
});

relationalContract(t, async () =>
  openRelational({ kind: 'postgres', url: await server.createDatabase(`contract_${++n}`) }),
);
