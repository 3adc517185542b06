/**
 * Transformers for the forecast evaluation: each one's load is the sum of its customers'
 * loads (../common/loads.ts: half the transformers from the simulator's load model, half
 * from the independent generator), at 5-minute resolution, with overload days placed in
 * the test period (a day whose load runs 25–40 % above usual from the morning on: a heat
 * wave, an extra shift). The rating is set so an ordinary peak is 80–95 % of it.
 */
import { seededRandom } from '@gridsafe/shared';
import { Load, Weather, syntheticCalendar, type Family, type LoadKind, type WorkCalendar } from '../common/loads.js';

export const STEP_MS = 5 * 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface EvalTransformer {
  id: string;
  family: Family;
  ratedKva: number;
  /** kVA every 5 minutes from the fleet's start. */
  kva: Float64Array;
  /** Measured ambient per hour (independent family: a sensor on site), null where none. */
  ambient: Array<number | null>;
  /** Days (index) with a planned overload. */
  overloadDays: number[];
}

export interface EvalFleet {
  start: number;
  days: number;
  testDays: number;
  calendar: WorkCalendar;
  transformers: EvalTransformer[];
}

export function buildFleet(seed: number, days: number, testDays: number, perFamily: number, start: number): EvalFleet {
  const u = seededRandom(seed);
  const calendar = syntheticCalendar(start + (days - testDays + 6) * DAY_MS);
  const steps = (days * DAY_MS) / STEP_MS;
  const transformers: EvalTransformer[] = [];
  for (const family of ['sim', 'independent'] as const) {
    for (let i = 0; i < perFamily; i++) {
      const weather = new Weather(Math.floor(u() * 2 ** 31));
      const n = 15 + Math.floor(u() * 16);
      const loads: Load[] = [];
      for (let k = 0; k < n; k++) {
        const r = u();
        const kind: LoadKind = r < 0.7 ? 'residential' : r < 0.9 ? 'commercial' : 'industrial';
        const baseKw = kind === 'residential' ? 1 + 3 * u() : kind === 'commercial' ? 5 + 10 * u() : 10 + 20 * u();
        loads.push(
          new Load(
            { id: `${family}${i}-${k}`, family, kind, baseKw, seed: Math.floor(u() * 2 ** 31) },
            calendar,
            family === 'independent' ? weather : null,
          ),
        );
      }
      // Overload days: two or three in the test period, at least two days apart.
      const overloadDays: number[] = [];
      const count = 2 + Math.floor(u() * 2);
      while (overloadDays.length < count) {
        const d = days - testDays + 1 + Math.floor(u() * (testDays - 1));
        if (overloadDays.every((x) => Math.abs(x - d) > 2)) overloadDays.push(d);
      }
      const factor = overloadDays.map(() => 1.25 + 0.15 * u());
      // High days happen all along (not overloads: 10–20 % above usual), so the backtest knows them.
      for (let d = 7; d < days - testDays; d += 6 + Math.floor(u() * 6)) {
        overloadDays.push(d);
        factor.push(1.1 + 0.1 * u());
      }
      const kva = new Float64Array(steps);
      const ambient: Array<number | null> = [];
      for (let s = 0; s < steps; s++) {
        const ts = start + s * STEP_MS;
        let kw = 0;
        for (const l of loads) kw += l.kw(ts);
        const day = Math.floor((ts - start) / DAY_MS);
        const hour = ((ts - start) % DAY_MS) / HOUR_MS;
        const o = overloadDays.indexOf(day);
        // From 06:00 local, ramping over an hour, to the end of the day.
        if (o >= 0 && hour >= 6) kw *= 1 + (factor[o]! - 1) * Math.min(1, hour - 6);
        kva[s] = kw / 0.92;
        if (s % 12 === 0) ambient.push(family === 'independent' ? Math.round(weather.at(ts) * 10) / 10 : null);
      }
      // Rated so an ordinary day's peak hour is 80–95 % of the rating.
      const peaks: number[] = [];
      for (let d = 0; d < days - testDays; d++) {
        let peak = 0;
        for (let h = 0; h < 24; h++) {
          let sum = 0;
          for (let k = 0; k < 12; k++) sum += kva[(d * 24 + h) * 12 + k]!;
          peak = Math.max(peak, sum / 12);
        }
        peaks.push(peak);
      }
      peaks.sort((a, b) => a - b);
      const p90 = peaks[Math.floor(peaks.length * 0.9)]!;
      transformers.push({
        id: `${family === 'sim' ? 'S' : 'I'}${i}`,
        family,
        ratedKva: Math.round(p90 / (0.8 + 0.15 * u())),
        kva,
        ambient,
        overloadDays,
      });
    }
  }
  return { start, days, testDays, calendar, transformers };
}
