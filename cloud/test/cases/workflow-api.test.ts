/**
 * The case workflow on a real cloud: only allowed moves, by the right people, each
 * refused move a problem document that changes nothing; comments and moves in an audit
 * trail the database itself keeps append-only; penalty stored at confirmation; report.
 */
import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { verify } from '../../src/notifications/signer.js';
import type { NotificationBody } from '../../src/notifications/types.js';
import { waitFor } from '@gridsafe/testkit';
import { startWorkflowCloud, TOKENS, type WorkflowCloud } from '../workflow-support/cloud.js';
import { pdfText } from '../support/pdf-text.js';

/** The case report PDF as the auditor gets it, and its text (pdf.js). */
async function reportText(wf: WorkflowCloud, id: string) {
  const response = await fetch(`${wf.url}/api/v1/cases/${id}/report`, {
    headers: { authorization: `Bearer ${TOKENS.auditor}` },
  });
  const type = response.headers.get('content-type') ?? '';
  const { text } = await pdfText(new Uint8Array(await response.arrayBuffer()));
  return { status: response.status, type, text: text.replace(/\s+/g, ' ') };
}

t.test('case moves, refusals, trail, penalty and report', async (t) => {
  const wf = await startWorkflowCloud(t);
  // A receiver for case notifications, checking every signature.
  const got: Array<{ kind: string; to: string }> = [];
  let secret = '';
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (!verify(secret, req.headers, body).ok) return void res.writeHead(401).end();
      const n = JSON.parse(body) as NotificationBody;
      got.push({ kind: n.kind, to: String((n.events[0]!.data['case'] as { state: string }).state) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const hook = await wf.api('admin', 'POST', '/api/v1/webhooks', {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
    kinds: ['case.opened', 'case.transition'],
    areas: ['south'],
  });
  secret = hook.body.secret;
  const start = Date.UTC(2026, 3, 1);
  const id = await wf.cloud.ctx.cases.openOrUpdate({
    customer: 'c-002',
    contractKva: 50,
    maxDemandKw: 80,
    excessKva: 30,
    firstSeen: start,
    lastSeen: start + 10 * 86_400_000,
    demandSeries: [
      [start, 60],
      [start + 900_000, 80],
    ],
    detail: {},
  });
  const snapshot = async () => JSON.stringify((await wf.api('admin', 'GET', `/api/v1/cases/${id}`)).body);
  const before = await snapshot();
  const refusals: Array<[Parameters<typeof wf.api>, number, RegExp]> = [
    [
      ['auditor', 'POST', `/api/v1/cases/${id}/transition`, { to: 'confirmed', note: 'obvious' }],
      409,
      /cannot move from new to confirmed: from new it can move to under_review/,
    ],
    [
      ['auditor', 'POST', `/api/v1/cases/${id}/transition`, { to: 'dismissed', note: 'x' }],
      409,
      /cannot move from new to dismissed/,
    ],
    [['li', 'POST', `/api/v1/cases/${id}/transition`, { to: 'under_review' }], 403, /role "inspector" may not/],
    [['auditor', 'POST', `/api/v1/cases/${id}/transition`, { to: 'closed' }], 400, /body\/to/],
    [
      ['auditor', 'POST', `/api/v1/cases/${id}/transition`, { to: 'under_review', extra: 1 }],
      400,
      /unknown field "extra"/,
    ],
    [['li', 'POST', `/api/v1/cases/${id}/comments`, { text: 'x' }], 403, /may not/],
    [['li', 'GET', `/api/v1/cases/${id}/report`], 403, /outside your areas/],
    [['li', 'GET', `/api/v1/cases/${id}/penalty`], 403, /outside your areas/],
  ];
  for (const [args, status, detail] of refusals) {
    const r = await wf.api(...args);
    t.equal(r.status, status, `${args[0]} ${args[1]} ${args[2]} ${JSON.stringify(args[3] ?? '')} → ${status}`);
    t.match(r.type, /^application\/problem\+json/);
    t.match(r.body.detail, detail);
  }
  t.equal(await snapshot(), before, 'refused moves change nothing');

  const move = (to: string, note?: string) =>
    wf.api('auditor', 'POST', `/api/v1/cases/${id}/transition`, note ? { to, note } : { to });
  t.equal((await move('under_review')).status, 200);
  t.equal(
    (
      await wf.api('auditor', 'POST', `/api/v1/cases/${id}/comments`, {
        text: 'meter CT ratio checked against the registry',
      })
    ).status,
    201,
  );
  t.equal((await move('field_check', 'send the field team')).status, 200);
  const preview = (await wf.api('auditor', 'GET', `/api/v1/cases/${id}/penalty`)).body;
  t.match(
    preview,
    { stored: false, estimate: { tariff: 'single', totalYuan: 1500 } },
    'single tariff: 30 kVA × 50 yuan',
  );
  const noNote = await move('confirmed');
  t.match(noNote, { status: 409, body: { detail: /needs a note/ } });
  const confirmed = await move('confirmed', 'a second transformer found on site');
  t.match(confirmed.body, { state: 'confirmed', penalty: { totalYuan: 1500, items: [{ key: 'single_penalty' }] } });
  t.match(await move('under_review', 'reopen'), { status: 409, body: { detail: /confirmed is a final state/ } });
  t.match((await wf.api('auditor', 'GET', `/api/v1/cases/${id}/penalty`)).body, {
    stored: true,
    estimate: { totalYuan: 1500 },
  });

  const history = (await wf.api('auditor', 'GET', `/api/v1/cases/${id}`)).body.history as Array<{
    action: string;
    actor: string;
    to: string | null;
    note: string | null;
  }>;
  t.same(
    history.map((h) => [h.action, h.actor, h.to]),
    [
      ['opened', 'detection', 'new'],
      ['transition', 'auditor', 'under_review'],
      ['comment', 'auditor', null],
      ['transition', 'auditor', 'field_check'],
      ['transition', 'auditor', 'confirmed'],
    ],
  );
  t.same(
    (await wf.api('auditor', 'GET', `/api/v1/cases/${id}/comments`)).body.map((c: { text: string }) => c.text),
    ['meter CT ratio checked against the registry'],
  );

  // Append-only, whoever asks: the database refuses to rewrite or drop a line.
  const db = wf.cloud.ctx.rdb.db;
  await t.rejects(sql`UPDATE case_history SET actor = 'someone else' WHERE case_id = ${id}`.execute(db), /append-only/);
  await t.rejects(sql`DELETE FROM case_history WHERE case_id = ${id}`.execute(db), /append-only/);
  t.equal((await wf.api('auditor', 'GET', `/api/v1/cases/${id}`)).body.history.length, 5);

  const report = await reportText(wf, id);
  t.equal(report.status, 200);
  t.match(report.type, /^application\/pdf/);
  t.match(report.text, /South Bakery/);
  t.match(report.text, /Total 合计 .* 1500\.00/);
  t.match(report.text, /a second transformer found on site/);
  t.match(report.text, /2026-04-01 08:00:00/, 'first seen in Asia/Shanghai');

  const workflow = (await wf.api('auditor', 'GET', '/api/v1/cases/workflow')).body;
  t.same(workflow.transitions.new, ['under_review']);
  t.same(workflow.noteRequired, ['confirmed', 'dismissed']);
  t.equal(
    (await wf.api('zhao', 'GET', `/api/v1/cases/${id}/report`)).status,
    200,
    "an inspector of the customer's area may read it",
  );
  await waitFor('case notifications delivered', () => got.length === 4);
  t.same(
    got,
    [
      { kind: 'case.opened', to: 'new' },
      { kind: 'case.transition', to: 'under_review' },
      { kind: 'case.transition', to: 'field_check' },
      { kind: 'case.transition', to: 'confirmed' },
    ],
    'each move notified once, in order, signed',
  );
});

t.test('penalty on apparent capacity: the nameplate found on site when recorded, else apparent demand', async (t) => {
  const wf = await startWorkflowCloud(t);
  const start = Date.UTC(2026, 3, 1);
  const id = await wf.cloud.ctx.cases.openOrUpdate({
    customer: 'c-002',
    contractKva: 50,
    maxDemandKw: 80,
    maxDemandKva: 95,
    excessKva: 30,
    firstSeen: start,
    lastSeen: start + 86_400_000,
    demandSeries: [[start, 80]],
    detail: {},
  });
  const move = (to: string, note?: string) =>
    wf.api('auditor', 'POST', `/api/v1/cases/${id}/transition`, note ? { to, note } : { to });
  const record = (who: 'auditor' | 'li' | 'zhao', body: Record<string, unknown>) =>
    wf.api(who, 'POST', `/api/v1/cases/${id}/equipment`, body);
  t.match((await wf.api('auditor', 'GET', `/api/v1/cases/${id}`)).body, { maxDemandKw: 80, maxDemandKva: 95 });

  await move('under_review');
  t.match(await record('auditor', { nameplateKva: 160 }), {
    status: 409,
    body: { detail: /is under_review: the equipment found is recorded during the field check/ },
  });
  await move('field_check', 'send the field team');
  t.match(
    (await wf.api('auditor', 'GET', `/api/v1/cases/${id}/penalty`)).body,
    {
      estimate: {
        addedKva: 45,
        addedKvaBasis: 'apparent_demand',
        addedKvaFormula: 'apparent maximum demand 95 kVA − contract 50 kVA',
        capacity: { contractKva: 50, nameplateKva: null, apparentDemandKva: 95, activeDemandKw: 80 },
        totalYuan: 2250,
      },
    },
    'no nameplate yet: 45 kVA of apparent demand above contract × 50 yuan',
  );
  t.match(await record('auditor', { nameplateKva: 0 }), { status: 400, body: { detail: /nameplateKva/ } });
  t.equal((await record('li', { nameplateKva: 160 })).status, 403, 'an inspector of another area may not');
  const recorded = await record('zhao', {
    nameplateKva: 160,
    description: 'S11-160 transformer in place of the 50 kVA unit',
    photo: '/api/v1/workorders/wo-7/photos/1',
  });
  t.equal(recorded.status, 200);
  t.match(recorded.body.equipment, {
    nameplateKva: 160,
    description: 'S11-160 transformer in place of the 50 kVA unit',
    photo: '/api/v1/workorders/wo-7/photos/1',
    recordedBy: 'zhao',
  });
  const confirmed = await move('confirmed', 'a 160 kVA transformer found on site');
  t.match(confirmed.body.penalty, {
    addedKva: 110,
    addedKvaBasis: 'nameplate',
    addedKvaFormula: 'nameplate found 160 kVA − contract 50 kVA',
    capacity: { nameplateKva: 160, apparentDemandKva: 95, activeDemandKw: 80 },
    totalYuan: 5500,
  });
  const history = (await wf.api('auditor', 'GET', `/api/v1/cases/${id}`)).body.history as Array<{ action: string }>;
  t.ok(
    history.some((h) => h.action === 'equipment'),
    'the record is in the trail',
  );
  const report = (await reportText(wf, id)).text;
  t.match(report, /from the nameplate of the equipment found/);
  t.match(report, /Equipment found 现场设备铭牌容量 160 kVA/);
  t.match(report, /Apparent maximum demand 视在最大需量 95 kVA/, 'the report shows both');
});
