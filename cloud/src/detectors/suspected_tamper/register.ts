/**
 * Register tamper signatures of suspected_tamper (issue 11): the import energy register
 * compared with the meter's own power integrated over time.
 *
 * - `register_mismatch`: over a window of hours, the register's advance is well below
 *   ∫P dt of the import power the same meter reports (stalled register: ~0; creeping
 *   register, tampered pulse or firmware: a fraction). Physics, not a fitted threshold: a
 *   sound meter's register is ∫P dt to within its accuracy class (1–2 %) and the
 *   1-minute sampling of P (a few %); the default limit of 0.8 leaves a wide margin, and a
 *   window must hold enough energy that the register's resolution cannot decide.
 * - `register_backward`: the register steps back (or resets) with no recorded meter
 *   replacement or register reset (`RegistryView.meterEvents`) near that time. A step
 *   waits `recordGraceSeconds` for the technician's record before it counts.
 *
 * A gap in the readings restarts the window (the register moved while we did not see P);
 * a recorded event restarts it too.
 */
import type { MeterEvent } from '../../detector-kit/types.js';
import { round } from '../../detector-kit/measures.js';

export interface RegisterSettings {
  registerWindowHours: number;
  registerMinKwh: number;
  registerLowRatio: number;
  registerClearRatio: number;
  backwardKwh: number;
  recordGraceSeconds: number;
  eventMatchSeconds: number;
  backwardActiveSeconds: number;
  maxGapSeconds: number;
}

interface HourBucket {
  hour: number;
  /** Register advance in this hour, kWh. */
  registerKwh: number;
  /** ∫ max(P, 0) dt in this hour, kWh. */
  powerKwh: number;
}

export interface RegisterState {
  lastTs: number | null;
  lastKwh: number | null;
  lastP: number | null;
  buckets: HourBucket[];
  /** A step back not (yet) explained by a recorded event. */
  pendingStep: { ts: number; fromKwh: number; toKwh: number } | null;
  /** The last unexplained step, and until when it keeps the signature active. */
  backward: { ts: number; fromKwh: number; toKwh: number; until: number } | null;
  /** The latest window judged: ratio of register advance to ∫P dt. */
  mismatch: { ratio: number; registerKwh: number; powerKwh: number; hours: number; active: boolean } | null;
}

export function initialRegisterState(): RegisterState {
  return { lastTs: null, lastKwh: null, lastP: null, buckets: [], pendingStep: null, backward: null, mismatch: null };
}

const HOUR_MS = 3_600_000;

function explained(events: readonly MeterEvent[], from: number, to: number, slackMs: number): boolean {
  return events.some((e) => e.at >= from - slackMs && e.at <= to + slackMs);
}

/** Advances the register rules by one reading; returns whether each signature holds now. */
export function stepRegister(
  st: RegisterState,
  ts: number,
  registerKwh: number | undefined,
  pKw: number | undefined,
  events: readonly MeterEvent[],
  s: RegisterSettings,
): { mismatch: boolean; backward: boolean } {
  const slack = s.eventMatchSeconds * 1000;
  if (st.pendingStep) {
    if (explained(events, st.pendingStep.ts - slack, st.pendingStep.ts, slack)) st.pendingStep = null;
    else if (ts - st.pendingStep.ts >= s.recordGraceSeconds * 1000) {
      st.backward = { ...st.pendingStep, until: st.pendingStep.ts + s.backwardActiveSeconds * 1000 };
      st.pendingStep = null;
    }
  }
  if (registerKwh !== undefined && pKw !== undefined && (st.lastTs === null || ts > st.lastTs)) {
    const prevTs = st.lastTs;
    const step = st.lastKwh === null ? 0 : registerKwh - st.lastKwh;
    const gap = prevTs === null || ts - prevTs > s.maxGapSeconds * 1000;
    const recorded = prevTs !== null && explained(events, prevTs, ts, slack);
    if (step < -s.backwardKwh && !recorded)
      st.pendingStep = { ts, fromKwh: round(st.lastKwh!, 2), toKwh: round(registerKwh, 2) };
    if (gap || recorded || step < -s.backwardKwh) st.buckets = [];
    else {
      const hour = Math.floor(ts / HOUR_MS);
      let bucket = st.buckets[st.buckets.length - 1];
      if (!bucket || bucket.hour !== hour) {
        bucket = { hour, registerKwh: 0, powerKwh: 0 };
        st.buckets.push(bucket);
        judgeWindow(st, hour, s);
      }
      bucket.registerKwh += step;
      bucket.powerKwh += (Math.max(0, (st.lastP! + pKw) / 2) * (ts - prevTs!)) / HOUR_MS;
    }
    st.lastTs = ts;
    st.lastKwh = registerKwh;
    st.lastP = pKw;
  }
  const backward = st.backward !== null && ts < st.backward.until;
  return { mismatch: st.mismatch?.active === true, backward };
}

/** Judges the full hours before `hour` once they cover the window; keeps the verdict (with hysteresis) until the next. */
function judgeWindow(st: RegisterState, hour: number, s: RegisterSettings): void {
  st.buckets = st.buckets.filter((b) => b.hour >= hour - s.registerWindowHours);
  const full = st.buckets.filter((b) => b.hour < hour);
  if (full.length < s.registerWindowHours || full[0]!.hour !== hour - s.registerWindowHours) return;
  const registerKwh = full.reduce((a, b) => a + b.registerKwh, 0);
  const powerKwh = full.reduce((a, b) => a + b.powerKwh, 0);
  if (powerKwh < s.registerMinKwh) return;
  const ratio = registerKwh / powerKwh;
  const wasActive = st.mismatch?.active === true;
  const active = wasActive ? ratio < s.registerClearRatio : ratio <= s.registerLowRatio;
  st.mismatch = {
    ratio: round(ratio, 3),
    registerKwh: round(registerKwh, 2),
    powerKwh: round(powerKwh, 2),
    hours: s.registerWindowHours,
    active,
  };
}
