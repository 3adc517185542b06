/**
 * When the emulated link goes down, and for how long: explicit windows, a fixed period,
 * or seeded random up/down times (exponentially distributed, like independent outages),
 * so a test or benchmark that cuts "at random" cuts the same way on every run.
 */
import { uniformAt } from '../model/random.js';

export type CutMode = 'reset' | 'stall';

export interface CutWindow {
  /** Milliseconds after the emulator started. */
  atMs: number;
  forMs: number;
  mode: CutMode;
}

export type CutSchedule =
  | { kind: 'windows'; windows: CutWindow[] }
  | { kind: 'periodic'; everyMs: number; forMs: number; firstAtMs?: number; mode: CutMode }
  | { kind: 'random'; meanUpMs: number; meanDownMs: number; seed: number; mode: CutMode };

const RANDOM_STREAM = 0x11a4c; // any fixed stream id: cuts draw from their own sequence

/** The cut windows of a schedule, in time order, lazily (periodic and random ones never end). */
export function* cutWindows(schedule: CutSchedule): Generator<CutWindow> {
  if (schedule.kind === 'windows') {
    yield* [...schedule.windows].sort((a, b) => a.atMs - b.atMs);
    return;
  }
  if (schedule.kind === 'periodic') {
    for (let at = schedule.firstAtMs ?? schedule.everyMs; ; at += schedule.everyMs) {
      yield { atMs: at, forMs: schedule.forMs, mode: schedule.mode };
    }
  }
  const exponential = (mean: number, index: number) =>
    -Math.log(1 - uniformAt(schedule.seed, RANDOM_STREAM, index)) * mean;
  let at = 0;
  for (let i = 0; ; i += 2) {
    at += exponential(schedule.meanUpMs, i);
    const forMs = Math.max(1, exponential(schedule.meanDownMs, i + 1));
    yield { atMs: Math.round(at), forMs: Math.round(forMs), mode: schedule.mode };
    at += forMs;
  }
}

/** Checks a schedule, naming the field at fault. */
export function checkCutSchedule(schedule: CutSchedule): string | null {
  const positive = (value: number, name: string) =>
    Number.isFinite(value) && value > 0 ? null : `${name} must be a positive duration, got ${value}`;
  if (schedule.kind === 'windows') {
    for (const [i, w] of schedule.windows.entries()) {
      if (!(Number.isFinite(w.atMs) && w.atMs >= 0)) return `cut ${i + 1}: start must be zero or more, got ${w.atMs}`;
      const bad = positive(w.forMs, `cut ${i + 1}: duration`);
      if (bad) return bad;
    }
    return null;
  }
  if (schedule.kind === 'periodic') {
    if (schedule.forMs >= schedule.everyMs)
      return `cut duration (${schedule.forMs} ms) must be shorter than the period (${schedule.everyMs} ms)`;
    return positive(schedule.everyMs, 'cut period') ?? positive(schedule.forMs, 'cut duration');
  }
  return positive(schedule.meanUpMs, 'mean up time') ?? positive(schedule.meanDownMs, 'mean down time');
}
