/**
 * Supply voltage classes and their deviation limits. FACTS.md "Detection: electrical
 * safety": GB/T 12325-2008 and 供电营业规则 (1996) Art. 54.
 */
export interface VoltageClass {
  name: string;
  /** Nominal phase-to-neutral voltage, V. */
  nominalV: number;
  /** Allowed deviation, % of nominal (upper positive, lower negative). */
  upperPct: number;
  lowerPct: number;
}

const SQRT3 = Math.sqrt(3);

/**
 * Limits per class. 20 kV and below three-phase: ±7 %; 220 V single-phase: +7 % / −10 %;
 * 35 kV and above: |+dev| + |−dev| ≤ 10 %, split evenly here as ±5 % (configurable).
 */
export function classFor(nominalLineV: number, singlePhase: boolean, highSplitUpperPct: number): VoltageClass {
  // 380 V systems are 220 V phase-to-neutral by definition (380/√3 rounds to it).
  const nominalV = nominalLineV === 380 ? 220 : nominalLineV / SQRT3;
  if (singlePhase && nominalLineV <= 1000)
    return { name: '220 V single-phase', nominalV: 220, upperPct: 7, lowerPct: -10 };
  if (nominalLineV < 35_000)
    return { name: `${fmt(nominalLineV)} three-phase (≤ 20 kV)`, nominalV, upperPct: 7, lowerPct: -7 };
  return {
    name: `${fmt(nominalLineV)} (≥ 35 kV)`,
    nominalV,
    upperPct: highSplitUpperPct,
    lowerPct: -(10 - highSplitUpperPct),
  };
}

function fmt(v: number): string {
  return v >= 1000 ? `${v / 1000} kV` : `${v} V`;
}

/** Chinese standard nominal line-to-line voltages (V): 0.38, 10, 20, 35, 66, 110 kV. */
export const NOMINAL_LINE_VOLTAGES = [380, 10_000, 20_000, 35_000, 66_000, 110_000];

/**
 * The nominal line voltage nearest (on a log scale) to a measured phase voltage. The
 * classes are at least 2× apart, so even a 10 % deviation cannot pick the wrong one.
 */
export function inferNominalLineV(phaseV: number): number {
  const line = phaseV * SQRT3;
  let best = NOMINAL_LINE_VOLTAGES[0]!;
  for (const n of NOMINAL_LINE_VOLTAGES) if (Math.abs(Math.log(line / n)) < Math.abs(Math.log(line / best))) best = n;
  return best;
}
