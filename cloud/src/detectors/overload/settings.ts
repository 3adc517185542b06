/** Settings of the overload detector, with their defaults and where each comes from. */
import { OneOf, Type } from '@gridsafe/shared';
import { clearNotAbove, defineSettings, type SettingsOf } from '../../detector-kit/settings.js';
import { AMBIENT_PROFILES, ambientProfilesOf } from './ambient.js';

/** FACTS.md IEC 60076-7 table: limits of each loading mode (top-oil °C, hot-spot °C, current p.u.). */
export const LOADING_MODES = {
  normal: { topOilC: 105, hotSpotC: 120, currentPu: 1.5 },
  long_emergency: { topOilC: 115, hotSpotC: 140, currentPu: 1.8 },
  // FACTS.md: 2.0 p.u. is unconfirmed for distribution transformers; configurable through loadingMode.
  short_emergency: { topOilC: 115, hotSpotC: 160, currentPu: 2.0 },
} as const;

export const OVERLOAD_SETTINGS = defineSettings(
  {
    /**
     * Load above rating must last this long (event time) before the alert opens. 300 s:
     * beyond any motor start, and longer than the winding time constant τw = 4 min
     * (FACTS.md IEC 60076-7 ONAN constants), so the winding has reached its overload gradient.
     */
    holdSeconds: Type.Number({ default: 300, minimum: 0 }),
    /** Raise when apparent load exceeds this many p.u. of rated kVA (1.0 = the rating). */
    raiseAtPu: Type.Number({ default: 1.0, minimum: 0.1 }),
    /** Hysteresis: the alert resolves only once load is at or below this p.u. ... */
    clearAtPu: Type.Number({ default: 0.95, minimum: 0 }),
    /** ... and the hot-spot is this far below its limit ... */
    clearMarginK: Type.Number({ default: 5, minimum: 0 }),
    /** ... for this long. */
    clearSeconds: Type.Number({ default: 300, minimum: 0 }),
    /** While open, the alert's lastSeenAt and evidence are refreshed at most this often. */
    refreshSeconds: Type.Number({ default: 300, minimum: 1 }),
    /** A gap in a meter's readings longer than this restarts the hold (we cannot say the load held). */
    maxGapSeconds: Type.Number({ default: 900, minimum: 1 }),
    /** A meter whose latest reading is older than this no longer counts towards the load. */
    meterStaleSeconds: Type.Number({ default: 900, minimum: 1 }),
    /** IEC 60076-7 loading mode whose limits apply (FACTS.md table). */
    loadingMode: OneOf(Object.keys(LOADING_MODES), { default: 'normal' }),
    /**
     * A quantity (e.g. "t4_c") that a device on the transformer reports as ambient; empty, or
     * no fresh reading of it: the site's ambient profile (`ambientProfiles`, see ambient.ts).
     */
    ambientQuantity: Type.String({ default: '' }),
    /** Local time of the sites, for the hourly ambient profile: UTC + this (480: China Standard Time). */
    utcOffsetMinutes: Type.Number({ default: 480, minimum: -720, maximum: 840 }),
    /**
     * Warning when the thermal forecast (present load held, ambient from the profile or the
     * sensor) reaches a limit of the loading mode within this horizon (issue 11: default 2 h).
     */
    warningHorizonMinutes: Type.Number({ default: 120, minimum: 0, maximum: 1440 }),
    /**
     * Load above the rating with no limit reached or forecast within the horizon is allowed
     * by IEC 60076-7 normal cyclic loading: `info` raises an info alert, `none` raises nothing.
     */
    aboveRating: OneOf(['info', 'none'], { default: 'info' }),
    /** FACTS.md ONAN distribution-transformer constants (IEC 60076-7 Annex C). */
    x: Type.Number({ default: 0.8, minimum: 0 }),
    y: Type.Number({ default: 1.6, minimum: 0 }),
    k11: Type.Number({ default: 1.0, minimum: 0.01 }),
    k21: Type.Number({ default: 1.0, minimum: 0.01 }),
    k22: Type.Number({ default: 2.0, minimum: 0.01 }),
    tauOMin: Type.Number({ default: 180, minimum: 1 }),
    tauWMin: Type.Number({ default: 4, minimum: 0.5 }),
    r: Type.Number({ default: 5, minimum: 0 }),
    /** FACTS.md: 55 K (one open implementation uses 60 K). */
    dThetaOr: Type.Number({ default: 55, minimum: 0 }),
    /** FACTS.md: 23 K (one open implementation uses 1.2 × 23 K). */
    dThetaHr: Type.Number({ default: 23, minimum: 0 }),
    /** Insulation paper: "normal" (rated hot-spot 98 °C) or "upgraded" (110 °C); picks the ageing formula. */
    paper: OneOf(['normal', 'upgraded'], { default: 'normal' }),
    /** Per-site ambient profiles (ambient.ts): `{ default?: profile, sites?: { <site>: profile } }`. */
    ambientProfiles: AMBIENT_PROFILES,
  },
  (s) => {
    clearNotAbove(s, 'clearAtPu', 'raiseAtPu', ': the alert would flap');
    return { ...s, ambientProfiles: ambientProfilesOf(s.ambientProfiles) };
  },
);

export type OverloadSettings = SettingsOf<typeof OVERLOAD_SETTINGS>;
