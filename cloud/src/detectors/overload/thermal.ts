/**
 * IEC 60076-7 Annex C thermal model of an oil-immersed transformer, difference form.
 * FACTS.md "Detection: overload and transformer loading (IEC 60076-7)": equations,
 * ONAN distribution-transformer constants and ageing rates.
 *
 * Between two readings the load is held at the earlier value (zero-order hold) and
 * the equations are stepped in at most 1-minute steps (the Δt of the FACTS figures).
 */
export interface ThermalParams {
  x: number;
  y: number;
  k11: number;
  k21: number;
  k22: number;
  /** Oil time constant, minutes. */
  tauOMin: number;
  /** Winding time constant, minutes. */
  tauWMin: number;
  /** Ratio of load losses at rated current to no-load losses. */
  r: number;
  /** Top-oil rise over ambient at rated load, K. */
  dThetaOr: number;
  /** Hot-spot to top-oil gradient at rated load, K. */
  dThetaHr: number;
  paper: 'normal' | 'upgraded';
}

export interface ThermalState {
  /** Event time the state describes (ms). */
  ts: number;
  /** Load, p.u., held since ts. */
  k: number;
  ambientC: number;
  topOilC: number;
  dh1: number;
  dh2: number;
  /** Equivalent ageing accumulated, hours at the rated hot-spot. */
  ageingHours: number;
}

const STEP_MIN = 1;

/** Steady state at load k (FACTS.md: steady-state start). */
export function steadyState(ts: number, k: number, ambientC: number, p: ThermalParams): ThermalState {
  const ky = Math.pow(k, p.y);
  return {
    ts,
    k,
    ambientC,
    topOilC: Math.pow((1 + k * k * p.r) / (1 + p.r), p.x) * p.dThetaOr + ambientC,
    dh1: p.k21 * ky * p.dThetaHr,
    dh2: (p.k21 - 1) * ky * p.dThetaHr,
    ageingHours: 0,
  };
}

export function hotSpotC(s: ThermalState): number {
  return s.topOilC + s.dh1 - s.dh2;
}

/** Relative ageing rate V (FACTS.md: 2^((θh − 98)/6) normal paper; Arrhenius form for upgraded paper). */
export function ageingRate(hotSpot: number, paper: ThermalParams['paper']): number {
  return paper === 'normal' ? Math.pow(2, (hotSpot - 98) / 6) : Math.exp(15000 / 383 - 15000 / (hotSpot + 273));
}

/** One step of Δt minutes at the state's load and ambient. */
function step(s: ThermalState, dtMin: number, p: ThermalParams): void {
  const ky = Math.pow(s.k, p.y);
  const ultimateRise = Math.pow((1 + s.k * s.k * p.r) / (1 + p.r), p.x) * p.dThetaOr;
  const dTheta = (dtMin / (p.k11 * p.tauOMin)) * (ultimateRise - (s.topOilC - s.ambientC));
  const dh1 = (dtMin / (p.k22 * p.tauWMin)) * (p.k21 * p.dThetaHr * ky - s.dh1);
  const dh2 = (dtMin / (p.tauOMin / p.k22)) * ((p.k21 - 1) * p.dThetaHr * ky - s.dh2);
  s.topOilC += dTheta;
  s.dh1 += dh1;
  s.dh2 += dh2;
  s.ageingHours += (ageingRate(hotSpotC(s), p.paper) * dtMin) / 60;
}

/** Moves the state forward to `ts` (ms) at its present load; earlier times are ignored. */
export function advance(s: ThermalState, ts: number, p: ThermalParams): void {
  let remaining = (ts - s.ts) / 60_000;
  if (remaining <= 0) return;
  while (remaining > 1e-9) {
    const dt = Math.min(STEP_MIN, remaining);
    step(s, dt, p);
    remaining -= dt;
  }
  s.ts = ts;
}

/**
 * What the load and ambient will be, minute by minute from the state's time (minute 0 is
 * the first minute after it). Absent: the state's present load or ambient holds. The
 * overload rule holds the load and takes the ambient from its profile; a load forecast
 * can be run through the same model by giving `loadPu`.
 */
export interface ThermalPath {
  loadPu?: (minute: number) => number;
  ambientC?: (minute: number) => number;
}

/**
 * Minutes until the hot-spot or top-oil reaches its limit along the path (by default the
 * present load and ambient held), searched up to `horizonMin`; 0 when already there, null
 * when not within the horizon.
 */
export function minutesToLimit(
  s: ThermalState,
  limits: { hotSpotC: number; topOilC: number },
  p: ThermalParams,
  horizonMin = 24 * 60,
  path: ThermalPath = {},
): number | null {
  if (hotSpotC(s) >= limits.hotSpotC || s.topOilC >= limits.topOilC) return 0;
  const probe: ThermalState = { ...s };
  for (let m = 1; m <= horizonMin; m++) {
    if (path.loadPu) probe.k = path.loadPu(m - 1);
    if (path.ambientC) probe.ambientC = path.ambientC(m - 1);
    step(probe, STEP_MIN, p);
    if (hotSpotC(probe) >= limits.hotSpotC || probe.topOilC >= limits.topOilC) return m;
  }
  return null;
}
