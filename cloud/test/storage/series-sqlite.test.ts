/** The series contract on the embedded SQLite backend (a file per subtest, WAL as in production). */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteSeriesStore } from '../../src/storage/series/sqlite.js';
import { atomicLedgerContract, seriesContract } from './series-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'gridsafe-series-sqlite-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const open = async () => {
  const store = new SqliteSeriesStore({ path: join(dir, `series-${++n}.sqlite`) });
  await store.init();
  return store;
};
seriesContract(t, open);
atomicLedgerContract(t, open);
