/**
 * What keeps consumption_anomaly quiet on ordinary variation and loud on real change
 * (issue 11, the independent family's false alarms): a day type seen only once is not
 * yet judged; a load that follows the weather (a cold store), or a customer's rooftop PV
 * under clouds, stays silent; a real collapse or surge on the same meters still alerts.
 * Six weeks from Monday 13 October 2025 (no holiday or adjusted working day in them).
 */
import t from 'tap';
import { consumptionAnomaly, type AnomalyState } from '../index.js';
import { MemoryState, engineWith, meter, type Fleet } from '../../../../test/detection/fakes.js';
import { feed, steps } from '../../../../test/detection/series.js';
import { DAY, commercialKw, localHour, noise } from '../../../../test/detection/shapes.js';

/** Monday 2025-10-13 00:00 China Standard Time. */
const START = Date.UTC(2025, 9, 12, 16, 0, 0);
const HOUR = 3_600_000;
const STEP = 300;
const dayOf = (ts: number) => Math.floor((ts - START) / DAY);

async function run(kw: (ts: number) => number, days: number, fleet: Fleet = { devices: [meter('m-1')] }) {
  const state = new MemoryState();
  const { deps, engine } = await engineWith([consumptionAnomaly], fleet, {}, state);
  await feed(
    engine,
    steps('m-1', START, STEP, (days * DAY) / (STEP * 1000), (_, ts) => ({ p_kw: kw(ts) })),
    100,
  );
  // As the engine persists it: { v: stateVersion, s: the state without its shared parts, in its saved form }.
  const saved = JSON.parse(state.data.get('consumption_anomaly/m-1')!) as { s: unknown };
  const decoded: AnomalyState = consumptionAnomaly.savedForm!.decode(saved.s);
  return { alerts: deps.alerts.ofType('consumption_anomaly'), state: decoded };
}

/** +60 kW from 20:00 to 04:00 local after the given day's evening (a load left running). */
const nightSurge = (day: number) => (ts: number) => {
  const from = START + day * DAY + 20 * HOUR;
  return ts >= from && ts < from + 8 * HOUR ? 60 : 0;
};

t.test('thin history: a day type seen once is not yet judged; from its second week it is', async (t) => {
  const secondMonday = nightSurge(7);
  const thirdMonday = nightSurge(14);
  const quiet = await run((ts) => commercialKw(ts) + secondMonday(ts), 14);
  t.same(quiet.alerts, [], 'the surge of the second Monday night meets a Monday seen once: not judged');
  t.ok(quiet.state.notJudged > 0, 'the blocks not judged are counted');
  t.equal(quiet.state.judgedSince, null, 'no block judged yet after two weeks of one Monday each');
  const judged = await run((ts) => commercialKw(ts) + secondMonday(ts) + thirdMonday(ts), 16);
  t.equal(judged.alerts.length, 1, 'the third Monday night surge is judged and raised');
  t.equal(dayOf(judged.alerts[0]!.openedAt - 8 * HOUR), 14, 'on the third Monday');
  t.ok(judged.state.judgedSince! >= START + 14 * DAY, 'judging began in the third week');
});

/** A daily mean temperature that wanders (±2 K) around 26 °C, with a three-day hot spell (31 °C) in week 4. */
function dailyMeanC(day: number): number {
  if (day >= 22 && day < 25) return 31;
  return 26 + 2 * noise(day * DAY, 7);
}
const ambientC = (ts: number) => dailyMeanC(dayOf(ts)) + 3 * Math.cos(((localHour(ts) - 15) / 24) * 2 * Math.PI);

/** A cold store: compressors all week, 3.5 % more per kelvin above 25 °C (the weather is most of its variation). */
function coldStoreKw(ts: number): number {
  const h = localHour(ts);
  const shape = 0.78 + 0.22 * Math.max(0, Math.sin(((h - 6) / 16) * Math.PI));
  return 60 * shape * (1 + 0.035 * (ambientC(ts) - 25)) * (1 + 0.03 * noise(ts));
}

t.test('a cold store following the weather, hot spell included, stays silent', async (t) => {
  const { alerts } = await run(coldStoreKw, 42);
  t.same(
    alerts.map((a) => `${new Date(a.openedAt).toISOString()} z=${String(a.evidence['z'])}`),
    [],
  );
});

t.test('the same cold store still raises on a real collapse (a compressor trip, 10 hours at a third)', async (t) => {
  const from = START + 30 * DAY + 9 * HOUR;
  const { alerts } = await run((ts) => coldStoreKw(ts) * (ts >= from && ts < from + 10 * HOUR ? 0.33 : 1), 33);
  t.equal(alerts.length, 1);
  t.match(alerts[0], { evidence: { direction: 'down' } });
  t.ok(alerts[0]!.openedAt >= from && alerts[0]!.openedAt <= from + 4 * HOUR, 'within four hours of the trip');
});

/** A two-shift customer with 90 kWp on the roof: cloudiness changes by the day (30–100 % of clear sky). */
function pvCustomerKw(ts: number): number {
  const h = localHour(ts);
  const dow = new Date(ts + 8 * HOUR).getUTCDay();
  const load = dow !== 0 && dow !== 6 && h >= 7 && h < 23 ? 110 : 25;
  const sun = h > 6 && h < 18.5 ? Math.sin(((h - 6) / 12.5) * Math.PI) : 0;
  const clouds = 0.65 + 0.35 * noise(dayOf(ts) * DAY, 3);
  return load * (1 + 0.03 * noise(ts)) - 90 * sun * clouds;
}
const pvFleet: Fleet = {
  customers: [{ id: 'c-pv', name: 'pv plant', contractKva: 200, tariff: 'two_part', hasGeneration: true }],
  devices: [meter('m-1', { customer: 'c-pv' })],
};

t.test('a customer with rooftop PV: sunny and cloudy days are not anomalies; a night surge is', async (t) => {
  const quiet = await run(pvCustomerKw, 35, pvFleet);
  t.same(quiet.alerts, [], 'hours it exports at are netted against the clouds: not judged');
  const surge = nightSurge(30);
  const loud = await run((ts) => pvCustomerKw(ts) + surge(ts), 32, pvFleet);
  t.equal(loud.alerts.length, 1, 'its nights are judged as any meter');
  t.match(loud.alerts[0], { evidence: { direction: 'up' } });
});

t.test('a weekday collapsing below even its rest days is not taken for an unlisted day off', async (t) => {
  // 15 % of the usual load all of Wednesday (two phases lost, or a shunt): under the
  // Sunday level at every hour, where an unlisted day off sits at that level.
  const from = START + 23 * DAY;
  const { alerts } = await run((ts) => commercialKw(ts) * (ts >= from && ts < from + DAY ? 0.15 : 1), 25);
  t.equal(alerts.length, 1);
  t.match(alerts[0], { evidence: { direction: 'down' } });
  const dayOff = await run(
    (ts) => (ts >= from && ts < from + DAY ? 30 * (1 + 0.03 * noise(ts)) : commercialKw(ts)),
    25,
  );
  t.same(dayOff.alerts, [], 'the same Wednesday at its Sunday level (an unlisted day off) is normal');
});

t.test('a four-hour process run on weekdays only keeps the weekends a day type of their own', async (t) => {
  // 55 kW from 09:00 to 13:00 on a 100 kW continuous load: under a tenth of the day's
  // energy, so the whole-day profiles agree, but those hours are not a weekend's.
  const kw = (ts: number) => {
    const dow = new Date(ts + 8 * HOUR).getUTCDay();
    const h = localHour(ts);
    return (100 + (dow !== 0 && dow !== 6 && h >= 9 && h < 13 ? 55 : 0)) * (1 + 0.03 * noise(ts));
  };
  const { alerts } = await run(kw, 35);
  t.same(
    alerts.map((a) => `${String(a.evidence['localDate'])} ${String(a.evidence['baselinePool'])}`),
    [],
  );
});
