/** Settings of the overload detector, with their defaults and where each comes from. */
import { SettingsError, readSettings, type SettingsOf } from '../../detector-kit/settings.js';
import { readAmbientProfiles, type AmbientProfiles } from './ambient.js';

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
   * A quantity (e.g. "t4_c") that a device on the transformer reports as ambient; empty, or
   * no fresh reading of it: the site's ambient profile (`ambientProfiles`, see ambient.ts).
   */
  ambientQuantity: { kind: 'string', default: '' },
  /** Local time of the sites, for the hourly ambient profile: UTC + this (480: China Standard Time). */
  utcOffsetMinutes: { kind: 'number', default: 480, min: -720, max: 840 },
  /**
   * Warning when the thermal forecast (present load held, ambient from the profile or the
   * sensor) reaches a limit of the loading mode within this horizon (issue 11: default 2 h).
   */
  warningHorizonMinutes: { kind: 'number', default: 120, min: 0, max: 1440 },
  /**
   * Load above the rating with no limit reached or forecast within the horizon is allowed
   * by IEC 60076-7 normal cyclic loading: `info` raises an info alert, `none` raises nothing.
   */
  aboveRating: { kind: 'enum', default: 'info', values: ['info', 'none'] },
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

export type OverloadSettings = SettingsOf<typeof OVERLOAD_SCHEMA> & { ambientProfiles: AmbientProfiles };

export function parseOverloadSettings(raw: Record<string, unknown> | undefined): OverloadSettings {
  // The ambient profiles are nested lists, read apart (ambient.ts); the rest are plain fields.
  const { ambientProfiles, ...fields } = raw ?? {};
  const s = {
    ...readSettings('overload', OVERLOAD_SCHEMA, fields),
    ambientProfiles: readAmbientProfiles(ambientProfiles),
  };
  if (s.clearAtPu > s.raiseAtPu) {
    throw new SettingsError(
      `detectors.overload.clearAtPu (${s.clearAtPu}) must not be above raiseAtPu (${s.raiseAtPu}): the alert would flap`,
    );
  }
  return s;
}
