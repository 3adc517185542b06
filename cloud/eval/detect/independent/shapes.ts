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

/** Hourly share of peak on a working day. */
const WORKING: Record<LoadClass, number[]> = {
  two_shift: [
    0.2, 0.18, 0.18, 0.18, 0.18, 0.2, 0.3, 0.6, 0.95, 1, 1, 0.98, 0.75, 0.97, 1, 0.98, 0.9, 0.92, 0.9, 0.88, 0.86, 0.85,
    0.6, 0.3,
  ],
  three_shift: [
    0.92, 0.93, 0.93, 0.92, 0.92, 0.93, 0.9, 0.82, 0.95, 0.98, 1, 0.99, 0.96, 0.98, 1, 0.86, 0.95, 0.97, 0.97, 0.96,
    0.95, 0.94, 0.93, 0.84,
  ],
  office: [
    0.25, 0.24, 0.24, 0.24, 0.25, 0.28, 0.38, 0.6, 0.88, 0.98, 1, 0.97, 0.8, 0.92, 1, 0.98, 0.93, 0.78, 0.55, 0.42,
    0.36, 0.32, 0.28, 0.26,
  ],
  retail: [
    0.3, 0.28, 0.27, 0.27, 0.27, 0.28, 0.3, 0.35, 0.5, 0.8, 0.95, 0.98, 1, 0.98, 0.97, 0.98, 0.99, 1, 1, 0.98, 0.95,
    0.8, 0.45, 0.33,
  ],
  residential: [
    0.45, 0.38, 0.34, 0.32, 0.32, 0.36, 0.5, 0.62, 0.55, 0.5, 0.5, 0.55, 0.6, 0.55, 0.5, 0.52, 0.58, 0.72, 0.92, 1,
    0.98, 0.9, 0.75, 0.58,
  ],
  school: [
    0.15, 0.15, 0.15, 0.15, 0.15, 0.16, 0.25, 0.7, 0.95, 1, 1, 0.9, 0.6, 0.85, 0.95, 0.95, 0.8, 0.45, 0.3, 0.25, 0.2,
    0.17, 0.16, 0.15,
  ],
  workshop: [
    0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15, 0.55, 0.95, 1, 0.98, 0.95, 0.5, 0.9, 1, 0.98, 0.9, 0.4, 0.15, 0.12, 0.1, 0.1,
    0.1, 0.1,
  ],
  cold_store: [
    0.78, 0.76, 0.75, 0.75, 0.75, 0.76, 0.8, 0.85, 0.9, 0.93, 0.96, 0.98, 1, 1, 1, 0.98, 0.95, 0.92, 0.9, 0.88, 0.85,
    0.83, 0.8, 0.79,
  ],
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
const HOLIDAYS_2025 = new Set([
  '2025-01-01',
  '2025-01-28',
  '2025-01-29',
  '2025-01-30',
  '2025-01-31',
  '2025-02-01',
  '2025-02-02',
  '2025-02-03',
  '2025-02-04',
  '2025-04-04',
  '2025-04-05',
  '2025-04-06',
  '2025-05-01',
  '2025-05-02',
  '2025-05-03',
  '2025-05-04',
  '2025-05-05',
  '2025-05-31',
  '2025-06-01',
  '2025-06-02',
  '2025-10-01',
  '2025-10-02',
  '2025-10-03',
  '2025-10-04',
  '2025-10-05',
  '2025-10-06',
  '2025-10-07',
  '2025-10-08',
]);
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
