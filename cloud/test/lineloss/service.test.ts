/**
 * Line loss in a running cloud: counters stored in the real series store, days computed
 * and stored, the alert raised with its cause and candidates, an audit case opened from
 * a lead, bands per area, months, and the API's refusals.
 */
import t from 'tap';
import type { TelemetryBatch } from '@gridsafe/shared';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { localDayStart } from '../../src/lineloss/local-day.js';

const H = 3_600_000;
const DAY = 24 * H;
const SEED = {
  transformers: [{ id: 'tx-1', site: 'Village 1', ratedKva: 200, area: 'north' }],
  customers: ['c-1', 'c-2', 'c-3'].map((id) => ({ id, name: id, contractKva: 50, tariff: 'single' })),
  devices: [
    { id: 'm-tx', gateway: 'gw-1', kind: 'meter', transformer: 'tx-1', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
    ...['1', '2', '3'].map((n) => ({
      id: `m-${n}`,
      gateway: 'gw-1',
      kind: 'meter',
      transformer: 'tx-1',
      customer: `c-${n}`,
      ctRatio: 1,
      ptRatio: 1,
      ctSecondaryA: 5,
    })),
  ],
  gateways: [{ id: 'gw-1', secret: 'gw-1-secret-0001' }],
};

/** 15-minute counters (in hourly batches) for `days` days from `start`; c-2's meter records 20 % of its load from `theftDay`. */
async function storeCounters(cloud: TestCloud, start: number, days: number, theftDay: number): Promise<void> {
  const kw = { 'm-1': 6, 'm-2': 8, 'm-3': 4 } as Record<string, number>;
  const energy: Record<string, number> = { 'm-tx': 0, 'm-1': 0, 'm-2': 0, 'm-3': 0 };
  let seq = 1;
  let readings: TelemetryBatch['readings'] = [];
  for (let ts = start - H; ts <= start + days * DAY + H; ts += 15 * 60_000) {
    const day = Math.floor((ts - start) / DAY);
    const load = Object.fromEntries(
      Object.entries(kw).map(([id, p]) => [
        id,
        p * (1 + 0.15 * Math.sin(ts / 7e6 + p) + 0.1 * Math.sin(day * 1.3 + p)),
      ]),
    );
    const totalKw = Object.values(load).reduce((a, b) => a + b, 0);
    for (const id of Object.keys(energy))
      readings.push({ device: id, ts, quality: 'good', values: { e_imp_kwh: Math.round(energy[id]! * 1000) / 1000 } });
    if (readings.length >= 16) {
      await cloud.ctx.series.writeBatch({ gateway: 'gw-1', seq: seq++, sentAt: ts, readings });
      readings = [];
    }
    energy['m-tx']! += (totalKw * 1.04) / 4;
    for (const id of Object.keys(kw)) energy[id]! += (load[id]! * (id === 'm-2' && day >= theftDay ? 0.2 : 1)) / 4;
  }
  if (readings.length > 0) await cloud.ctx.series.writeBatch({ gateway: 'gw-1', seq: seq++, sentAt: start, readings });
}

t.test('days, alert with theft lead, case from the lead, bands and months over HTTP', async (t) => {
  const cloud = await startTestCloud(t, { seed: SEED });
  await cloud.lineLoss.job.runNow(); // the start-up catch-up pass (nothing stored yet: no supply)
  const start = localDayStart(Date.now(), 480) - 12 * DAY;
  await storeCounters(cloud, start, 12, 9);
  for (let d = 0; d < 12; d++) await cloud.lineLoss.analyzer.analyzeDay('tx-1', start + d * DAY);

  const days = (await (await cloud.api(`/api/v1/lineloss/tx-1/days?from=${start}&to=${start + 12 * DAY}`)).json()) as {
    items: Array<{ ratePct: number; status: string; coverage: number }>;
  };
  t.equal(days.items.length, 12);
  t.ok(
    Math.abs((days.items[0]?.ratePct ?? 0) - (1 - 1 / 1.04) * 100) < 0.01,
    'technical loss of 4 % of sold is 3.85 % of supplied',
  );
  t.same(
    days.items.map((d) => d.status),
    [...Array(9).fill('normal'), 'high', 'high', 'high'],
  );
  t.equal(days.items[11]?.coverage, 1);

  const alerts = (await (await cloud.api('/api/v1/alerts?type=line_loss_abnormal')).json()) as {
    items: Array<{ id: string; subject: string; state: string; evidence: Record<string, unknown> }>;
  };
  t.equal(alerts.items.length, 1);
  const alert = alerts.items[0]!;
  t.match(alert, {
    subject: 'tx-1',
    state: 'open',
    evidence: { cause: 'theft', since: days.items.length ? String : '' },
  });
  const candidates = alert.evidence['candidates'] as Array<{ customer: string }>;
  t.equal(candidates[0]?.customer, 'c-2', 'the customer whose consumption fell leads');

  const refused = await cloud.api(`/api/v1/alerts/${alert.id}/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer: 'c-9' }),
  });
  t.equal(refused.status, 422, 'a customer who is not a candidate is refused');
  t.match(await refused.text(), /not a candidate/);
  const opened = await cloud.api(`/api/v1/alerts/${alert.id}/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer: 'c-2', note: 'check the meter box' }),
  });
  t.equal(opened.status, 201);
  const { case: caseId } = (await opened.json()) as { case: string };
  const kase = (await (await cloud.api(`/api/v1/cases/${caseId}`)).json()) as {
    customer: string;
    detail: Record<string, unknown>;
  };
  t.match(kase, { customer: 'c-2', detail: { origin: 'line_loss_abnormal', alert: alert.id, cause: 'theft' } });

  const months = (await (
    await cloud.api(`/api/v1/lineloss/tx-1/months?from=${start}&to=${start + 12 * DAY}`)
  ).json()) as {
    items: Array<{ days: number; abnormalDays: number }>;
  };
  t.equal(
    months.items.reduce((a, m) => a + m.days, 0),
    12,
  );
  t.equal(
    months.items.reduce((a, m) => a + m.abnormalDays, 0),
    3,
  );

  // A wider band for the area (as some provinces use) clears the alert when the day is recomputed.
  const band = await cloud.api('/api/v1/lineloss/bands/north', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lowPct: 0, highPct: 40, source: 'test: provincial rule' }),
  });
  t.equal(band.status, 200);
  const badBand = await cloud.api('/api/v1/lineloss/bands/north', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lowPct: 12, highPct: 10, source: 'typo' }),
  });
  t.equal(badBand.status, 400);
  t.match(await badBand.text(), /lowPct \(12\) must be below highPct \(10\)/);
  await cloud.lineLoss.analyzer.analyzeDay('tx-1', start + 11 * DAY);
  const after = (await (await cloud.api(`/api/v1/alerts/${alert.id}`)).json()) as { state: string };
  t.equal(after.state, 'resolved', 'back in (the new) band: resolved');

  t.equal((await cloud.api('/api/v1/lineloss/tx-9/days')).status, 404);
});

t.test("a band from the config file is its area's until one is set through the API", async (t) => {
  const cloud = await startTestCloud(t, {
    seed: SEED,
    config: { lineLoss: { bands: { north: { lowPct: -2, highPct: 6, source: 'test: urban rule' } } } },
  });
  const start = localDayStart(Date.now(), 480) - 3 * DAY;
  await storeCounters(cloud, start, 2, 99);
  const day = await cloud.lineLoss.analyzer.analyzeDay('tx-1', start);
  t.same(day.band, { lowPct: -2, highPct: 6 }, 'the configured band judges the day');
  const listed = (await (await cloud.api('/api/v1/lineloss/bands')).json()) as Record<string, unknown>;
  t.match(listed, {
    default: { lowPct: 0, highPct: 10 },
    configured: { north: { highPct: 6, source: 'test: urban rule' } },
  });
  const put = await cloud.api('/api/v1/lineloss/bands/north', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lowPct: 0, highPct: 9, source: 'test: decision' }),
  });
  t.equal(put.status, 200);
  t.same(
    (await cloud.lineLoss.analyzer.analyzeDay('tx-1', start + DAY)).band,
    { lowPct: 0, highPct: 9 },
    'the API band wins',
  );
  t.same(await cloud.lineLoss.analyzer.bandOf('south'), { lowPct: 0, highPct: 10 }, 'an area with none: the default');
});
