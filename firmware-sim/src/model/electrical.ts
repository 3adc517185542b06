/**
 * Three-phase arithmetic: from per-phase voltage, apparent power and power factor to
 * every quantity a meter reports, so that P, Q, S, PF, currents and voltages agree.
 */
import type { Quantity } from '@gridsafe/shared';

export interface PhaseInput {
  /** Phase-to-neutral voltage, V. */
  volts: number;
  /** Apparent power drawn on the phase, kVA. */
  kva: number;
  /** Power factor (lagging positive). */
  pf: number;
  /** The meter sees no current on this phase (bypass): the load is there, the meter does not see it. */
  bypassed: boolean;
}

/** Quantities a meter computes at one instant, primary side (energy is added by the integrator). */
export type InstantValues = Partial<Record<Quantity, number>>;

/** Per-phase figures that profiles may serve as settings (q_a, pf_a, ...), primary side. */
export interface PhaseExtras {
  q_a: number;
  q_b: number;
  q_c: number;
  s_a: number;
  s_b: number;
  s_c: number;
  pf_a: number;
  pf_b: number;
  pf_c: number;
}

const ANGLES = [0, (-2 * Math.PI) / 3, (2 * Math.PI) / 3] as const;

/** Line-to-line magnitude of two phase voltages 120° apart: √(Va² + Vb² + Va·Vb) (= √3·V when equal). */
export function lineVoltage(va: number, vb: number): number {
  return Math.sqrt(va * va + vb * vb + va * vb);
}

export function computeThreePhase(
  phases: readonly [PhaseInput, PhaseInput, PhaseInput],
  frequencyHz: number,
): { values: InstantValues; extras: PhaseExtras } {
  const v: number[] = [];
  const i: number[] = [];
  const p: number[] = [];
  const q: number[] = [];
  const s: number[] = [];
  const pf: number[] = [];
  let inRe = 0;
  let inIm = 0;
  phases.forEach((ph, k) => {
    const kva = ph.bypassed ? 0 : ph.kva;
    const phi = Math.acos(Math.min(1, Math.max(-1, ph.pf)));
    const amps = ph.volts > 0 ? (kva * 1000) / ph.volts : 0;
    v.push(ph.volts);
    i.push(amps);
    s.push(kva);
    p.push(kva * ph.pf);
    q.push(kva * Math.sin(phi));
    // A phase with no current shows the meter's idle power factor of 1.
    pf.push(kva > 0 ? ph.pf : 1);
    // Current phasor lags its voltage by φ.
    inRe += amps * Math.cos(ANGLES[k]! - phi);
    inIm += amps * Math.sin(ANGLES[k]! - phi);
  });
  const pTotal = p[0]! + p[1]! + p[2]!;
  const qTotal = q[0]! + q[1]! + q[2]!;
  // Arithmetic apparent power (the sum of the phases), so PF = P / S holds exactly.
  const sTotal = s[0]! + s[1]! + s[2]!;
  return {
    values: {
      v_a: v[0]!,
      v_b: v[1]!,
      v_c: v[2]!,
      v_ab: lineVoltage(v[0]!, v[1]!),
      v_bc: lineVoltage(v[1]!, v[2]!),
      v_ca: lineVoltage(v[2]!, v[0]!),
      i_a: i[0]!,
      i_b: i[1]!,
      i_c: i[2]!,
      i_n: Math.hypot(inRe, inIm),
      p_kw: pTotal,
      p_a_kw: p[0]!,
      p_b_kw: p[1]!,
      p_c_kw: p[2]!,
      q_kvar: qTotal,
      s_kva: sTotal,
      pf: sTotal > 0 ? pTotal / sTotal : 1,
      f_hz: frequencyHz,
    },
    extras: {
      q_a: q[0]!,
      q_b: q[1]!,
      q_c: q[2]!,
      s_a: s[0]!,
      s_b: s[1]!,
      s_c: s[2]!,
      pf_a: pf[0]!,
      pf_b: pf[1]!,
      pf_c: pf[2]!,
    },
  };
}
