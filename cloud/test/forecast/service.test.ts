/**
 * Forecasting in a running cloud: stored readings, a refresh, the forecasts over HTTP, and
 * overload_forecast raised (linked to the overload alert), then cleared when the forecast
 * no longer reaches the limit.
 */
import t from 'tap';
import { startTestCloud } from '../support/cloud.js';
import { H, SEED, storeLoad } from './history.js';

t.test('forecasts over HTTP, overload_forecast raised, linked and cleared', async (t) => {
  // The horizon from the config file's forecast section.
  const cloud = await startTestCloud(t, { seed: SEED, config: { forecast: { horizon: '30h' } } });
  await cloud.forecast.caughtUp;
  // Noon yesterday, China time: 35 days as usual, then the morning from 06:00 running 80 % higher.
  const now = Math.floor((Date.now() + 8 * H) / (24 * H)) * 24 * H - 8 * H - 12 * H;
  const surgeFrom = now - 6 * H;
  await storeLoad(cloud.ctx.series, now - 35 * 24 * H, now, (ts) => (ts >= surgeFrom ? 1.8 : 1));
  const overload = await cloud.ctx.alerts.raise({
    type: 'overload',
    subject: 'tx-1',
    subjectKind: 'transformer',
    severity: 'warning',
    ts: now - H,
    evidence: {},
  });

  t.equal(await cloud.forecast.refresher.pass(now), 2, 'the transformer and the customer forecast');
  const res = await cloud.api('/api/v1/forecasts/transformers/tx-1');
  t.equal(res.status, 200);
  const forecast = (await res.json()) as {
    model: string;
    origin: number;
    backtestMape: Record<string, number>;
    points: Array<{ ts: number; value: number; low: number; high: number }>;
  };
  t.equal(forecast.origin, now);
  t.equal(forecast.points.length, 30, 'horizon: 30h');
  t.ok(forecast.points.every((p) => p.low <= p.value && p.value <= p.high));
  t.ok(forecast.backtestMape['seasonal_naive'] !== undefined, 'seasonal naive is always in the backtest');
  t.equal((await cloud.api('/api/v1/forecasts/customers/c-1')).status, 200);
  t.equal((await cloud.api('/api/v1/forecasts/customers/c-9')).status, 404);

  const raised = await cloud.ctx.alerts.list({ type: 'overload_forecast', subject: 'tx-1' }, 10, 0);
  t.equal(raised.items.length, 1, 'the high morning carried into the evening peak reaches the limit');
  const alert = raised.items[0]!;
  t.equal(alert.state, 'open');
  t.match(alert.evidence, {
    ratedKva: 100,
    limits: { hotSpotC: 120, topOilC: 105 },
    overloadAlert: overload.alert.id,
    prewarnQuantile: 0.9,
    subHourlyMarginC: { hotSpotC: Number, topOilC: Number },
  });
  t.equal(alert.evidence['patterns'], 14, "run with each backtest day's within-hour pattern (15-minute readings)");
  t.ok((alert.evidence['probability'] as number) >= 0.5, 'raised: the limit reached on at least half of them');
  t.type(alert.evidence['upperPredictedAt'], 'number', 'the upper curve reaches the limit too');
  t.ok(
    (alert.evidence['upperPredictedAt'] as number) <= (alert.evidence['predictedAt'] as number),
    'if the load runs high, the limit comes no later',
  );
  t.ok((alert.evidence['predictedAt'] as number) > now, 'the limit lies ahead');
  t.ok((alert.evidence['leadMinutes'] as number) > 0);
  t.ok(
    (alert.evidence['hotSpotC'] as number) >= 120 || (alert.evidence['topOilC'] as number) >= 105,
    'at a limit then',
  );
  t.ok((alert.evidence['forecast'] as unknown[]).length > 0, 'the forecast curve with its interval');

  // The surge ends: six hours back to a low load; the forecast no longer reaches the limit.
  await storeLoad(cloud.ctx.series, now, now + 6 * H, () => 0.5);
  await cloud.forecast.refresher.pass(now + 6 * H);
  const after = await cloud.ctx.alerts.get(alert.id);
  t.equal(after?.state, 'resolved');
});

t.test('no forecast without enough history', async (t) => {
  const cloud = await startTestCloud(t, { seed: SEED });
  await cloud.forecast.caughtUp;
  const res = await cloud.api('/api/v1/forecasts/transformers/tx-1');
  t.equal(res.status, 404);
  t.match(await res.text(), /no forecast for transformer .*tx-1.* yet/);
  t.equal((await cloud.api('/api/v1/forecasts/transformers/tx-9')).status, 404);
});
