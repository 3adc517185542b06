/**
 * suspected_tamper: field tamper signatures on a meter (FACTS.md "Detection: anomaly and
 * tamper"): current loss on one phase with its voltage present while the others carry
 * load (失流); voltage loss on one phase while it carries current (失压); one phase's
 * power reversed (反接); a sustained, proportional drop against the meter's own baseline
 * with no change in voltage (分流); reverse energy on a customer with no generation; the
 * energy register falling behind ∫P dt (stalled, creeping) or stepping back without a
 * recorded meter replacement. See README.md.
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
  settleBaseline,
  slotCandidates,
  withholdFromBaseline,
  type Baseline,
  type BlockAcc,
} from '../../detector-kit/baseline.js';
import { baselinePart } from '../../detector-kit/baseline-codec.js';
import { initialRegisterState, stepRegister, type RegisterState } from './register.js';
import { reversedPhase, voltageLossPhase } from './wiring.js';
import { tamperSavedForm } from './saved-form.js';

/** FACTS.md "Detection": a robust z-score beyond 3.5 is an outlier (Iglewicz and Hoaglin). */
const OUTLIER_Z = 3.5;
/** The baselines' σ floor as a share of the slot median (consumption_anomaly's sigmaFloorShare default). */
const SIGMA_FLOOR_SHARE = 0.1;
/** The share of its median under which a block is an outlier below it, rounded to a percent. */
function dropRatioOf(outlierZ: number, sigmaShare: number): number {
  return Math.round((1 - outlierZ * sigmaShare) * 100) / 100;
}

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
    // Voltage loss (失压)
    /**
     * A phase under this share of the highest phase voltage while it carries current counts as
     * having lost its voltage: far below any sag the supply standard allows (−10 % under
     * abnormal conditions, FACTS.md GB/T 12325), far above what an open voltage lead leaves.
     */
    voltageLossShare: Type.Number({ default: 0.7, minimum: 0, maximum: 1 }),
    /** Reversed phase (反接): a phase at or below minus this (kW) while the other two are at least this ... */
    reversePhaseKw: Type.Number({ default: 0.5, minimum: 0 }),
    /** ... or this share of the phase's rated power (CT rating × its voltage), whichever is larger. */
    reversePhaseShareOfCt: Type.Number({ default: 0.01, minimum: 0 }),
    /** Voltage loss and a reversed phase must hold this long (one demand period). */
    wiringHoldSeconds: Type.Number({ default: 900, minimum: 0 }),
    // Register against ∫P dt (stalled or creeping register), and register steps back
    /** Hours over which the register's advance is compared with ∫P dt. */
    registerWindowHours: Type.Integer({ default: 6, minimum: 1, maximum: 72 }),
    /**
     * A window is judged only when ∫P dt holds at least this (kWh): a register that shows
     * whole kWh then errs by at most a tenth.
     */
    registerMinKwh: Type.Number({ default: 10, minimum: 0.1 }),
    /** Advance at or below this share of ∫P dt is a mismatch (a sound meter: 1 within a few %). */
    registerLowRatio: Type.Number({ default: 0.8, minimum: 0, maximum: 1 }),
    /** ... which clears once a window is back at or above this share. */
    registerClearRatio: Type.Number({ default: 0.9, minimum: 0, maximum: 1 }),
    /** A step back larger than this (kWh) is a register going backward. */
    backwardKwh: Type.Number({ default: 0.05, minimum: 0 }),
    /** A step waits this long for its meter event to be recorded before it counts. */
    recordGraceSeconds: Type.Number({ default: 7200, minimum: 0 }),
    /** A recorded replacement or reset explains a step within this long of its time. */
    eventMatchSeconds: Type.Number({ default: 21600, minimum: 0 }),
    /** An unexplained step keeps the signature active this long (it is a one-off event). */
    backwardActiveSeconds: Type.Number({ default: 86400, minimum: 60 }),
    // Sustained proportional drop (分流), against the meter's baseline
    ...BASELINE_SETTINGS,
    /**
     * Also accept a weekday that looks like a weekend. Off by default: a shunt taking 40 %
     * looks just like a weekend day; list holidays in `holidays` instead.
     */
    weekendLikeIsNormal: Type.Boolean({ default: false }),
    /**
     * A block at or below this share of its slot median counts as dropped. Derived, not
     * fitted: a block is an outlier below its median when its robust z is under −3.5
     * (FACTS.md, Iglewicz and Hoaglin), and the baselines' σ is at least 10 % of the
     * median (consumption_anomaly's sigmaFloorShare), so 1 − 3.5 × 0.10 = 0.65. Any
     * share above that is inside an ordinary day's spread.
     */
    dropRatio: Type.Number({ default: dropRatioOf(OUTLIER_Z, SIGMA_FLOOR_SHARE), minimum: 0, maximum: 1 }),
    /**
     * Of the blocks in the run, at least this share must be dropped: one noisy hour just
     * above dropRatio does not end a shunt that takes 40 % (its blocks scatter around 0.6).
     */
    dropMinShare: Type.Number({ default: 0.9, minimum: 0.5, maximum: 1 }),
    /** A block above this share of its baseline is back to normal and ends the run. */
    dropResetRatio: Type.Number({ default: 0.8, minimum: 0, maximum: 1 }),
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

type Signature =
  | 'current_loss'
  | 'voltage_loss'
  | 'reversed_phase'
  | 'register_mismatch'
  | 'register_backward'
  | 'proportional_drop'
  | 'reverse_energy';

export interface TamperState {
  loss: ConditionState;
  lossPhase: string | null;
  voltageLoss: ConditionState;
  voltageLossPhase: string | null;
  reversedPhase: ConditionState;
  reversedPhaseName: string | null;
  register: RegisterState;
  registerActive: { mismatch: boolean; backward: boolean };
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
  stateVersion: 4,
  // One baseline per meter, shared with consumption_anomaly (learnt and saved once).
  sharedParts: { baseline: baselinePart<TamperSettings>() },
  savedForm: tamperSavedForm,
  settings: SETTINGS,
  subjectsOfReading: (input) =>
    input.device?.kind === 'meter' ? [{ subject: input.reading.device, kind: 'device' }] : [],
  initialState: (_ref, ctx) => ({
    loss: initialCondition(),
    lossPhase: null,
    voltageLoss: initialCondition(),
    voltageLossPhase: null,
    reversedPhase: initialCondition(),
    reversedPhaseName: null,
    register: initialRegisterState(),
    registerActive: { mismatch: false, backward: false },
    drop: initialCondition(),
    reverse: initialCondition(),
    acc: null,
    baseline: newBaseline(ctx.settings.cfg),
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
    wiring(st, input, ctx);
    const v = input.reading.values;
    st.registerActive = stepRegister(
      st.register,
      ts,
      v.e_imp_kwh,
      v.p_kw,
      ctx.registry.meterEvents(ref.subject),
      ctx.settings,
    );
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

/** 失压 and 反接: judged per reading, held for wiringHoldSeconds. */
function wiring(st: TamperState, input: ReadingInput, ctx: Ctx): void {
  const s = ctx.settings;
  const v = input.reading.values;
  const dev = input.device!;
  const ts = input.reading.ts;
  const lost = voltageLossPhase(v, dev, s);
  if (lost !== null) st.voltageLossPhase = 'abc'[lost]!;
  stepCondition(
    st.voltageLoss,
    { ts, active: lost !== null, cleared: lost === null, severity: 'warning' },
    timing(s, s.wiringHoldSeconds),
  );
  // A customer with generation may export on one phase (a single-phase inverter): not judged.
  const customer = dev.customer ? ctx.registry.customer(dev.customer) : undefined;
  const judged = customer !== undefined && !customer.hasGeneration;
  const reversed = judged ? reversedPhase(v, dev, s) : null;
  if (reversed !== null) st.reversedPhaseName = 'abc'[reversed]!;
  stepCondition(
    st.reversedPhase,
    { ts, active: reversed !== null, cleared: reversed === null, severity: 'warning' },
    timing(s, s.wiringHoldSeconds),
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
  settleBaseline(st.baseline, closed.block, s.cfg);
  const { primary: base, alternatives, rest } = slotCandidates(st.baseline, where, s.cfg, s.minHistory);
  const ts = blockStart + s.cfg.blockMinutes * 60_000;
  const dropping = isOpen(st.drop) || st.ratios.some((r) => r <= s.dropRatio);
  // The baseline does not learn from the drop it is judging (for consumption_anomaly,
  // which shares it, neither); it does learn everything else.
  if (dropping) withholdFromBaseline(st.baseline, closed.block);
  else addToBaseline(st.baseline, closed.block, where, x, s.cfg);
  if (!base || base.n < s.minHistory || base.median < s.dropMinBaseKw) return;
  let ratio = x / base.median;
  // A day the calendar makes ambiguous is also compared with its own weekday (and, with
  // weekendLikeIsNormal, a working day with the rest days): the ratio nearer 1 counts.
  for (const other of [...alternatives, ...(s.weekendLikeIsNormal && rest ? [rest] : [])])
    if (other.n >= 2 && other.median > 0 && Math.abs(x / other.median - 1) < Math.abs(ratio - 1))
      ratio = x / other.median;
  const dropBlocks = Math.max(2, Math.round((s.dropHours * 60) / s.cfg.blockMinutes));
  const voltageSteady =
    volts === null ||
    st.voltageAvg === null ||
    Math.abs(volts - st.voltageAvg) / st.voltageAvg <= s.voltageSteadyPct / 100;
  // A block clearly back to normal (or a voltage change) ends the run; a noisy block just
  // above dropRatio does not, as long as nearly all of the run is at or below it.
  if (voltageSteady && ratio <= s.dropResetRatio && (ratio <= s.dropRatio || st.ratios.length > 0)) {
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
  const droppedShare = st.ratios.filter((r) => r <= s.dropRatio).length / Math.max(1, st.ratios.length);
  if (st.ratios.length >= dropBlocks && droppedShare >= s.dropMinShare) {
    const mean = st.ratios.reduce((a, b) => a + b, 0) / st.ratios.length;
    const sd = Math.sqrt(st.ratios.reduce((a, b) => a + (b - mean) ** 2, 0) / st.ratios.length);
    active = mean > 0 && sd / mean <= s.dropMaxCv;
    st.lastDrop = { ratio: round(mean, 3), blockKw: round(x), baselineKw: round(base.median) };
  }
  const cleared = st.ratios.length === 0 || droppedShare < s.dropMinShare;
  stepCondition(st.drop, { ts, active, cleared, severity: 'warning' }, timing(s, 0));
}

/** One alert per meter: open while any signature holds, resolved once none does. */
function combine(st: TamperState, ts: number, subject: string, input: ReadingInput, ctx: Ctx): DetectorOutput[] {
  const s = ctx.settings;
  const active: Signature[] = [];
  if (isOpen(st.loss)) active.push('current_loss');
  if (isOpen(st.voltageLoss)) active.push('voltage_loss');
  if (isOpen(st.reversedPhase)) active.push('reversed_phase');
  if (st.registerActive.mismatch) active.push('register_mismatch');
  if (st.registerActive.backward) active.push('register_backward');
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
    ...(active.includes('voltage_loss')
      ? {
          voltageLossPhase: st.voltageLossPhase,
          voltagesV: [input.reading.values.v_a, input.reading.values.v_b, input.reading.values.v_c].map((x) =>
            x === undefined ? null : round(x, 1),
          ),
        }
      : {}),
    ...(active.includes('reversed_phase')
      ? {
          reversedPhase: st.reversedPhaseName,
          phasePowersKw: [input.reading.values.p_a_kw, input.reading.values.p_b_kw, input.reading.values.p_c_kw].map(
            (x) => (x === undefined ? null : round(x, 2)),
          ),
        }
      : {}),
    ...(active.includes('register_mismatch') ? { register: st.register.mismatch } : {}),
    ...(active.includes('register_backward') ? { registerStep: st.register.backward } : {}),
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
