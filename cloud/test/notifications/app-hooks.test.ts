/**
 * Notifications on a real cloud: a webhook added over the API receives a burst of alerts
 * from one site as one signed notification, exactly once although the receiver fails
 * at first; the event stream shows each user only their areas.
 */
import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../../src/notifications/signer.js';
import type { NotificationBody } from '../../src/notifications/types.js';
import { startWorkflowCloud, TOKENS } from '../workflow-support/cloud.js';
import { waitFor } from '@gridsafe/testkit';
import { openEventStream } from '../support/event-stream.js';

t.test('a burst from one site is one signed notification, delivered once despite failures', async (t) => {
  const wf = await startWorkflowCloud(t);
  const received: NotificationBody[] = [];
  let attempts = 0;
  let secret = '';
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      attempts++;
      const body = Buffer.concat(chunks).toString();
      if (!verify(secret, req.headers, body).ok) return void res.writeHead(401).end();
      if (attempts <= 2) return void res.writeHead(500).end();
      received.push(JSON.parse(body) as NotificationBody);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  t.match(await wf.api('li', 'POST', '/api/v1/webhooks', { url }), { status: 403 }, 'only admins manage webhooks');
  t.match(await wf.api('admin', 'POST', '/api/v1/webhooks', { url: 'ftp://x/y' }), {
    status: 400,
    body: {
      detail: 'url: "ftp:" is not http: or https:',
      message: { code: 'webhook.url_scheme', params: { scheme: 'ftp:' } },
    },
  });
  const created = await wf.api('admin', 'POST', '/api/v1/webhooks', {
    url,
    kinds: ['alert.opened', 'alert.escalated'],
  });
  t.equal(created.status, 201);
  secret = created.body.secret;
  t.ok(secret.length >= 24, 'a signing secret is generated and shown once');
  t.notOk('secret' in (await wf.api('admin', 'GET', '/api/v1/webhooks')).body[0], 'never shown again');

  const ts = Date.now();
  await wf.publish([
    { device: 't-001', ts, values: { i_res_ma: 600 }, quality: 'good' },
    { device: 't-002', ts, values: { i_res_ma: 420, t1_c: 95 }, quality: 'good' },
  ]);
  await waitFor('one notification', () => received.length >= 1, 15_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.equal(received.length, 1, 'one notification for the burst');
  t.match(received[0], { kind: 'alert.opened', site: 'North substation room 1', area: 'north', count: 3 });
  t.same(received[0]!.events.map((e) => (e.data['alert'] as { type: string; subject: string }).subject).sort(), [
    't-001',
    't-002',
    't-002',
  ]);
  // What a person reads, in both languages, with the alert types' labels (issue 15).
  t.match(received[0]!.text?.zh, /^North substation room 1：3 条通知\n/, 'a heading for the group, in Chinese');
  t.match(received[0]!.text?.zh, /新告警：t-001 剩余电流（漏电）（(严重|警告|提示)）/);
  t.match(received[0]!.text?.zh, /新告警：t-002 温度超限/);
  t.match(received[0]!.text?.en, /^North substation room 1: 3 notifications\nNew alert: residual current on t-001 \(/);
  t.equal(attempts, 3, 'two failed attempts, then delivered, then nothing more');
  const stats = (await wf.api('auditor', 'GET', '/api/v1/notifications/stats')).body;
  t.match(stats, { pending: 0, dead: 0, delivered: 1, failed: 2 });
  const deliveries = (await wf.api('admin', 'GET', '/api/v1/notifications/deliveries?state=delivered')).body;
  t.match(deliveries, { total: 1, items: [{ attempts: 3, lastStatus: 200 }] });
  t.match(await wf.api('admin', 'POST', `/api/v1/notifications/deliveries/${deliveries.items[0].id}/replay`), {
    status: 409,
    body: { detail: /not in the dead-letter list/ },
  });
});

t.test('the event stream shows each user their own scope', async (t) => {
  const wf = await startWorkflowCloud(t);
  const north = await openEventStream(wf.url, { authorization: `Bearer ${TOKENS.li}` });
  const south = await openEventStream(wf.url, { authorization: `Bearer ${TOKENS.zhao}` });
  const auditor = await openEventStream(wf.url, { authorization: `Bearer ${TOKENS.auditor}` });
  t.teardown(() => {
    north.close();
    south.close();
    auditor.close();
  });
  t.equal((await fetch(`${wf.url}/api/v1/events/stream`)).status, 401, 'no token, no stream');
  await waitFor('three streams open', () => wf.workflow.bus.listeners === 3);
  await wf.publish([{ device: 't-001', ts: Date.now(), values: { i_res_ma: 700 }, quality: 'good' }]);
  await waitFor('north sees the alert and its work order', () =>
    north.events.some((e) => e.type === 'workorder' && e.action === 'created'),
  );
  t.ok(north.events.some((e) => e.type === 'alert' && e.action === 'opened'));
  await wf.publish([{ device: 't-009', ts: Date.now(), values: { i_res_ma: 700 }, quality: 'good' }], 'gw-002');
  await waitFor('south sees its own alert', () => south.events.some((e) => e.type === 'workorder'));
  await waitFor(
    'the auditor sees both',
    () => auditor.events.filter((e) => e.type === 'workorder' && e.action === 'created').length === 2,
  );
  t.same([...new Set(north.events.map((e) => e.area))], ['north'], 'north sees nothing of the south');
  t.same([...new Set(south.events.map((e) => e.area))], ['south'], 'south sees nothing of the north');
});
