/**
 * Webhook delivery against a real HTTP receiver: it checks every signature, fails the first
 * deliveries, and in the end has every notification exactly once; bursts from one site
 * arrive as one notification; a dead receiver's deliveries go to the dead-letter list and
 * come back on replay; a hanging receiver does not hold up enqueueing.
 */
import t from 'tap';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@gridsafe/shared';
import * as migration from '../../src/notifications/migration.js';
import { NotificationQueue } from '../../src/notifications/queue.js';
import { DeliveryWorker } from '../../src/notifications/worker.js';
import { WebhookStore } from '../../src/notifications/webhooks-store.js';
import { DELIVERY_HEADER, sign, verify } from '../../src/notifications/signer.js';
import type { NotificationTables } from '../../src/notifications/tables.js';
import type { NotificationBody, NotificationEvent } from '../../src/notifications/types.js';
import { tempSqlite } from '../workflow-support/db.js';
import { waitFor } from '@gridsafe/testkit';

const log = createLogger('test', { level: 'silent' });

interface Receiver {
  url: string;
  server: Server;
  accepted: NotificationBody[];
  deliveryIds: string[];
  attempts: number;
  badSignatures: number;
  close(): Promise<void>;
}

async function startReceiver(
  secret: string,
  behave: (attempt: number, req: IncomingMessage) => 'ok' | 'fail' | 'hang',
): Promise<Receiver> {
  const hanging: ServerResponse[] = [];
  const r: Receiver = {
    url: '',
    server: createServer(),
    accepted: [],
    deliveryIds: [],
    attempts: 0,
    badSignatures: 0,
    close: async () => {},
  };
  r.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const check = verify(secret, req.headers, body);
      if (!check.ok) {
        r.badSignatures++;
        res.writeHead(401).end(check.reason);
        return;
      }
      const mode = behave(++r.attempts, req);
      if (mode === 'hang') return void hanging.push(res);
      if (mode === 'fail') return void res.writeHead(503).end('try later');
      r.accepted.push(JSON.parse(body) as NotificationBody);
      r.deliveryIds.push(String(req.headers[DELIVERY_HEADER]));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/hook`;
  r.close = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      r.server.closeAllConnections();
      r.server.close(() => resolve());
    });
  return r;
}

const event = (
  i: number,
  site: string | null,
  kind: NotificationEvent['kind'] = 'alert.opened',
): NotificationEvent => ({
  kind,
  area: 'north',
  site,
  at: 1_700_000_000_000 + i,
  data: { alert: `a-${i}` },
});

t.test('signature scheme', async (t) => {
  const body = '{"x":1}';
  const now = 1_700_000_000_000;
  const headers = { 'x-gridsafe-timestamp': String(now), 'x-gridsafe-signature': sign('s3cret', now, body) };
  t.same(verify('s3cret', headers, body, now), { ok: true });
  t.match(verify('other', headers, body, now), { ok: false, reason: /does not match/ });
  t.match(verify('s3cret', headers, '{"x":2}', now), { ok: false, reason: /does not match/ });
  t.match(verify('s3cret', headers, body, now + 600_000), { ok: false, reason: /outside/ });
  t.match(verify('s3cret', { 'x-gridsafe-timestamp': String(now) }, body, now), {
    ok: false,
    reason: /missing x-gridsafe-signature/,
  });
});

t.test('failing receiver gets every notification exactly once, bursts grouped per site', async (t) => {
  const tmp = await tempSqlite<NotificationTables>([migration]);
  t.teardown(() => tmp.close());
  const secret = 'receiver-secret-1';
  // Fail the first five requests whatever they are, then every third one.
  const receiver = await startReceiver(secret, (n) => (n <= 5 || n % 3 === 0 ? 'fail' : 'ok'));
  t.teardown(() => receiver.close());
  const hooks = new WebhookStore(tmp.db);
  await hooks.create({ url: receiver.url, secret });
  // A second receiver for another area only: must get nothing.
  const other = await startReceiver('x', () => 'ok');
  t.teardown(() => other.close());
  await hooks.create({ url: other.url, secret: 'x', areas: ['south'] });

  const queue = new NotificationQueue(tmp.db, { groupWaitMs: 150, groupedKinds: ['alert.opened'] });
  const worker = new DeliveryWorker(tmp.db, queue, {
    backoff: { baseMs: 20, maxMs: 200, maxAttempts: 20 },
    timeoutMs: 2_000,
    concurrency: 3,
    pollMs: 15,
    log,
  });
  worker.start();
  t.teardown(() => worker.stop());

  for (let i = 0; i < 6; i++) await queue.enqueue(event(i, null, 'alert.escalated'));
  for (let i = 0; i < 7; i++) await queue.enqueue(event(100 + i, 'site-A'));
  for (let i = 0; i < 3; i++) await queue.enqueue(event(200 + i, 'site-B'));

  await waitFor(
    'all notifications delivered',
    async () =>
      (await queue.stats()).pending === 0 && (await queue.stats()).grouping === 0 && receiver.accepted.length >= 8,
    15_000,
  );
  // Give a duplicate every chance to show up.
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(receiver.badSignatures, 0, 'every request carried a valid signature');
  t.ok(receiver.attempts > receiver.accepted.length, `some deliveries failed first (${receiver.attempts} attempts)`);
  const ids = receiver.accepted.map((b) => b.id);
  t.equal(new Set(ids).size, ids.length, 'no notification twice');
  t.equal(new Set(receiver.deliveryIds).size, receiver.deliveryIds.length, 'no delivery twice');
  t.equal(receiver.accepted.length, 8, '6 single + 2 grouped');
  const groups = receiver.accepted
    .filter((b) => b.kind === 'alert.opened')
    .sort((a, b) => String(a.site).localeCompare(String(b.site)));
  t.same(
    groups.map((g) => [g.site, g.count]),
    [
      ['site-A', 7],
      ['site-B', 3],
    ],
    'one notification per site burst',
  );
  t.same(
    groups[0]!.events.map((e) => e.data['alert']),
    Array.from({ length: 7 }, (_, i) => `a-${100 + i}`),
    'in order, none lost',
  );
  t.same(
    receiver.accepted
      .filter((b) => b.kind === 'alert.escalated')
      .map((b) => b.events[0]!.data['alert'])
      .sort(),
    ['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'a-5'],
  );
  t.equal(other.attempts, 0, 'a receiver for another area gets nothing');
  const delivered = await queue.listDeliveries({ state: 'delivered', limit: 100, offset: 0 });
  t.equal(delivered.total, 8);
  t.ok(
    delivered.items.some((d) => d.attempts > 1),
    'attempts recorded',
  );
});

t.test('dead letters after the last attempt, and operator replay', async (t) => {
  const tmp = await tempSqlite<NotificationTables>([migration]);
  t.teardown(() => tmp.close());
  const secret = 'receiver-secret-2';
  const down = await startReceiver(secret, () => 'fail');
  t.teardown(() => down.close());
  const hooks = new WebhookStore(tmp.db);
  const hook = await hooks.create({ url: down.url, secret });
  const queue = new NotificationQueue(tmp.db, { groupWaitMs: 0, groupedKinds: [] });
  const worker = new DeliveryWorker(tmp.db, queue, {
    backoff: { baseMs: 5, maxMs: 20, maxAttempts: 3 },
    timeoutMs: 1_000,
    concurrency: 2,
    pollMs: 10,
    log,
  });
  for (let i = 0; i < 4; i++) await queue.enqueue(event(i, null, 'case.transition'));
  worker.start();
  t.teardown(() => worker.stop());
  await waitFor('all dead', async () => (await queue.stats()).dead === 4);
  t.equal(down.attempts, 12, 'three attempts each, then no more');
  const dead = await queue.listDeliveries({ state: 'dead', limit: 10, offset: 0 });
  t.equal(dead.items.length, 4);
  t.match(dead.items[0], { attempts: 3, lastStatus: 503, lastError: /HTTP 503/ });
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(down.attempts, 12, 'dead letters are not retried on their own');

  const up = await startReceiver(secret, () => 'ok');
  t.teardown(() => up.close());
  await hooks.update(hook.id, { url: up.url });
  const one = await queue.replay(dead.items[0]!.id);
  t.match(one, { state: 'pending', attempts: 0 });
  t.equal(await queue.replay(dead.items[0]!.id), null, 'a delivery that is not dead cannot be replayed');
  t.equal(await queue.replay('no-such-id'), null);
  await waitFor('replayed one delivered', () => up.accepted.length === 1);
  t.equal(await queue.replayAll(hook.id), 3);
  await waitFor('all replayed delivered', () => up.accepted.length === 4);
  t.same(await queue.stats(), { pending: 0, dead: 0, grouping: 0 });
});

t.test('a hanging receiver holds up neither enqueueing nor other receivers', async (t) => {
  const tmp = await tempSqlite<NotificationTables>([migration]);
  t.teardown(() => tmp.close());
  const hang = await startReceiver('secret-hang', () => 'hang');
  t.teardown(() => hang.close());
  const healthy = await startReceiver('secret-ok', () => 'ok');
  t.teardown(() => healthy.close());
  const hooks = new WebhookStore(tmp.db);
  await hooks.create({ url: hang.url, secret: 'secret-hang' });
  await hooks.create({ url: healthy.url, secret: 'secret-ok' });
  const queue = new NotificationQueue(tmp.db, { groupWaitMs: 0, groupedKinds: [] });
  const worker = new DeliveryWorker(tmp.db, queue, {
    backoff: { baseMs: 10, maxMs: 50, maxAttempts: 50 },
    timeoutMs: 60_000,
    concurrency: 4,
    pollMs: 10,
    log,
  });
  worker.start();
  await queue.enqueue(event(0, null, 'case.transition'));
  await waitFor('hanging receiver holding a request', () => hang.attempts >= 1);
  // While one receiver holds the worker's request, events keep being accepted...
  for (let i = 1; i <= 50; i++) await queue.enqueue(event(i, null, 'case.transition'));
  // ...and the healthy receiver gets every one of them.
  await waitFor('healthy receiver served', () => healthy.accepted.length === 51);
  t.equal(hang.attempts, 1, 'one request in flight to the hanging receiver, no pile-up');
  t.equal((await queue.stats()).pending, 51, "the hanging receiver's 51 wait durably in the queue");
  await hang.close();
  await worker.stop();
  const delivered = await queue.listDeliveries({ state: 'delivered', limit: 1, offset: 0 });
  t.equal(delivered.total, 51, 'only the answered deliveries are marked delivered');
});
