/**
 * A seasonal baseline per subject: block means (an hour by default), kept per time-of-day slot,
 * weekdays and weekends (and configured holidays) apart, over recent weeks; compared
 * with median and MAD. FACTS.md "Detection: anomaly and tamper": seasonal baseline,
 * robust z-score (Iglewicz and Hoaglin). Plain JSON state.
 */
import { Type } from '@gridsafe/shared';
import { SettingsError } from './settings.js';

const DAY_MINUTES = 1440;

export interface BaselineConfig {
  /** Length of a block (and of a time-of-day slot), minutes; divides a day. */
  blockMinutes: number;
  /** Offset of local time from UTC, minutes (China: +480). */
  utcOffsetMinutes: number;
  /** Local dates (YYYY-MM-DD) treated as weekend days. */
  holidays: ReadonlySet<string>;
  /** Weeks of history per slot. */
  weeks: number;
}

export interface Baseline {
  /** `${dayType}${slot}` → recent block means, oldest first. */
  slots: Record<string, number[]>;
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

export function newBaseline(): Baseline {
  return { slots: {}, rev: 0 };
}

export interface LocalSlot {
  slot: number;
  dayType: 'wd' | 'we';
  date: string;
}

export function localSlot(blockStartMs: number, cfg: BaselineConfig): LocalSlot {
  const local = new Date(blockStartMs + cfg.utcOffsetMinutes * 60_000);
  const date = local.toISOString().slice(0, 10);
  const dow = local.getUTCDay();
  const slot =
    Math.floor((local.getUTCHours() * 60 + local.getUTCMinutes()) / cfg.blockMinutes) %
    (DAY_MINUTES / cfg.blockMinutes);
  const weekend = dow === 0 || dow === 6 || cfg.holidays.has(date);
  return { slot, dayType: weekend ? 'we' : 'wd', date };
}

function capacity(dayType: 'wd' | 'we', weeks: number): number {
  return (dayType === 'wd' ? 5 : 2) * weeks;
}

export function addToBaseline(b: Baseline, where: LocalSlot, value: number, cfg: BaselineConfig): void {
  const key = `${where.dayType}${where.slot}`;
  const ring = (b.slots[key] ??= []);
  ring.push(Math.round(value * 1000) / 1000);
  b.rev++;
  const cap = capacity(where.dayType, cfg.weeks);
  while (ring.length > cap) ring.shift();
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
}

export function slotStats(b: Baseline, dayType: 'wd' | 'we', slot: number): SlotStats | null {
  const ring = b.slots[`${dayType}${slot}`];
  if (!ring || ring.length === 0) return null;
  const med = median(ring);
  return { median: med, mad: median(ring.map((x) => Math.abs(x - med))), n: ring.length };
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
  /** Public holidays, local dates "YYYY-MM-DD,YYYY-MM-DD": compared with the weekend baseline. */
  holidays: Type.String({ default: '' }),
  /** FACTS.md: the same slot over the previous N weeks, weekday and weekend apart. */
  weeks: Type.Integer({ default: 4, minimum: 1, maximum: 12 }),
  /** Values a slot needs before it is judged. */
  minHistory: Type.Integer({ default: 4, minimum: 2 }),
};

/** The baseline's configuration from those settings, checked (a SettingsError names the field). */
export function baselineConfig(s: {
  blockMinutes: number;
  utcOffsetMinutes: number;
  holidays: string;
  weeks: number;
}): BaselineConfig {
  return {
    blockMinutes: checkBlock(s.blockMinutes),
    utcOffsetMinutes: s.utcOffsetMinutes,
    holidays: parseHolidays(s.holidays),
    weeks: s.weeks,
  };
}

/** Checks a block length setting: it must divide a day. */
function checkBlock(minutes: number): number {
  if (DAY_MINUTES % minutes !== 0)
    throw new SettingsError('blockMinutes', `${minutes} must divide a day (1440 minutes): use 15, 30, 60, 120, ...`);
  return minutes;
}
