/**
 * Baselines per day type and the working calendar (issue 11): a plant that works
 * Saturdays, a holiday week, an adjusted working Sunday (调休) raise nothing; the same
 * plant working an ordinary Sunday (no calendar reason) does. 2025: National Day and
 * Mid-Autumn 1–8 October, Sunday 28 September and Saturday 11 October worked
 * (cloud/calendars/2025.json).
 */
import t from 'tap';
import { consumptionAnomaly } from '../index.js';
import { suspectedTamper } from '../../suspected_tamper/index.js';
import type { AnyDetector } from '../../../detector-kit/detector.js';
import { engineWith, meter } from '../../../../test/detection/fakes.js';
import { feed, steps } from '../../../../test/detection/series.js';
import { DAY, localHour, noise } from '../../../../test/detection/shapes.js';

const fleet = {
  customers: [{ id: 'c-1', name: 'plant', contractKva: 200, tariff: 'two_part' as const }],
  devices: [meter('m-1', { customer: 'c-1' })],
};
/** Monday 2025-09-01 00:00 China Standard Time. */
const START = Date.UTC(2025, 7, 31, 16, 0, 0);
const STEP = 300;
const localDate = (ts: number) => new Date(ts + 8 * 3_600_000).toISOString().slice(0, 10);
const localDow = (ts: number) => new Date(ts + 8 * 3_600_000).getUTCDay();

const HOLIDAYS = new Set([
  '2025-10-01',
  '2025-10-02',
  '2025-10-03',
  '2025-10-04',
  '2025-10-05',
  '2025-10-06',
  '2025-10-07',
  '2025-10-08',
]);
const WORKED = new Set(['2025-09-28', '2025-10-11']);

/** A two-shift plant: 120 kW 07:00–23:00 on the days it works, 25 kW otherwise; `works` decides the days. */
function plant(works: (ts: number) => boolean) {
  return (ts: number) => {
    const h = localHour(ts);
    const on = works(ts) && h >= 7 && h < 23;
    return { p_kw: (on ? 120 : 25) * (1 + 0.03 * noise(ts)) };
  };
}
/** Works Monday to Saturday, the calendar's adjusted working days, never on its holidays. */
const saturdayPlant = (ts: number) => !HOLIDAYS.has(localDate(ts)) && (WORKED.has(localDate(ts)) || localDow(ts) !== 0);

async function run(works: (ts: number) => boolean, days = 43, detectors: AnyDetector[] = [consumptionAnomaly]) {
  const { deps, engine } = await engineWith(detectors, fleet);
  await feed(
    engine,
    steps('m-1', START, STEP, (days * DAY) / (STEP * 1000), (_, ts) => plant(works)(ts)),
    100,
  );
  return deps.alerts.alerts;
}

t.test('a plant working Saturdays, over a holiday week and its adjusted working days: no alert', async (t) => {
  const alerts = await run(saturdayPlant, 43, [consumptionAnomaly, suspectedTamper]);
  t.same(
    alerts.map((a) => `${a.type} ${new Date(a.openedAt).toISOString()}`),
    [],
    'Saturdays with the weekdays, Sundays apart, 1–8 October off, 28 September and 11 October worked',
  );
});

t.test('the same plant working an ordinary Sunday, with no calendar reason, is an anomaly', async (t) => {
  // Its Sundays are their own day type: judged once four of them are known (7, 14, 21 September, 12 October).
  const alerts = await run((ts) => saturdayPlant(ts) || localDate(ts) === '2025-10-19', 50);
  t.equal(alerts.length, 1);
  t.match(alerts[0], { type: 'consumption_anomaly', evidence: { direction: 'up' } });
  t.equal(localDate(alerts[0]!.openedAt), '2025-10-19', 'opened on that Sunday');
});

t.test(
  'a weekday-only plant that ignores the calendar and rests on the adjusted working Sunday: no alert',
  async (t) => {
    // Retail, a continuous process or a plant with its own rota may not follow 调休: the day is
    // also compared with its own weekday (a Sunday), and that one fits.
    const alerts = await run((ts) => !HOLIDAYS.has(localDate(ts)) && localDow(ts) !== 0 && localDow(ts) !== 6, 35);
    t.same(
      alerts.map((a) => a.evidence['localDate']),
      [],
    );
  },
);
