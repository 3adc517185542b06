/**
 * Transformer loading and customer demand over a range (issue 15), through the API of a
 * real cloud: readings published by a gateway, load summed the way the overload detector
 * counts it, the IEC 60076-7 thermal state, 15-minute block demand against the contract,
 * bad ranges refused, and the alerts of a transformer or customer (its devices' too).
 */
import t from 'tap';
import { startWorkflowCloud } from '../workflow-support/cloud.js';

const MINUTE = 60_000;

t.test('load against rating with the thermal state; demand against the contract', async (t) => {
  const wf = await startWorkflowCloud(t);
  // Two hours at 150 kW on m-001, tx-001's only meter (100 kVA): 1.5 p.u.
  const end = Math.floor(Date.now() / (15 * MINUTE)) * 15 * MINUTE;
  const start = end - 120 * MINUTE;
  const readings = Array.from({ length: 120 }, (_, i) => ({
    device: 'm-001',
    ts: start + i * MINUTE,
    values: { p_kw: 150, q_kvar: 0 },
    quality: 'good' as const,
  }));
  await wf.publish(readings);
  const from = start - 60 * MINUTE;
  const loading = async () =>
    (await wf.api('li', 'GET', `/api/v1/transformers/tx-001/loading?from=${from}&to=${end}`)).body;
  let body = await loading();
  for (let i = 0; i < 50 && !body.points?.some((p: { kva: number | null }) => p.kva !== null); i++) {
    await new Promise((r) => setTimeout(r, 100));
    body = await loading();
  }
  t.match(body, { transformer: 'tx-001', ratedKva: 100, meters: ['m-001'], limits: { hotSpotC: 120, topOilC: 105 } });
  const known = (body.points as Array<{ ts: number; kva: number | null; topOilC: number; hotSpotC: number }>).filter(
    (p) => p.kva !== null,
  );
  t.ok(known.length >= 100, `a point a minute while there were readings (${known.length})`);
  t.ok(
    known.every((p) => p.kva === 150),
    'load is the meter apparent power',
  );
  t.ok(
    (body.points as Array<{ ts: number; kva: number | null }>).filter((p) => p.ts < start).every((p) => p.kva === null),
    'no load before the readings',
  );
  const first = known[0]!;
  const last = known[known.length - 1]!;
  t.ok(last.topOilC > first.topOilC + 5, `top-oil rises under 1.5 p.u. (${first.topOilC} → ${last.topOilC} °C)`);
  t.ok(last.hotSpotC > last.topOilC, 'the hot-spot is above the top oil');
  t.ok(last.hotSpotC > 120, `two hours at 1.5 p.u. take the hot-spot past the 120 °C limit (${last.hotSpotC})`);

  const demand = (await wf.api('li', 'GET', `/api/v1/customers/c-001/demand?from=${start}&to=${end}`)).body;
  t.match(demand, { customer: 'c-001', contractKva: 100, windowMs: 15 * MINUTE, meters: ['m-001'] });
  t.same(
    demand.points.map((p: { kva: number; kw: number }) => [p.kva, p.kw]),
    Array(8).fill([150, 150]),
    'eight 15-minute blocks of 150 kVA and 150 kW',
  );

  const backwards = await wf.api('admin', 'GET', `/api/v1/transformers/tx-001/loading?from=${end}&to=${start}`);
  t.equal(backwards.status, 400);
  t.match(backwards.body.detail, /from \(.*\) must be before to/);
  const tooLong = await wf.api('admin', 'GET', `/api/v1/customers/c-001/demand?from=0&to=${end}`);
  t.match(tooLong.body.detail, /at most 92 days/);
  t.equal((await wf.api('admin', 'GET', '/api/v1/transformers/tx-404/loading')).status, 404);
  t.equal((await wf.api('zhao', 'GET', '/api/v1/transformers/tx-001/loading')).status, 403);

  // The alerts of a transformer: its own, its devices', its customers'; a customer's: its own and its meters'.
  const raise = (type: 'overload' | 'residual_current' | 'capacity_violation', subject: string) =>
    wf.cloud.ctx.alerts.raise({
      type,
      subject,
      subjectKind: 'device',
      severity: 'warning',
      ts: Date.now(),
      evidence: {},
    });
  await raise('overload', 'tx-002');
  await raise('residual_current', 't-001');
  await raise('capacity_violation', 'c-001');
  const subjects = async (query: string) =>
    ((await wf.api('admin', 'GET', `/api/v1/alerts?${query}`)).body.items as Array<{ subject: string }>)
      .map((a) => a.subject)
      .sort();
  const ofTransformer = await subjects('transformer=tx-001');
  t.ok(
    ofTransformer.includes('t-001') && ofTransformer.includes('c-001'),
    `its device's and customer's (${ofTransformer})`,
  );
  t.notOk(ofTransformer.includes('tx-002'), 'not another transformer');
  const ofCustomer = await subjects('customer=c-001');
  t.ok(ofCustomer.includes('c-001'));
  t.notOk(ofCustomer.includes('t-001') || ofCustomer.includes('tx-002'), `only the customer's (${ofCustomer})`);
  t.same(await subjects('transformer=tx-001&customer=c-002'), [], 'both narrow');
});
