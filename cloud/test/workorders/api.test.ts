/**
 * The work-order API on a real cloud: telemetry through the broker raises an alert, the
 * alert becomes a routed work order, people move it on over HTTP (with the alert kept in
 * step), and every disallowed action is refused as problem+json and changes nothing.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { startWorkflowCloud } from '../workflow-support/cloud.js';
import { waitFor } from '@gridsafe/testkit';

const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0'),
  Buffer.alloc(1000, 3),
  Buffer.from([0xff, 0xd9]),
]);

t.test('alert → work order → acknowledged → on site → resolved, over HTTP', async (t) => {
  const wf = await startWorkflowCloud(t, { workorders: { attachments: { maxBytes: 64 * 1024 } } });
  const now = Date.now();
  await wf.publish([{ device: 't-001', ts: now, values: { i_res_ma: 520, t1_c: 35 }, quality: 'good' }]);
  const page = await waitFor('work order for the leakage alert', async () => {
    const r = await wf.api('li', 'GET', '/api/v1/workorders');
    return r.body.total === 1 ? r.body : undefined;
  });
  const order = page.items[0];
  t.match(order, {
    alertType: 'residual_current',
    severity: 'critical',
    subject: 't-001',
    area: 'north',
    site: 'North substation room 1',
    assignee: 'li',
    skill: 'fire_safety',
    state: 'open',
  });
  t.equal(
    (await wf.api('zhao', 'GET', '/api/v1/workorders')).body.total,
    0,
    'an inspector of another area does not see it',
  );
  t.equal((await wf.api('auditor', 'GET', '/api/v1/workorders')).body.total, 1, 'auditors read everything');

  const before = (await wf.api('admin', 'GET', `/api/v1/workorders/${order.id}`)).body;
  const refusals: Array<[Parameters<typeof wf.api>, number, RegExp]> = [
    [
      ['zhao', 'POST', `/api/v1/workorders/${order.id}/transition`, { to: 'acknowledged' }],
      403,
      /area north; zhao covers south/,
    ],
    [['zhao', 'GET', `/api/v1/workorders/${order.id}`], 403, /area north/],
    [
      ['auditor', 'POST', `/api/v1/workorders/${order.id}/transition`, { to: 'acknowledged' }],
      403,
      /auditors can read work orders but not act/,
    ],
    [
      ['li', 'POST', `/api/v1/workorders/${order.id}/transition`, { to: 'resolved', note: 'x' }],
      409,
      /cannot move from open to resolved/,
    ],
    [['li', 'POST', `/api/v1/workorders/${order.id}/transition`, { to: 'closed' }], 400, /body\/to/],
    [
      [
        'li',
        'POST',
        `/api/v1/workorders/${order.id}/attachments`,
        Buffer.concat([JPEG, Buffer.alloc(70 * 1024)]),
        { 'content-type': 'image/jpeg' },
      ],
      413,
      /larger than the 65536 bytes/,
    ],
    [
      [
        'li',
        'POST',
        `/api/v1/workorders/${order.id}/attachments`,
        Buffer.from('%PDF-1.4 invoice'),
        { 'content-type': 'image/jpeg' },
      ],
      415,
      /not a JPEG, PNG, WebP or HEIC image/,
    ],
    [
      [
        'li',
        'POST',
        `/api/v1/workorders/${order.id}/attachments`,
        Buffer.from('hello'),
        { 'content-type': 'text/plain' },
      ],
      415,
      /raw body with Content-Type image/,
    ],
    [
      ['zhao', 'POST', `/api/v1/workorders/${order.id}/attachments`, JPEG, { 'content-type': 'image/jpeg' }],
      403,
      /area north/,
    ],
    [['li', 'POST', `/api/v1/workorders/${order.id}/reassign`, { to: 'wang' }], 403, /only an admin or the lead/],
    [[null, 'GET', '/api/v1/workorders'], 401, /API token/],
  ];
  for (const [args, status, detail] of refusals) {
    const r = await wf.api(...args);
    t.equal(r.status, status, `${args[0]} ${args[1]} ${args[2]} → ${status}`);
    t.match(r.type, /^application\/problem\+json/);
    t.match(r.body, { status, detail });
  }
  t.same((await wf.api('admin', 'GET', `/api/v1/workorders/${order.id}`)).body, before, 'nothing changed');
  const alertBefore = (await wf.api('admin', 'GET', `/api/v1/alerts/${order.alertId}`)).body;
  t.equal(alertBefore.state, 'open');

  const acked = await wf.api('wang', 'POST', `/api/v1/workorders/${order.id}/transition`, {
    to: 'acknowledged',
    note: 'taking it',
  });
  t.equal(acked.status, 200);
  t.match(acked.body, { state: 'acknowledged', assignee: 'wang' });
  t.ok(acked.body.timeToAckMs >= 0);
  t.match(
    (await wf.api('admin', 'GET', `/api/v1/alerts/${order.alertId}`)).body,
    { state: 'acknowledged' },
    'the alert follows',
  );

  const up = await wf.api('wang', 'POST', `/api/v1/workorders/${order.id}/attachments?name=panel.jpg`, JPEG, {
    'content-type': 'image/jpeg',
  });
  t.equal(up.status, 201);
  t.match(up.body, {
    mime: 'image/jpeg',
    size: JPEG.length,
    fileName: 'panel.jpg',
    sha256: createHash('sha256').update(JPEG).digest('hex'),
  });
  const down = await fetch(`${wf.url}/api/v1/workorders/${order.id}/attachments/${up.body.id}`, {
    headers: { authorization: 'Bearer li-token-0123456789abc' },
  });
  t.equal(down.headers.get('content-type'), 'image/jpeg');
  t.same(Buffer.from(await down.arrayBuffer()), JPEG, 'the photo comes back byte for byte');

  t.equal(
    (await wf.api('wang', 'POST', `/api/v1/workorders/${order.id}/notes`, { text: 'insulation damaged on feeder 3' }))
      .status,
    201,
  );
  t.equal((await wf.api('wang', 'POST', `/api/v1/workorders/${order.id}/transition`, { to: 'on_site' })).status, 200);
  const noNote = await wf.api('wang', 'POST', `/api/v1/workorders/${order.id}/transition`, { to: 'resolved' });
  t.match(noNote, { status: 422, body: { detail: /needs a note/ } });
  const done = await wf.api('wang', 'POST', `/api/v1/workorders/${order.id}/transition`, {
    to: 'resolved',
    note: 'cable replaced; 40 mA after',
  });
  t.match(done.body, { state: 'resolved', resolution: 'cable replaced; 40 mA after' });
  t.ok(done.body.timeToResolveMs >= done.body.timeToAckMs);
  t.match((await wf.api('admin', 'GET', `/api/v1/alerts/${order.alertId}`)).body, { state: 'resolved' });
  const detail = (await wf.api('li', 'GET', `/api/v1/workorders/${order.id}`)).body;
  t.same(
    detail.events.map((e: { action: string }) => e.action),
    ['created', 'assigned', 'acknowledged', 'attachment', 'note', 'on_site', 'resolved'],
  );
  t.equal(detail.attachments.length, 1);
});

t.test('an alert acknowledged on the alert API moves its work order; inspectors listed with profiles', async (t) => {
  const wf = await startWorkflowCloud(t);
  await wf.publish([{ device: 't-009', ts: Date.now(), values: { i_res_ma: 350 }, quality: 'good' }], 'gw-002');
  const order = await waitFor(
    'south order',
    async () => (await wf.api('zhao', 'GET', '/api/v1/workorders')).body.items[0],
  );
  t.match(order, { area: 'south', assignee: 'zhao', severity: 'warning' });
  t.equal(
    (await wf.api('li', 'POST', `/api/v1/alerts/${order.alertId}/ack`, { note: 'x' })).status,
    403,
    'the core refuses outside the area too',
  );
  t.equal(
    (await wf.api('zhao', 'POST', `/api/v1/alerts/${order.alertId}/ack`, { note: 'seen on the board' })).status,
    200,
  );
  await wf.workflow.idle();
  t.match((await wf.api('zhao', 'GET', `/api/v1/workorders/${order.id}`)).body.workOrder, {
    state: 'acknowledged',
    assignee: 'zhao',
  });
  const inspectors = (await wf.api('auditor', 'GET', '/api/v1/inspectors')).body;
  t.match(
    inspectors.find((i: { id: string }) => i.id === 'chen'),
    { name: 'Chen Jie', areas: ['north'], skills: ['high_voltage'], lead: true },
  );
  t.equal((await wf.api('li', 'PUT', '/api/v1/inspectors/li', { skills: ['metering'] })).status, 403);
  t.equal(
    (await wf.api('admin', 'PUT', '/api/v1/inspectors/li', { skills: ['metering', 'fire_safety'], active: true }))
      .status,
    200,
  );
});
