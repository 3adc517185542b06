/**
 * Customer loads for the forecast and line-loss evaluations, from two families that share
 * nothing but the interface:
 *
 * - `sim`: the firmware simulator's load model (`shapeFactor` of @gridsafe/firmware-sim:
 *   its daily shapes, weekday/weekend factor, season and day-to-day level), with white noise;
 * - `independent`: this file's own generator: other daily shapes (a two-peak rural home, a
 *   shop with a business-hours plateau, a three-shift workshop with a lunch dip), a working
 *   calendar with a holiday block and adjusted working Saturdays (调休), an ambient
 *   temperature with weather fronts driving a cooling load, AR(1) noise and appliance bursts.
 *
 * Loads are kW, evaluated in time order per load (the noise has memory).
 */
import { seededRandom } from '@gridsafe/shared';
import { shapeFactor, type MeterLoadSpec } from '@gridsafe/firmware-sim';

export type Family = 'sim' | 'independent';
export type LoadKind = 'residential' | 'commercial' | 'industrial';
export const UTC_OFFSET_MIN = 480;
const DAY = 86_400_000;

export interface WorkCalendar {
  /** Local dates off work (public holidays). */
  holidays: Set<string>;
  /** Local weekend dates worked instead (adjusted working days). */
  workdays: Set<string>;
}

export const localDate = (ts: number) => new Date(ts + UTC_OFFSET_MIN * 60_000).toISOString().slice(0, 10);

/** A rest day: a weekend not made a working day, or a holiday. */
export function isRestDay(ts: number, cal: WorkCalendar): boolean {
  const date = localDate(ts);
  if (cal.holidays.has(date)) return true;
  if (cal.workdays.has(date)) return false;
  const dow = new Date(ts + UTC_OFFSET_MIN * 60_000).getUTCDay();
  return dow === 0 || dow === 6;
}

/** The independent family's calendar: a five-day holiday block from `holidayStart`, with the Saturdays on each side worked. */
export function syntheticCalendar(holidayStart: number): WorkCalendar {
  const holidays = new Set<string>();
  for (let d = 0; d < 5; d++) holidays.add(localDate(holidayStart + d * DAY));
  const workdays = new Set<string>();
  const dow = (ts: number) => new Date(ts + UTC_OFFSET_MIN * 60_000).getUTCDay();
  let before = holidayStart - DAY;
  while (dow(before) !== 6) before -= DAY;
  let after = holidayStart + 5 * DAY;
  while (dow(after) !== 6) after += DAY;
  workdays.add(localDate(before));
  workdays.add(localDate(after));
  return { holidays, workdays };
}

export interface LoadSpec {
  id: string;
  family: Family;
  kind: LoadKind;
  /** Mean-ish level, kW. */
  baseKw: number;
  seed: number;
}

const gauss = (h: number, at: number, width: number) => Math.exp(-(((h - at) / width) ** 2));

/** Standard normal from a uniform source (Box–Muller). */
function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(u(), 1e-12))) * Math.cos(2 * Math.PI * u());
}

/** Ambient temperature of the independent family, °C: a daily swing and slow weather fronts. */
export class Weather {
  private readonly u: () => number;
  private front = 0;
  private lastTs: number | null = null;
  private value = 0;

  constructor(seed: number) {
    this.u = seededRandom(seed);
  }

  at(ts: number): number {
    if (this.lastTs !== null && ts <= this.lastTs) return this.value;
    if (this.lastTs !== null) {
      const steps = Math.max(1, Math.round((ts - this.lastTs) / 300_000));
      for (let i = 0; i < steps; i++) this.front = 0.998 * this.front + 0.12 * normal(this.u);
    }
    this.lastTs = ts;
    const hour = (((ts / 3_600_000 + UTC_OFFSET_MIN / 60) % 24) + 24) % 24;
    return 27 + 5 * Math.cos((2 * Math.PI * (hour - 15)) / 24) + this.front;
  }
}

/** A load of one family; call `kw` in time order. */
export class Load {
  private readonly u: () => number;
  private ar = 0;
  private burstUntil = 0;
  private burstKw = 0;
  private readonly simSpec: MeterLoadSpec;

  constructor(
    readonly spec: LoadSpec,
    private readonly calendar: WorkCalendar,
    private readonly weather: Weather | null,
  ) {
    this.u = seededRandom(spec.seed);
    this.simSpec = {
      baseKva: 1,
      pf: 1,
      daily: spec.kind,
      weekendFactor: spec.kind === 'residential' ? 1.1 : spec.kind === 'commercial' ? 0.45 : 0.6,
      seasonalAmplitude: 0.1,
      seasonalPeakDay: 200,
      dailyVariation: 0.06,
      noise: 0.05,
      shares: [1 / 3, 1 / 3, 1 / 3],
      nominalVoltage: 230,
      voltageNoise: 0,
      frequencyHz: 50,
      initialImportKwh: 0,
      initialExportKwh: 0,
    };
  }

  kw(ts: number): number {
    return this.spec.family === 'sim' ? this.simKw(ts) : this.independentKw(ts);
  }

  private simKw(ts: number): number {
    const f = shapeFactor(this.simSpec, ts, UTC_OFFSET_MIN, this.spec.seed, this.spec.id);
    return Math.max(0, this.spec.baseKw * f * (1 + this.simSpec.noise * normal(this.u)));
  }

  private independentKw(ts: number): number {
    const hour = (((ts / 3_600_000 + UTC_OFFSET_MIN / 60) % 24) + 24) % 24;
    const rest = isRestDay(ts, this.calendar);
    let shape: number;
    if (this.spec.kind === 'residential') {
      shape =
        0.35 + 0.55 * gauss(hour, 7.5, 1.2) + 1.2 * gauss(hour, 19.8, 1.9) + (rest ? 0.25 * gauss(hour, 13, 3) : 0);
    } else if (this.spec.kind === 'commercial') {
      const open = 1 / (1 + Math.exp(-(hour - 8.5) * 3)) - 1 / (1 + Math.exp(-(hour - 20) * 3));
      shape = 0.25 + (rest ? 0.35 : 1.35) * open;
    } else {
      shape = (rest ? 0.45 : 1.05) - (rest ? 0 : 0.3 * gauss(hour, 12.2, 0.5));
    }
    const ambient = this.weather?.at(ts) ?? 20;
    const cooling = this.spec.kind === 'industrial' ? 0 : 0.045 * Math.max(0, ambient - 26);
    this.ar = 0.92 * this.ar + 0.035 * normal(this.u);
    if (ts >= this.burstUntil && this.u() < 0.004) {
      this.burstUntil = ts + (30 + 90 * this.u()) * 60_000;
      this.burstKw = this.spec.baseKw * (0.2 + 0.4 * this.u());
    }
    const burst = ts < this.burstUntil ? this.burstKw : 0;
    return Math.max(0, this.spec.baseKw * (shape + cooling) * (1 + this.ar) + burst);
  }
}
