/**
 * suspected_tamper: field tamper signatures on a meter (FACTS.md "Detection: anomaly and
 * tamper"): current loss on one phase with its voltage present while the others carry
 * load (失流); a sustained, proportional drop against the meter's own baseline with
 * no change in voltage (分流); reverse energy on a customer with no generation. See README.md.
 */
import type { Severity } from '@gridsafe/shared';
import type { Detector, DetectorContext, DetectorOutput, ReadingInput } from '../../detector-kit/detector.js';
import {
  initialCondition,
  isOpen,
  stepCondition,
  type ConditionState,
  type ConditionTiming,
} from '../../detector-kit/condition.js';
import { apparentKva, round } from '../../detector-kit/measures.js';
import { Type } from '@gridsafe/shared';
import { defineSettings, type SettingsOf } from '../../detector-kit/settings.js';
import {
  BASELINE_SETTINGS,
  addBlockSample,
  addToBaseline,
  localSlot,
  meanVoltage,
  baselineConfig,
  newBaseline,
  slotStats,
  type Baseline,
  type BlockAcc,
} from '../../detector-kit/baseline.js';

const SETTINGS = defineSettings(
  {
    // Current loss (失流)
    /** A phase below this share of the CT's rated primary current counts as carrying none ... */
    lossShareOfCt: Type.Number({ default: 0.005, minimum: 0 }),
    /** ... while the other phases each carry at least this share of it ... */
    loadShareOfCt: Type.Number({ default: 0.03, minimum: 0 }),
    /** ... and its voltage is at least this share of the highest phase voltage (voltage present). */
    voltagePresentShare: Type.Number({ default: 0.8, minimum: 0, maximum: 1 }),
    /** Sustained this long (one demand period): a single-phase load switching off for a while is not tamper. */
    lossHoldSeconds: Type.Number({ default: 900, minimum: 0 }),
    // Sustained proportional drop (分流), against the meter's baseline
    ...BASELINE_SETTINGS,
    /**
     * Also accept a weekday that looks like a weekend. Off by default: a shunt taking 40 %
     * looks just like a weekend day; list holidays in `holidays` instead.
     */
    weekendLikeIsNormal: Type.Boolean({ default: false }),
    /** A block at or below this share of its slot median counts as dropped. */
    dropRatio: Type.Number({ default: 0.65, minimum: 0, maximum: 1 }),
    /**
     * Hours in a row that must be dropped: 30, more than a whole day, so the drop covers
     * every part of the daily shape alike (a change in how the site works, such as a shift
     * dropped, leaves some slots at their usual level and never gets there), and one
     * unlisted holiday (a calendar day) cannot make it alone.
     */
    dropHours: Type.Number({ default: 30, minimum: 1 }),
    /** ... by a steady factor (coefficient of variation of the ratios at most this): the whole load shrinks alike. */
    dropMaxCv: Type.Number({ default: 0.2, minimum: 0 }),
    /** ... with the mean voltage within this many percent of its usual level. */
    voltageSteadyPct: Type.Number({ default: 3, minimum: 0 }),
    /** Slots whose median is under this (kW) are too small to judge a drop by. */
    dropMinBaseKw: Type.Number({ default: 2, minimum: 0 }),
    // Reverse energy (潮流反向)
    /** Export above this (kW) on a customer without generation counts as reverse ... */
    reverseKw: Type.Number({ default: 0.5, minimum: 0 }),
    /** ... sustained this long. */
    reverseHoldSeconds: Type.Number({ default: 600, minimum: 0 }),
    // Shared
    clearSeconds: Type.Number({ default: 3600, minimum: 0 }),
    refreshSeconds: Type.Number({ default: 3600, minimum: 1 }),
    maxGapSeconds: Type.Number({ default: 900, minimum: 1 }),
  },
  (s) => ({ ...s, cfg: baselineConfig(s) }),
);
export type TamperSettings = SettingsOf<typeof SETTINGS>;

type Signature = 'current_loss' | 'proportional_drop' | 'reverse_energy';

export interface TamperState {
  loss: ConditionState;
  lossPhase: string | null;
  drop: ConditionState;
  reverse: ConditionState;
  acc: BlockAcc | null;
  baseline: Baseline;
  /** Ratios of the recent dropped blocks, newest last (reset by a block that is not dropped). */
  ratios: number[];
  /** Slow average of the block mean voltage, outside drops. */
  voltageAvg: number | null;
  lastDrop: { ratio: number; blockKw: number; baselineKw: number } | null;
  lastReverse: { pKw: number } | null;
  open: boolean;
  openedAt: number;
  severity: Severity | null;
  lastRaisedAt: number;
}

type Ctx = DetectorContext<TamperSettings>;

function timing(s: TamperSettings, holdSeconds: number): ConditionTiming {
  return {
    raiseAfterMs: holdSeconds * 1000,
    clearAfterMs: s.clearSeconds * 1000,
    refreshMs: Number.POSITIVE_INFINITY,
    maxGapMs: s.maxGapSeconds * 1000,
  };
}

export const suspectedTamper: Detector<TamperSettings, TamperState> = {
  name: 'suspected_tamper',
  stateVersion: 2,
  coldParts: ['baseline'],
  settings: SETTINGS,
  subjectsOfReading: (input) =>
    input.device?.kind === 'meter' ? [{ subject: input.reading.device, kind: 'device' }] : [],
  initialState: () => ({
    loss: initialCondition(),
    lossPhase: null,
    drop: initialCondition(),
    reverse: initialCondition(),
    acc: null,
    baseline: newBaseline(),
    ratios: [],
    voltageAvg: null,
    lastDrop: null,
    lastReverse: null,
    open: false,
    openedAt: 0,
    severity: null,
    lastRaisedAt: 0,
  }),
  onReading(st, input, ref, ctx) {
    const ts = input.reading.ts;
    currentLoss(st, input, ctx);
    reverseEnergy(st, input, ctx);
    proportionalDrop(st, input, ctx);
    return combine(st, ts, ref.subject, input, ctx);
  },
};

function currentLoss(st: TamperState, input: ReadingInput, ctx: Ctx): void {
  const s = ctx.settings;
  const v = input.reading.values;
  const dev = input.device!;
  const i = [v.i_a, v.i_b, v.i_c];
  const u = [v.v_a, v.v_b, v.v_c];
  if (i.some((x) => x === undefined) || u.some((x) => x === undefined)) return;
  const ratedA = dev.ctRatio * dev.ctSecondaryA;
  const vMax = Math.max(...(u as number[]));
  let phase: number | null = null;
  for (let k = 0; k < 3; k++) {
    const others = [0, 1, 2].filter((j) => j !== k);
    if (
      i[k]! < s.lossShareOfCt * ratedA &&
      u[k]! >= s.voltagePresentShare * vMax &&
      others.every((j) => i[j]! >= s.loadShareOfCt * ratedA)
    )
      phase = k;
  }
  const active = phase !== null;
  if (active) st.lossPhase = 'abc'[phase!]!;
  stepCondition(
    st.loss,
    { ts: input.reading.ts, active, cleared: !active, severity: 'warning' },
    timing(s, s.lossHoldSeconds),
  );
}

function reverseEnergy(st: TamperState, input: ReadingInput, ctx: Ctx): void {
  const s = ctx.settings;
  const customerId = input.device?.customer;
  if (!customerId) return;
  const customer = ctx.registry.customer(customerId);
  if (!customer || customer.hasGeneration) return;
  const p = input.reading.values.p_kw;
  if (p === undefined) return;
  const active = p <= -s.reverseKw;
  if (active) st.lastReverse = { pKw: round(p) };
  stepCondition(
    st.reverse,
    { ts: input.reading.ts, active, cleared: !active, severity: 'warning' },
    timing(s, s.reverseHoldSeconds),
  );
}

function proportionalDrop(st: TamperState, input: ReadingInput, ctx: Ctx): void {
  const s = ctx.settings;
  const v = input.reading.values;
  const kw = v.p_kw ?? apparentKva(v);
  if (kw === undefined) return;
  const { acc, closed } = addBlockSample(st.acc, input.reading.ts, kw, meanVoltage(v), s.cfg.blockMinutes * 60_000);
  st.acc = acc;
  if (!closed || closed.n < 3) return;
  const x = closed.sum / closed.n;
  const volts = closed.vN > 0 ? closed.vSum / closed.vN : null;
  const blockStart = closed.block * s.cfg.blockMinutes * 60_000;
  const where = localSlot(blockStart, s.cfg);
  const base = slotStats(st.baseline, where.dayType, where.slot);
  const ts = blockStart + s.cfg.blockMinutes * 60_000;
  const dropping = isOpen(st.drop) || st.ratios.length > 0;
  // The baseline does not learn from the drop it is judging; it does learn everything else.
  if (!dropping) addToBaseline(st.baseline, where, x, s.cfg);
  if (!base || base.n < s.minHistory || base.median < s.dropMinBaseKw) return;
  let ratio = x / base.median;
  if (where.dayType === 'wd' && s.weekendLikeIsNormal) {
    const we = slotStats(st.baseline, 'we', where.slot);
    if (we && we.n >= 2 && we.median > 0 && Math.abs(x / we.median - 1) < Math.abs(ratio - 1)) ratio = x / we.median;
  }
  const dropBlocks = Math.max(2, Math.round((s.dropHours * 60) / s.cfg.blockMinutes));
  const voltageSteady =
    volts === null ||
    st.voltageAvg === null ||
    Math.abs(volts - st.voltageAvg) / st.voltageAvg <= s.voltageSteadyPct / 100;
  if (ratio <= s.dropRatio && voltageSteady) {
    st.ratios.push(ratio);
    if (st.ratios.length > dropBlocks) st.ratios.shift();
  } else {
    st.ratios = [];
  }
  // The usual voltage is learned only while consumption is normal, so a drop that comes
  // with a voltage change never makes that change look usual.
  if (ratio > s.dropRatio && volts !== null)
    st.voltageAvg = st.voltageAvg === null ? volts : st.voltageAvg + 0.05 * (volts - st.voltageAvg);
  let active = false;
  if (st.ratios.length >= dropBlocks) {
    const mean = st.ratios.reduce((a, b) => a + b, 0) / st.ratios.length;
    const sd = Math.sqrt(st.ratios.reduce((a, b) => a + (b - mean) ** 2, 0) / st.ratios.length);
    active = mean > 0 && sd / mean <= s.dropMaxCv;
    st.lastDrop = { ratio: round(mean, 3), blockKw: round(x), baselineKw: round(base.median) };
  }
  stepCondition(st.drop, { ts, active, cleared: st.ratios.length === 0, severity: 'warning' }, timing(s, 0));
}

/** One alert per meter: open while any signature holds, resolved once none does. */
function combine(st: TamperState, ts: number, subject: string, input: ReadingInput, ctx: Ctx): DetectorOutput[] {
  const s = ctx.settings;
  const active: Signature[] = [];
  if (isOpen(st.loss)) active.push('current_loss');
  if (isOpen(st.drop)) active.push('proportional_drop');
  if (isOpen(st.reverse)) active.push('reverse_energy');
  const evidence = () => ({
    signatures: active,
    since: st.openedAt,
    ...(active.includes('current_loss')
      ? {
          currentLossPhase: st.lossPhase,
          currentsA: [input.reading.values.i_a, input.reading.values.i_b, input.reading.values.i_c].map((x) =>
            x === undefined ? null : round(x, 2),
          ),
        }
      : {}),
    ...(active.includes('proportional_drop') ? { drop: st.lastDrop } : {}),
    ...(active.includes('reverse_energy') ? { reverse: st.lastReverse, customer: input.device?.customer ?? null } : {}),
  });
  if (active.length > 0) {
    const severity: Severity = active.length > 1 ? 'critical' : 'warning';
    const rose = st.severity === 'warning' && severity === 'critical';
    if (!st.open || rose || ts - st.lastRaisedAt >= s.refreshSeconds * 1000) {
      if (!st.open) st.openedAt = ts;
      st.open = true;
      st.severity = rose || st.severity === null ? severity : st.severity;
      st.lastRaisedAt = ts;
      return [
        {
          kind: 'raise',
          signal: { type: 'suspected_tamper', subject, subjectKind: 'device', severity, ts, evidence: evidence() },
        },
      ];
    }
    return [];
  }
  if (st.open) {
    st.open = false;
    st.severity = null;
    return [{ kind: 'clear', type: 'suspected_tamper', subject, ts, evidence: { signatures: [] } }];
  }
  return [];
}
