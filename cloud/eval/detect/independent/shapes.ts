/**
 * The world of the independent family, written apart from the firmware-sim models: daily
 * load shapes per customer class, the days the plants really work (China's 2025 calendar
 * with its adjusted working days, Saturday shifts), and the weather that moves cooling loads.
 *
 * Shapes are hourly shares of the class's peak, after the usual class profiles of load
 * research (a residential evening peak, an office plateau with a lunch dip, two-shift and
 * three-shift industry, retail open 10:00–22:00); they are not fitted to any data set.
 */
import { DAY, HOUR } from '../plan.js';

export type LoadClass =
  'two_shift' | 'three_shift' | 'office' | 'retail' | 'residential' | 'school' | 'workshop' | 'cold_store';

/** '20 18 …' → [0.2, 0.18, …]: one class's 24 hourly shares written as whole percents. */
function percents(text: string): number[] {
  const shares = text.split(' ').map((figure) => Number(figure) / 100);
  if (shares.length !== 24 || shares.some((share) => !Number.isFinite(share))) {
    throw new Error(`a load shape needs 24 whole percents, got "${text}"`);
  }
  return shares;
}

/** ['2025-01-28..2025-02-04', '2025-04-04'] → every date of each range, both ends included. */
function dateRanges(ranges: string[]): string[] {
  return ranges.flatMap((range) => {
    const [first, last] = range.split('..');
    const dates: string[] = [];
    for (let ts = Date.parse(first ?? range); ts <= Date.parse(last ?? range); ts += DAY) {
      dates.push(new Date(ts).toISOString().slice(0, 10));
    }
    return dates;
  });
}

/**
 * Hourly share of peak on a working day, in percent, hour 0 first (written as text so the
 * 24 figures of a class read on one line).
 */
const WORKING: Record<LoadClass, number[]> = {
  two_shift: percents('20 18 18 18 18 20 30 60 95 100 100 98 75 97 100 98 90 92 90 88 86 85 60 30'),
  three_shift: percents('92 93 93 92 92 93 90 82 95 98 100 99 96 98 100 86 95 97 97 96 95 94 93 84'),
  office: percents('25 24 24 24 25 28 38 60 88 98 100 97 80 92 100 98 93 78 55 42 36 32 28 26'),
  retail: percents('30 28 27 27 27 28 30 35 50 80 95 98 100 98 97 98 99 100 100 98 95 80 45 33'),
  residential: percents('45 38 34 32 32 36 50 62 55 50 50 55 60 55 50 52 58 72 92 100 98 90 75 58'),
  school: percents('15 15 15 15 15 16 25 70 95 100 100 90 60 85 95 95 80 45 30 25 20 17 16 15'),
  workshop: percents('10 10 10 10 10 10 15 55 95 100 98 95 50 90 100 98 90 40 15 12 10 10 10 10'),
  cold_store: percents('78 76 75 75 75 76 80 85 90 93 96 98 100 100 100 98 95 92 90 88 85 83 80 79'),
};

/** Hourly share of peak on a rest day (weekend not worked, public holiday). */
const RESTING: Record<LoadClass, number[]> = {
  two_shift: Array.from({ length: 24 }, (_, h) => (h >= 8 && h < 18 ? 0.2 : 0.17)),
  three_shift: WORKING.three_shift.map((x) => x * 0.93),
  office: Array.from({ length: 24 }, (_, h) => (h >= 9 && h < 18 ? 0.32 : 0.26)),
  retail: WORKING.retail.map((x, h) => (h >= 10 && h < 22 ? x * 1.12 : x)),
  residential: WORKING.residential.map((x, h) => (h >= 8 && h < 17 ? x * 1.18 : x)),
  school: Array.from({ length: 24 }, () => 0.15),
  workshop: Array.from({ length: 24 }, () => 0.1),
  cold_store: WORKING.cold_store,
};

/** Share of the load that follows the weather (cooling), per class: per 10 K above 26 °C. */
export const COOLING_PER_10K: Record<LoadClass, number> = {
  two_shift: 0.08,
  three_shift: 0.05,
  office: 0.25,
  retail: 0.25,
  residential: 0.3,
  school: 0.15,
  workshop: 0.05,
  cold_store: 0.35,
};

/**
 * China's 2025 working calendar as the plants live it (国办发明电〔2024〕12号): National Day
 * and Mid-Autumn 1–8 October off, Sunday 28 September and Saturday 11 October worked.
 */
const HOLIDAYS_2025 = new Set(
  dateRanges([
    '2025-01-01',
    '2025-01-28..2025-02-04',
    '2025-04-04..2025-04-06',
    '2025-05-01..2025-05-05',
    '2025-05-31..2025-06-02',
    '2025-10-01..2025-10-08',
  ]),
);
const WORKED_WEEKENDS_2025 = new Set(['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']);

export type DayKind = 'working' | 'saturday' | 'rest' | 'holiday' | 'adjusted_working';

const LOCAL_MS = 8 * HOUR;

export function localDate(ts: number): string {
  return new Date(ts + LOCAL_MS).toISOString().slice(0, 10);
}

/** What kind of day a local date is in the 2025 calendar (before a plant's own habits). */
export function dayKind(ts: number): DayKind {
  const date = localDate(ts);
  if (HOLIDAYS_2025.has(date)) return 'holiday';
  if (WORKED_WEEKENDS_2025.has(date)) return 'adjusted_working';
  const dow = new Date(ts + LOCAL_MS).getUTCDay();
  if (dow === 0) return 'rest';
  if (dow === 6) return 'saturday';
  return 'working';
}

/** Whether a customer of this class works on such a day (a Saturday-shift plant works Saturdays). */
export function works(cls: LoadClass, kind: DayKind, saturdayShift: boolean): boolean {
  if (cls === 'three_shift' || cls === 'cold_store') return true;
  if (cls === 'residential' || cls === 'retail') return kind === 'working' || kind === 'adjusted_working';
  if (kind === 'saturday') return saturdayShift;
  return kind === 'working' || kind === 'adjusted_working';
}

/** Share of peak at a time, linearly between the hourly points. */
export function shapeAt(cls: LoadClass, working: boolean, ts: number): number {
  const table = working ? WORKING[cls] : RESTING[cls];
  const hours = ((ts + LOCAL_MS) % DAY) / HOUR;
  const h = Math.floor(hours);
  const frac = hours - h;
  return table[h]! * (1 - frac) + table[(h + 1) % 24]! * frac;
}

/** Ambient temperature, °C: a wandering daily mean and a daily swing peaking at 15:00 local. */
export class Weather {
  private readonly dayMean: number[] = [];
  private readonly daySwing: number[] = [];

  constructor(
    private readonly start: number,
    days: number,
    rand: () => number,
    hotDays: ReadonlySet<number>,
  ) {
    let mean = 26;
    for (let d = 0; d < days + 1; d++) {
      mean += (rand() - 0.5) * 2.4 + (25 - mean) * 0.15; // AR(1) around a September mean
      this.dayMean.push(hotDays.has(d) ? Math.max(mean, 30.5) : mean);
      this.daySwing.push(4 + rand() * 3);
    }
  }

  at(ts: number): number {
    const day = Math.max(0, Math.floor((ts - this.start) / DAY));
    const hours = ((ts + LOCAL_MS) % DAY) / HOUR;
    return this.dayMean[day]! + this.daySwing[day]! * Math.cos(((hours - 15) / 24) * 2 * Math.PI);
  }
}

/** Clear-sky PV output share for a time (sunrise 06:00, sunset 18:30, local), before clouds. */
export function solarShare(ts: number): number {
  const hours = ((ts + LOCAL_MS) % DAY) / HOUR;
  if (hours <= 6 || hours >= 18.5) return 0;
  return Math.sin(((hours - 6) / 12.5) * Math.PI) ** 1.3;
}
