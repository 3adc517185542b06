/**
 * Wiring tamper signatures of suspected_tamper (issue 11, FACTS.md "Detection: anomaly
 * and tamper"), judged on one reading; suspected_tamper holds each for its hold time.
 *
 * - `voltage_loss` (失压): one phase's voltage far below the others while that phase
 *   still carries current: its voltage lead is open, so the meter counts (almost) no
 *   energy on it. A phase lost upstream takes its current with it and is not this.
 * - `reversed_phase` (反接): one phase's active power clearly negative while the other two
 *   are clearly positive, on a customer without generation: that phase's CT (or its
 *   leads) is reversed, and the meter subtracts what it should add.
 */
import type { Device, ReadingValues } from '@gridsafe/shared';

export interface WiringSettings {
  voltageLossShare: number;
  loadShareOfCt: number;
  reversePhaseKw: number;
  reversePhaseShareOfCt: number;
}

/** The phase (0–2) that has lost its voltage while carrying current, or null. */
export function voltageLossPhase(v: ReadingValues, dev: Device, s: WiringSettings): number | null {
  const u = [v.v_a, v.v_b, v.v_c];
  const i = [v.i_a, v.i_b, v.i_c];
  if (u.some((x) => x === undefined) || i.some((x) => x === undefined)) return null;
  const ratedA = dev.ctRatio * dev.ctSecondaryA;
  const vMax = Math.max(...(u as number[]));
  if (vMax <= 0) return null;
  const lost = [0, 1, 2].filter((k) => u[k]! < s.voltageLossShare * vMax && i[k]! >= s.loadShareOfCt * ratedA);
  // Two phases without voltage leave nothing to compare with: a supply matter, not this signature.
  return lost.length === 1 ? lost[0]! : null;
}

/** The phase (0–2) whose power is reversed while the other two import, or null. */
export function reversedPhase(v: ReadingValues, dev: Device, s: WiringSettings): number | null {
  const p = [v.p_a_kw, v.p_b_kw, v.p_c_kw];
  const u = [v.v_a, v.v_b, v.v_c];
  if (p.some((x) => x === undefined)) return null;
  // A clear flow: the larger of a fixed floor and a share of the phase's rated power (CT rating × its voltage).
  const floor = (k: number) =>
    Math.max(s.reversePhaseKw, (s.reversePhaseShareOfCt * dev.ctRatio * dev.ctSecondaryA * (u[k] ?? 220)) / 1000);
  const negative = [0, 1, 2].filter((k) => p[k]! <= -floor(k));
  const positive = [0, 1, 2].filter((k) => p[k]! >= floor(k));
  return negative.length === 1 && positive.length === 2 ? negative[0]! : null;
}
