/** Child process for the kill -9 test: appends batches forever, printing each seq once its append has returned. */
import { SqliteOutbox } from '../../src/outbox/sqlite-outbox.js';
import { dropOldest } from '../../src/outbox/overflow/drop-oldest.js';

const dir = process.argv[2]!;
const outbox = new SqliteOutbox({ dataDir: dir, gatewayId: 'gw-kill', maxBytes: 64 * 1024 * 1024, policy: dropOldest });
for (let i = 0; ; i++) {
  const ts = Date.now();
  const batch = outbox.appendBatch({
    readingsJson: JSON.stringify([{ device: 'm-1', ts, values: { p_kw: i }, quality: 'good' }]),
    readingCount: 1,
    firstTs: ts,
    lastTs: ts,
  });
  process.stdout.write(`${batch.seq}\n`);
  if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
}
