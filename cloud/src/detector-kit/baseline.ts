/**
 * A seasonal baseline per subject: block means (an hour by default), kept per time-of-day
 * slot and per day type, over recent weeks; compared with median and MAD. FACTS.md
 * "Detection: anomaly and tamper": the same slot over the previous days of the same day
 * type, each weekday apart, with holidays and adjusted working days from the calendar
 * (calendar.ts); robust z-score (Iglewicz and Hoaglin). Plain JSON state.
 *
 * Day types are learned from the subject's own history: each weekday keeps its own
 * values, and weekdays whose daily profiles agree (within `dayTypeTolerance`) are judged
 * together. A plant that works Saturdays has its Saturdays with its weekdays and its
 * Sundays apart; an office has Saturday with Sunday. Public holidays form their own type
 * (until they have history, judged with the subject's Sundays); an adjusted working day
 * (调休) is judged with the subject's working weekdays. A day the calendar makes
 * ambiguous (a holiday, an adjusted working day) is also compared with its own weekday,
 * and the rule keeps the closer.
 */
import { localClock } from './local-clock.js';
import { Type } from '@gridsafe/shared';
import { SettingsError } from './settings.js';
import { loadWorkingCalendar } from './calendar.js';

const DAY_MINUTES = 1440;
const WEEKDAYS = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'] as const;
const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface BaselineConfig {
  /** Length of a block (and of a time-of-day slot), minutes; divides a day. */
  blockMinutes: number;
  /** Offset of local time from UTC, minutes (China: +480). */
  utcOffsetMinutes: number;
  /** Local dates (YYYY-MM-DD) that are public holidays: the calendar files and the `holidays` setting. */
  holidays: ReadonlySet<string>;
  /** Local dates of weekend days worked instead (调休), from the calendar files. */
  workingDays: ReadonlySet<string>;
  /** Weeks of history per slot. */
  weeks: number;
  /** Two weekdays are one day type when their daily profiles differ by at most this share. */
  dayTypeTolerance: number;
}

/** The day types in ring order: `d1`..`d7`, then `h`, then `w`. */
export const DAY_TYPES = [...WEEKDAYS, 'h', 'w'] as const;
const TYPE_INDEX: Record<DayType, number> = Object.fromEntries(DAY_TYPES.map((t, i) => [t, i])) as Record<
  DayType,
  number
>;
/**
 * Block means are kept to 10 W (steps per kW): at most 1 % of the smallest σ a block is
 * judged with (consumption_anomaly's sigmaFloorKw, 0.5 kW), and coarse enough that a
 * week-to-week difference packs into a few bits (baseline-codec.ts).
 */
export const BASELINE_STEPS_PER_KW = 100;

/**
 * One subject's seasonal baseline, shared by every rule that judges the subject against
 * it (consumption_anomaly and suspected_tamper: one per meter, `baselinePart`).
 */
export interface Baseline {
  /** Time-of-day slots per day (1440 / blockMinutes). */
  readonly slotsPerDay: number;
  /** `rings[type × slotsPerDay + slot]`: recent block means of that day type at that slot, oldest first. */
  readonly rings: number[][];
  /**
   * The block learned last, not yet in the rings: each rule that shares the baseline
   * judges a block against the history before it, whichever of them runs first.
   */
  pending: { block: number; ring: number; value: number } | null;
  /** The last block a rule kept out (suspected_tamper does not learn the drop it judges). */
  withheld: number | null;
  /** Bumped on every change, so the engine saves this (large) part only when it changed. */
  rev: number;
}

export interface BlockAcc {
  block: number;
  sum: number;
  n: number;
  vSum: number;
  vN: number;
}

export function newBaseline(cfg: Pick<BaselineConfig, 'blockMinutes'>): Baseline {
  const slotsPerDay = DAY_MINUTES / cfg.blockMinutes;
  return {
    slotsPerDay,
    rings: Array.from({ length: DAY_TYPES.length * slotsPerDay }, () => NO_VALUES),
    pending: null,
    withheld: null,
    rev: 0,
  };
}

/** Every ring starts as this one empty array (most of a new meter's stay empty for weeks); `writableRing` replaces it on the first value. */
const NO_VALUES: number[] = Object.freeze([]) as unknown as number[];

/** Ring `i`, made its own array if it was still the shared empty one. */
export function writableRing(b: Baseline, i: number): number[] {
  const ring = b.rings[i]!;
  return ring === NO_VALUES ? (b.rings[i] = []) : ring;
}

/** The ring of a day type at a slot. */
function ringOf(b: Baseline, t: DayType, slot: number): number[] {
  return b.rings[TYPE_INDEX[t] * b.slotsPerDay + slot]!;
}

/** `d1`..`d7` (ISO weekday), `h` a public holiday, `w` an adjusted working day. */
export type DayType = (typeof WEEKDAYS)[number] | 'h' | 'w';

export interface LocalSlot {
  slot: number;
  dayType: DayType;
  /** ISO weekday of the date, 1 (Monday) to 7. */
  weekday: number;
  date: string;
}

export function localSlot(blockStartMs: number, cfg: BaselineConfig): LocalSlot {
  const { date, dow, hour, minute } = localClock(blockStartMs, cfg.utcOffsetMinutes);
  const weekday = ((dow + 6) % 7) + 1;
  const slot = Math.floor((hour * 60 + minute) / cfg.blockMinutes) % (DAY_MINUTES / cfg.blockMinutes);
  const dayType: DayType = cfg.holidays.has(date) ? 'h' : cfg.workingDays.has(date) ? 'w' : WEEKDAYS[weekday - 1]!;
  return { slot, dayType, weekday, date };
}

/** How a day type reads in evidence: `Tue`, `holiday`, `adjusted working day`. */
export function dayTypeLabel(t: DayType): string {
  return t === 'h' ? 'holiday' : t === 'w' ? 'adjusted working day' : WEEKDAY_NAMES[Number(t.slice(1)) - 1]!;
}

/**
 * Puts the pending block into its ring once a later block is judged. Every rule sharing
 * the baseline calls this with the block it closed before judging it.
 */
export function settleBaseline(b: Baseline, block: number, cfg: BaselineConfig): void {
  const p = b.pending;
  if (p === null || p.block >= block) return;
  const ring = writableRing(b, p.ring);
  ring.push(p.value);
  // One value a week per weekday; holidays and adjusted working days come in runs, keep more.
  const cap = p.ring >= TYPE_INDEX.h * b.slotsPerDay ? 2 * cfg.weeks : cfg.weeks;
  while (ring.length > cap) ring.shift();
  b.pending = null;
}

/** Learns a closed block (once, whichever sharing rule asks first), unless a rule withheld it. */
export function addToBaseline(b: Baseline, block: number, where: LocalSlot, value: number, cfg: BaselineConfig): void {
  if (b.withheld === block || b.pending?.block === block) return;
  settleBaseline(b, block, cfg);
  const ring = TYPE_INDEX[where.dayType] * b.slotsPerDay + where.slot;
  b.pending = { block, ring, value: Math.round(value * BASELINE_STEPS_PER_KW) / BASELINE_STEPS_PER_KW };
  b.rev++;
}

/** Keeps a closed block out of the baseline for every rule that shares it (a drop being judged). */
export function withholdFromBaseline(b: Baseline, block: number): void {
  if (b.withheld === block) return;
  b.withheld = block;
  if (b.pending?.block === block) b.pending = null;
  b.rev++;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface SlotStats {
  median: number;
  mad: number;
  n: number;
  /** The day types pooled, for the evidence. */
  pool: string;
}

function pooled(b: Baseline, types: readonly DayType[], slot: number): SlotStats | null {
  const values = types.flatMap((t) => ringOf(b, t, slot));
  if (values.length === 0) return null;
  const med = median(values);
  return {
    median: med,
    mad: median(values.map((x) => Math.abs(x - med))),
    n: values.length,
    pool: types.map(dayTypeLabel).join('+'),
  };
}

/** A weekday's daily profile: per slot, the median of its values (undefined where it has none). */
function profile(b: Baseline, t: DayType, slots: number): Array<number | undefined> {
  return Array.from({ length: slots }, (_, k) => {
    const ring = ringOf(b, t, k);
    return ring.length > 0 ? median(ring) : undefined;
  });
}

const isWeekend = (t: DayType) => t === 'd6' || t === 'd7';

/** How much more one hour may differ than the whole day between a weekend day and a working weekday of one day type. */
const HOUR_TOLERANCE_FACTOR = 3;

/** The weekdays whose daily profile agrees with `w`'s within `tolerance` (w included), from the subject's own history. */
function cluster(
  b: Baseline,
  w: DayType,
  cfg: BaselineConfig,
  tolerance = cfg.dayTypeTolerance,
  among: readonly DayType[] = WEEKDAYS,
): DayType[] {
  const slots = DAY_MINUTES / cfg.blockMinutes;
  const mine = profile(b, w, slots);
  const out: DayType[] = [w];
  for (const u of among) {
    if (u === w) continue;
    const theirs = profile(b, u, slots);
    let diff = 0;
    let size = 0;
    let common = 0;
    const known: number[] = [];
    for (let k = 0; k < slots; k++) {
      if (mine[k] === undefined || theirs[k] === undefined) continue;
      common++;
      diff += Math.abs(theirs[k]! - mine[k]!);
      size += Math.abs(mine[k]!);
      known.push(k);
    }
    // Most of the day must be known on both sides before two weekdays are called alike. A
    // weekend day joins a working weekday (or the reverse) only if no hour differs by more
    // than HOUR_TOLERANCE_FACTOR × tolerance of its level (at least the day's mean): a
    // four-hour process run on weekdays only is under a tenth of the day's energy, yet its
    // hours are not a weekend's. Between two working weekdays the day's total decides.
    const level = size / Math.max(1, common);
    const acrossWeekend = isWeekend(w) !== isWeekend(u);
    const hoursAgree =
      !acrossWeekend ||
      known.every(
        (k) =>
          Math.abs(theirs[k]! - mine[k]!) <=
          HOUR_TOLERANCE_FACTOR * tolerance * Math.max(Math.abs(mine[k]!), Math.abs(theirs[k]!), level),
      );
    if (common >= slots * 0.75 && size > 0 && diff / size <= tolerance && hoursAgree) out.push(u);
  }
  return out;
}

/**
 * What a block may be compared with, from the subject's own history: `primary`, the pool
 * of its day type, and `alternatives` for days the calendar makes ambiguous (a holiday or
 * an adjusted working day is also compared with its own weekday). `rest` is the pool of
 * the subject's rest days (its Sundays and the weekdays like them, and holidays), for
 * rules that accept an unlisted day off. `sameDays`: how many days of the block's own
 * kind the subject has shown at this slot (its weekday; for a holiday, its Sundays and
 * past holidays; for an adjusted working day, its working weekdays), for a warm-up.
 */
export function slotCandidates(
  b: Baseline,
  where: LocalSlot,
  cfg: BaselineConfig,
  minHistory: number,
): { primary: SlotStats | null; alternatives: SlotStats[]; rest: SlotStats | null; sameDays: number } {
  const own = WEEKDAYS[where.weekday - 1]!;
  const restTypes: DayType[] = [...cluster(b, 'd7', cfg), 'h'];
  const rest = pooled(b, restTypes, where.slot);
  const count = (types: readonly DayType[]) => types.reduce((n, t) => n + ringOf(b, t, where.slot).length, 0);
  if (where.dayType === 'h') {
    // A public holiday is a rest day: first the subject's own Sundays and past holidays (a
    // continuous plant whose Sundays are like its weekdays still rests on its holidays
    // only as much as on its Sundays); its rest days as it clusters them, and its own
    // weekday, are the alternatives.
    const sundays = pooled(b, ['d7', 'h'], where.slot);
    return {
      primary: sundays ?? rest,
      alternatives: nonNull([rest, pooled(b, cluster(b, own, cfg), where.slot)]),
      rest,
      sameDays: count(['d7', 'h']),
    };
  }
  if (where.dayType === 'w') {
    const working: DayType[] = ['w', 'd1', 'd2', 'd3', 'd4', 'd5'];
    return {
      primary: pooled(b, working, where.slot),
      alternatives: nonNull([pooled(b, cluster(b, own, cfg), where.slot)]),
      rest,
      sameDays: count(working),
    };
  }
  let types = cluster(b, where.dayType, cfg);
  let primary = pooled(b, types, where.slot);
  if ((primary?.n ?? 0) < minHistory) {
    // Too little history of its own type yet: the usual week (Monday–Friday, or the weekend),
    // but only the days of it whose profile is still near (a Saturday shift is not a Sunday).
    const usual = where.weekday <= 5 ? WEEKDAYS.slice(0, 5) : WEEKDAYS.slice(5);
    types = cluster(b, where.dayType, cfg, 2.5 * cfg.dayTypeTolerance, usual);
    primary = pooled(b, types, where.slot);
  }
  return { primary, alternatives: [], rest: types.includes('d7') ? null : rest, sameDays: count([where.dayType]) };
}

/** Whether any stored value of the slot, of any day type, is negative (the subject exported at that hour). */
export function slotExports(b: Baseline, slot: number): boolean {
  return DAY_TYPES.some((t) => ringOf(b, t, slot).some((x) => x < 0));
}

/**
 * The subject's own day-to-day variability at a time of day, as a robust σ (kW). Each
 * day type with at least `minPerType` values at the slot gives the median distance of
 * its values from the median of its other values (leaving the value out measures what
 * the rule meets, a new day against the days before it; a ring's own median would sit
 * on one of three values and halve the spread); σ is 1.4826 × the median over the day
 * types. Taken over all day types it rests on the whole week, not the handful of values
 * one day type holds, so a load that follows the weather (a cold store, cooling, rooftop
 * PV under clouds) shows its real spread before its own type has seen a hot day; the
 * median over types keeps a few weeks spoiled by episodes (up to three weekdays of
 * seven) from widening it.
 */
export function slotSpread(b: Baseline, slot: number, minPerType = 3): { sigma: number; types: number } | null {
  const perType: number[] = [];
  for (const t of DAY_TYPES) {
    const ring = ringOf(b, t, slot);
    if (ring.length < minPerType) continue;
    perType.push(median(ring.map((x, i) => Math.abs(x - median(ring.filter((_, j) => j !== i))))));
  }
  if (perType.length === 0) return null;
  return { sigma: 1.4826 * median(perType), types: perType.length };
}

function nonNull<T>(xs: Array<T | null>): T[] {
  return xs.filter((x): x is T => x !== null);
}

/**
 * Adds a sample to the running 15-minute block; returns the block it closed, if any.
 * Samples older than the open block are dropped (event-time order).
 */
export function addBlockSample(
  acc: BlockAcc | null,
  ts: number,
  value: number,
  volts: number | undefined,
  blockMs: number,
): { acc: BlockAcc; closed: BlockAcc | null } {
  const block = Math.floor(ts / blockMs);
  if (acc && block < acc.block) return { acc, closed: null };
  let closed: BlockAcc | null = null;
  if (!acc || block > acc.block) {
    closed = acc && acc.n > 0 ? acc : null;
    acc = { block, sum: 0, n: 0, vSum: 0, vN: 0 };
  }
  acc.sum += value;
  acc.n++;
  if (volts !== undefined) {
    acc.vSum += volts;
    acc.vN++;
  }
  return { acc, closed };
}

/** Mean phase voltage of a reading, if it has any. */
export function meanVoltage(v: { v_a?: number; v_b?: number; v_c?: number }): number | undefined {
  const xs = [v.v_a, v.v_b, v.v_c].filter((x): x is number => x !== undefined);
  return xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Parses a holiday list setting ("2025-10-01,2025-10-02") into a set, checking each date. */
function parseHolidays(text: string): Set<string> {
  const out = new Set<string>();
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(part) || Number.isNaN(Date.parse(`${part}T00:00:00Z`))) {
      throw new SettingsError('holidays', `"${part}" is not a date as YYYY-MM-DD`);
    }
    out.add(part);
  }
  return out;
}

/**
 * The settings of every detector that keeps a seasonal baseline, spread into its own
 * settings schema (FACTS.md: the same slot over the previous weeks, weekday and weekend apart).
 */
export const BASELINE_SETTINGS = {
  /** Local time for the daily slots (China Standard Time: +480). */
  utcOffsetMinutes: Type.Integer({ default: 480, minimum: -720, maximum: 840 }),
  /**
   * Block and slot length, minutes. An hour: 24 slots a day keep the baseline small
   * enough to save often, and an hour's mean is steady enough to judge.
   */
  blockMinutes: Type.Integer({ default: 60, minimum: 5, maximum: 240 }),
  /** More public holidays, local dates "YYYY-MM-DD,YYYY-MM-DD", on top of the calendar files (a local holiday, a plant's own). */
  holidays: Type.String({ default: '' }),
  /**
   * Working-calendar files of the deployment's own (comma-separated paths, JSON or YAML), on
   * top of cloud/calendars/<year>.json: how a year is added without code (calendar.ts).
   */
  calendarFiles: Type.String({ default: '' }),
  /** FACTS.md: the same slot over the previous N weeks of the same day type. */
  weeks: Type.Integer({ default: 4, minimum: 1, maximum: 12 }),
  /** Values a slot (pooled over its day type) needs before it is judged. */
  minHistory: Type.Integer({ default: 4, minimum: 2 }),
  /**
   * Two weekdays are one day type when their daily profiles (slot medians) differ by at
   * most this share of the day's energy: a Saturday shift at weekday level joins the
   * weekdays; a half-staffed Saturday (about 50 % apart) does not.
   */
  dayTypeTolerance: Type.Number({ default: 0.1, minimum: 0, maximum: 1 }),
};

/** The baseline's configuration from those settings, checked (a SettingsError names the field). */
export function baselineConfig(s: {
  blockMinutes: number;
  utcOffsetMinutes: number;
  holidays: string;
  calendarFiles: string;
  weeks: number;
  dayTypeTolerance: number;
}): BaselineConfig {
  const calendar = readCalendar(s.calendarFiles);
  return {
    blockMinutes: checkBlock(s.blockMinutes),
    utcOffsetMinutes: s.utcOffsetMinutes,
    holidays: new Set([...calendar.holidays, ...parseHolidays(s.holidays)]),
    workingDays: calendar.workingDays,
    weeks: s.weeks,
    dayTypeTolerance: s.dayTypeTolerance,
  };
}

/** The built-in calendar plus the deployment's files; a bad file is a SettingsError naming it and the problem. */
function readCalendar(files: string) {
  const extra = files
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  try {
    return loadWorkingCalendar(extra);
  } catch (error) {
    throw new SettingsError('calendarFiles', error instanceof Error ? error.message : String(error));
  }
}

/** Checks a block length setting: it must divide a day. */
function checkBlock(minutes: number): number {
  if (DAY_MINUTES % minutes !== 0)
    throw new SettingsError('blockMinutes', `${minutes} must divide a day (1440 minutes): use 15, 30, 60, 120, ...`);
  return minutes;
}
