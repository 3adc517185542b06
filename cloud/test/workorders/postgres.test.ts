/**
 * The workflow's tables on PostgreSQL (Debian's postgresql 15, started by this test):
 * migrations beside the core's, the append-only case trail, one work order per alert
 * under concurrent creation, escalation once under concurrent passes, and webhook
 * deliveries claimed once by two workers racing on the same queue.
 */
import { BUILTIN_ALERT_TYPE_META } from '../../src/detectors/index.js';
import { defaultSkills } from '../../src/workorders/routing.js';
import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { createLogger } from '@gridsafe/shared';
import { openRelational } from '../../src/storage/relational/db.js';
import { checkWorkflowSchema, workflowMigrations } from '../../src/workflow-plugin/migrations.js';
import { LiveBus } from '../../src/notifications/live-bus.js';
import { NotificationQueue } from '../../src/notifications/queue.js';
import { DeliveryWorker } from '../../src/notifications/worker.js';
import { WebhookStore } from '../../src/notifications/webhooks-store.js';
import type { NotificationTables } from '../../src/notifications/tables.js';
import { WorkOrderService } from '../../src/workorders/service.js';
import { DEFAULT_WORK_ORDER_SETTINGS } from '../../src/workorders/settings.js';
import type { WorkOrderTables } from '../../src/workorders/tables.js';
import { startPostgres } from '../support/postgres.js';

const log = createLogger('test', { level: 'silent' });
const server = await startPostgres();
t.teardown(() => server.stop());

t.test('workflow on PostgreSQL', async (t) => {
  const url = await server.createDatabase('workflow');
  // Twice: a second start finds everything in place and changes nothing.
  await (await openRelational({ kind: 'postgres', url }, { extraMigrations: workflowMigrations('postgres') })).close();
  const rdb = await openRelational({ kind: 'postgres', url }, { extraMigrations: workflowMigrations('postgres') });
  t.teardown(() => rdb.close());
  await checkWorkflowSchema(rdb.db as Kysely<unknown>);

  await rdb.db
    .insertInto('case_history')
    .values({
      case_id: 'case-x',
      at: 1,
      actor: 'a',
      action: 'opened',
      from_state: null,
      to_state: 'new',
      note: null,
      detail: null,
    })
    .execute();
  await t.rejects(sql`UPDATE case_history SET actor = 'b'`.execute(rdb.db), /append-only/);
  await t.rejects(sql`DELETE FROM case_history`.execute(rdb.db), /append-only/);

  const db = rdb.db as unknown as Kysely<WorkOrderTables & NotificationTables>;
  const notificationDb = rdb.db as unknown as Kysely<NotificationTables>;
  let now = Date.now();
  const queue = new NotificationQueue(notificationDb, { groupWaitMs: 0, groupedKinds: [], now: () => now });
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-wf-pg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const service = new WorkOrderService({
    defaultSkillOf: defaultSkills(BUILTIN_ALERT_TYPE_META),
    db,
    settings: DEFAULT_WORK_ORDER_SETTINGS,
    attachmentsDir: dir,
    inspectors: {
      list: async () => [{ id: 'li', name: 'Li', areas: ['north'], skills: ['fire_safety'], lead: true, active: true }],
    },
    locate: () => ({ area: 'north', site: 'Room 1' }),
    alerts: { acknowledge: async () => undefined, resolve: async () => undefined },
    queue,
    bus: new LiveBus(),
    log,
    now: () => now,
  });
  const alert = {
    id: 'al-1',
    type: 'residual_current' as const,
    severity: 'critical' as const,
    state: 'open' as const,
    subject: 't-1',
    openedAt: now,
    lastSeenAt: now,
    resolvedAt: null,
    evidence: {},
    occurrences: 1,
    firstOccurrenceAt: now,
    lastOccurrenceAt: now,
  };
  const results = await Promise.all(Array.from({ length: 5 }, () => service.createForAlert(alert)));
  t.equal(results.filter((r) => r.created).length, 1, 'one work order for one alert, whoever races');
  t.equal(new Set(results.map((r) => r.workOrder.id)).size, 1);
  const order = results[0]!.workOrder;
  t.match(order, { assignee: 'li', state: 'open' });

  now += DEFAULT_WORK_ORDER_SETTINGS.ackWithinMs.critical + 1;
  const passes = await Promise.all(Array.from({ length: 4 }, () => service.escalateDue()));
  t.same(passes.flat(), [order.id], 'escalated once by four concurrent passes');

  // Two workers (two cloud instances) on one queue: each delivery is sent once.
  const hits = new Map<string, number>();
  const receiver = createServer((req, res) => {
    const id = String(req.headers['x-gridsafe-delivery']);
    hits.set(id, (hits.get(id) ?? 0) + 1);
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  await new WebhookStore(notificationDb).create({
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
  });
  now = Date.now();
  for (let i = 0; i < 30; i++)
    await queue.enqueue({ kind: 'case.transition', area: 'north', site: null, at: now, data: { i } });
  const options = {
    backoff: { baseMs: 10, maxMs: 50, maxAttempts: 5 },
    timeoutMs: 2_000,
    concurrency: 4,
    pollMs: 10,
    log,
    now: () => Date.now(),
  };
  const a = new DeliveryWorker(notificationDb, queue, options);
  const b = new DeliveryWorker(notificationDb, queue, options);
  // A pass ends when nothing is due; an attempt that failed on a busy machine is due again
  // after its backoff, so passes repeat (as start() does) until the queue is empty.
  const until = Date.now() + 20_000;
  do await Promise.all([a.runOnce(), b.runOnce()]);
  while ((await queue.stats()).pending > 0 && Date.now() < until);
  const stats = await queue.stats();
  t.equal(stats.pending, 0);
  t.equal(hits.size, 30, 'all 30 delivered');
  t.same([...new Set(hits.values())], [1], 'none sent twice');
  t.equal(a.counters.delivered + b.counters.delivered, 30);
  t.ok(
    a.counters.delivered > 0 && b.counters.delivered > 0,
    `both workers took a share (${a.counters.delivered} + ${b.counters.delivered})`,
  );
});
