/**
 * One alert per episode (issue 11, CONTRACT.md): a condition that pauses and returns
 * within its type's quiet period continues the same alert; the alert resolves once the
 * quiet period has passed in event time. Through the real engine and detectors.
 */
import t from 'tap';
import { residualCurrent } from '../../src/detectors/residual_current/index.js';
import { capacityViolation } from '../../src/detectors/capacity_violation/index.js';
import { engineWith, MemoryState, meter } from './fakes.js';
import { T0, batch, feed, steps } from './series.js';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const terminal = { devices: [{ ...meter('t-1'), kind: 'terminal' as const }] };

/** Leakage of 400 mA from 09:00 to 17:00 every day, 100 mA otherwise, one reading a minute. */
const workingDays = (from: number, days: number) =>
  steps('t-1', from, 60, days * 24 * 60, (_, ts) => {
    const hour = ((ts - T0) % DAY) / HOUR;
    return { i_res_ma: hour >= 9 && hour < 17 ? 400 : 100 };
  });

t.test('a daily cycle over two weeks gives one alert with fourteen occurrences', async (t) => {
  const { deps, engine } = await engineWith([residualCurrent], terminal);
  await feed(engine, workingDays(T0, 14), 60);
  const alerts = deps.alerts.ofType('residual_current');
  t.equal(alerts.length, 1, 'one alert, not one a day');
  const a = alerts[0]!;
  t.equal(a.occurrences, 14);
  t.equal(a.firstOccurrenceAt, a.openedAt);
  t.ok(a.lastOccurrenceAt >= T0 + 13 * DAY + 9 * HOUR, 'the latest occurrence started on the 14th day');
  t.same(
    a.occurrenceLog.map((o) => Math.floor((o.startedAt - T0) / DAY)),
    Array.from({ length: 14 }, (_, i) => i),
    'one occurrence a day, in the log',
  );
  t.equal(a.state, 'open', 'quiet since 17:00, still within the day');
  t.not(a.pausedAt, null);

  // A quiet day later (event time), the episode is over: resolved when the quiet period ended.
  const quietFrom = a.pausedAt!;
  await feed(
    engine,
    steps('t-1', T0 + 14 * DAY, 60, 24 * 60, () => ({ i_res_ma: 100 })),
    60,
  );
  t.equal(a.state, 'resolved');
  t.equal(a.resolvedAt, quietFrom + DAY, 'at the end of the quiet period, not at the next batch');
  t.equal(deps.alerts.calls.filter((c) => c.op === 'clear').length, 1);

  // The condition returning after that is a new episode.
  await feed(
    engine,
    steps('t-1', T0 + 15 * DAY + 9 * HOUR, 60, 60, () => ({ i_res_ma: 400 })),
    60,
  );
  t.equal(deps.alerts.ofType('residual_current').length, 2);
});

t.test('the quiet period is a setting per detector; 0 resolves as the rule clears', async (t) => {
  const { deps, engine } = await engineWith([residualCurrent], terminal, { residual_current: { quietSeconds: 0 } });
  await feed(engine, workingDays(T0, 3), 60);
  const alerts = deps.alerts.ofType('residual_current');
  t.equal(alerts.length, 3, 'one a day without a quiet period');
  t.ok(alerts.every((a) => a.state === 'resolved' && a.occurrences === 1));

  const short = await engineWith([residualCurrent], terminal, { residual_current: { quietSeconds: 3600 } });
  await feed(short.engine, workingDays(T0, 3), 60);
  t.equal(short.deps.alerts.ofType('residual_current').length, 3, 'an hour of quiet does not bridge a night');

  await t.rejects(
    engineWith([residualCurrent], terminal, { residual_current: { quietSeconds: -1 } }),
    /detectors\.residual_current\.quietSeconds: must be a number of seconds, 0 or more \(got -1\)/,
  );
});

t.test('the quiet episode survives a restart of the engine', async (t) => {
  const state = new MemoryState();
  const first = await engineWith([residualCurrent], terminal, {}, state);
  await feed(first.engine, workingDays(T0, 1), 60);
  const a = first.deps.alerts.ofType('residual_current')[0]!;
  t.not(a.pausedAt, null);

  // Same stores, new engine: the pending resolution is part of the engine's saved state.
  const second = await engineWith([residualCurrent], terminal, {}, state);
  second.deps.alerts.alerts.push(a);
  await feed(
    second.engine,
    steps('t-1', T0 + DAY, 60, 2 * 24 * 60, () => ({ i_res_ma: 100 })),
    60,
  );
  t.equal(a.state, 'resolved');
  t.equal(a.resolvedAt, a.pausedAt! + DAY);
});

t.test('a person may resolve a quiet alert; the next occurrence then opens a new one', async (t) => {
  const { deps, engine } = await engineWith([residualCurrent], terminal);
  await feed(engine, workingDays(T0, 1), 60);
  const a = deps.alerts.ofType('residual_current')[0]!;
  a.state = 'resolved'; // what the alert API does on POST /alerts/{id}/resolve
  a.resolvedAt = T0 + 20 * HOUR;
  await feed(engine, workingDays(T0 + DAY, 1), 60);
  const alerts = deps.alerts.ofType('residual_current');
  t.equal(alerts.length, 2);
  t.equal(alerts[1]!.occurrences, 1);
  t.equal(a.resolvedAt, T0 + 20 * HOUR, 'the end of the quiet period does not touch what the person resolved');
});

t.test('the same resolution time live and from a late backlog in large batches', async (t) => {
  const readings = workingDays(T0, 3);
  const run = async (size: number) => {
    const { deps, engine } = await engineWith([residualCurrent], terminal, {
      residual_current: { quietSeconds: 6 * 3600 },
    });
    for (let i = 0; i < readings.length; i += size) await engine.processBatch(batch(readings.slice(i, i + size)));
    return deps.alerts.alerts.map((a) => `${a.openedAt} ${a.resolvedAt} ${a.occurrences}`);
  };
  const live = await run(15);
  t.equal(live.length, 3, 'six hours do not bridge the sixteen-hour night');
  t.same(await run(24 * 60), live);
});

t.test('a capacity excess on working days over two weeks: one alert and one case across the weekend', async (t) => {
  const fleet = {
    customers: [{ id: 'c-1', name: 'c', contractKva: 100, tariff: 'two_part' as const }],
    devices: [meter('m-1', { customer: 'c-1' })],
  };
  const { deps, engine } = await engineWith([capacityViolation], fleet);
  // T0 is a Monday 00:00 UTC (08:00 local); 150 kW from 08:00 to 18:00 UTC on weekdays, 40 kW otherwise.
  const readings = steps('m-1', T0, 60, 14 * 24 * 60, (_, ts) => {
    const day = Math.floor((ts - T0) / DAY) % 7;
    const hour = ((ts - T0) % DAY) / HOUR;
    return { p_kw: day < 5 && hour >= 8 && hour < 18 ? 150 : 40, q_kvar: 0 };
  });
  await feed(engine, readings, 240);
  const alerts = deps.alerts.ofType('capacity_violation');
  t.equal(alerts.length, 1, 'the weekend does not close it');
  t.ok(alerts[0]!.occurrences >= 2, `occurrences: ${alerts[0]!.occurrences}`);
  t.equal(alerts[0]!.state, 'open');
  t.equal(deps.cases.cases.size, 1, 'one case, updated');
});
