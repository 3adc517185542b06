/** Settings of the overload detector, with their defaults and where each comes from. */
import { SettingsError, readSettings, type SettingsOf } from '../../detector-kit/settings.js';

/** FACTS.md IEC 60076-7 table: limits of each loading mode (top-oil °C, hot-spot °C, current p.u.). */
export const LOADING_MODES = {
  normal: { topOilC: 105, hotSpotC: 120, currentPu: 1.5 },
  long_emergency: { topOilC: 115, hotSpotC: 140, currentPu: 1.8 },
  // FACTS.md: 2.0 p.u. is unconfirmed for distribution transformers; configurable through loadingMode.
  short_emergency: { topOilC: 115, hotSpotC: 160, currentPu: 2.0 },
} as const;

export const OVERLOAD_SCHEMA = {
  /**
   * Load above rating must last this long (event time) before the alert opens. 300 s:
   * beyond any motor start, and longer than the winding time constant τw = 4 min
   * (FACTS.md IEC 60076-7 ONAN constants), so the winding has reached its overload gradient.
   */
  holdSeconds: { kind: 'number', default: 300, min: 0 },
  /** Raise when apparent load exceeds this many p.u. of rated kVA (1.0 = the rating). */
  raiseAtPu: { kind: 'number', default: 1.0, min: 0.1 },
  /** Hysteresis: the alert resolves only once load is at or below this p.u. ... */
  clearAtPu: { kind: 'number', default: 0.95, min: 0 },
  /** ... and the hot-spot is this far below its limit ... */
  clearMarginK: { kind: 'number', default: 5, min: 0 },
  /** ... for this long. */
  clearSeconds: { kind: 'number', default: 300, min: 0 },
  /** While open, the alert's lastSeenAt and evidence are refreshed at most this often. */
  refreshSeconds: { kind: 'number', default: 300, min: 1 },
  /** A gap in a meter's readings longer than this restarts the hold (we cannot say the load held). */
  maxGapSeconds: { kind: 'number', default: 900, min: 1 },
  /** A meter whose latest reading is older than this no longer counts towards the load. */
  meterStaleSeconds: { kind: 'number', default: 900, min: 1 },
  /** IEC 60076-7 loading mode whose limits apply (FACTS.md table). */
  loadingMode: { kind: 'enum', default: 'normal', values: Object.keys(LOADING_MODES) },
  /**
   * Ambient temperature, °C, when no sensor gives it. 20 °C is the reference ambient at
   * which FACTS.md's figures add up to the rated hot-spot: 20 + Δθor 55 + Δθhr 23 = 98 °C.
   */
  ambientC: { kind: 'number', default: 20, min: -50, max: 60 },
  /** A quantity (e.g. "t4_c") that a device on the transformer reports as ambient; empty: use ambientC. */
  ambientQuantity: { kind: 'string', default: '' },
  /** Forecast time to a thermal limit at or under this many minutes makes the alert critical. */
  criticalForecastMinutes: { kind: 'number', default: 30, min: 0 },
  /** FACTS.md ONAN distribution-transformer constants (IEC 60076-7 Annex C). */
  x: { kind: 'number', default: 0.8, min: 0 },
  y: { kind: 'number', default: 1.6, min: 0 },
  k11: { kind: 'number', default: 1.0, min: 0.01 },
  k21: { kind: 'number', default: 1.0, min: 0.01 },
  k22: { kind: 'number', default: 2.0, min: 0.01 },
  tauOMin: { kind: 'number', default: 180, min: 1 },
  tauWMin: { kind: 'number', default: 4, min: 0.5 },
  r: { kind: 'number', default: 5, min: 0 },
  /** FACTS.md: 55 K (one open implementation uses 60 K). */
  dThetaOr: { kind: 'number', default: 55, min: 0 },
  /** FACTS.md: 23 K (one open implementation uses 1.2 × 23 K). */
  dThetaHr: { kind: 'number', default: 23, min: 0 },
  /** Insulation paper: "normal" (rated hot-spot 98 °C) or "upgraded" (110 °C); picks the ageing formula. */
  paper: { kind: 'enum', default: 'normal', values: ['normal', 'upgraded'] },
} as const;

export type OverloadSettings = SettingsOf<typeof OVERLOAD_SCHEMA>;

export function parseOverloadSettings(raw: Record<string, unknown> | undefined): OverloadSettings {
  const s = readSettings('overload', OVERLOAD_SCHEMA, raw);
  if (s.clearAtPu > s.raiseAtPu) {
    throw new SettingsError(
      `detectors.overload.clearAtPu (${s.clearAtPu}) must not be above raiseAtPu (${s.raiseAtPu}): the alert would flap`,
    );
  }
  return s;
}
