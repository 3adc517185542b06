/**
 * Ambient temperature for the thermal model when no sensor gives it: a per-site profile
 * of monthly means and hourly offsets (IEC 60076-7 loads a transformer against the
 * ambient of the time, never one fixed figure; issue 11: never a silent 20 °C).
 */
import { Section, Type, type Static } from '@gridsafe/shared';

export interface AmbientProfile {
  /** Mean air temperature of each month, January first, °C. */
  monthlyMeanC: number[];
  /** Offset from the monthly mean for each local hour, 0..23, K. */
  hourlyOffsetK: number[];
}

export interface AmbientProfiles {
  /** Used for every site that has no profile of its own. */
  default: AmbientProfile;
  sites: Record<string, AmbientProfile>;
}

/**
 * A daily swing of ±5 K around the monthly mean, warmest at 15:00 and coldest at 03:00
 * local time: the usual shape of a clear-sky day. Unconfirmed for any given site.
 */
export const DEFAULT_HOURLY_OFFSET_K = Array.from(
  { length: 24 },
  (_, h) => Math.round(5 * Math.cos(((h - 15) / 24) * 2 * Math.PI) * 10) / 10,
);

/**
 * Default profile: monthly mean temperatures of a warm eastern-China city (Shanghai,
 * climate normals as commonly published, rounded; unconfirmed, not in FACTS.md). A warm
 * default errs towards warning early; every deployment should set its sites' own.
 */
export const DEFAULT_AMBIENT_PROFILE: AmbientProfile = {
  monthlyMeanC: [4.8, 6.6, 10.2, 15.6, 20.9, 24.6, 28.8, 28.5, 24.8, 19.7, 13.9, 7.6],
  hourlyOffsetK: DEFAULT_HOURLY_OFFSET_K,
};

const temperatures = (length: number) =>
  Type.Array(Type.Number({ minimum: -60, maximum: 60 }), { minItems: length, maxItems: length });

const PROFILE = Section({
  monthlyMeanC: temperatures(12),
  hourlyOffsetK: Type.Optional(temperatures(24)),
});

/** The `ambientProfiles` setting: `{ default?: profile, sites?: { <site>: profile } }`. */
export const AMBIENT_PROFILES = Section(
  { default: Type.Optional(PROFILE), sites: Type.Optional(Type.Record(Type.String(), PROFILE)) },
  { default: {} },
);

function profileOf(p: Static<typeof PROFILE>): AmbientProfile {
  return { monthlyMeanC: p.monthlyMeanC, hourlyOffsetK: p.hourlyOffsetK ?? DEFAULT_HOURLY_OFFSET_K };
}

/** The checked setting with the built-in default where absent. */
export function ambientProfilesOf(raw: Static<typeof AMBIENT_PROFILES>): AmbientProfiles {
  return {
    default: raw.default === undefined ? DEFAULT_AMBIENT_PROFILE : profileOf(raw.default),
    sites: Object.fromEntries(Object.entries(raw.sites ?? {}).map(([site, p]) => [site, profileOf(p)])),
  };
}

/** The profile's ambient at event time `ts` (ms) for a site whose local time is UTC + `utcOffsetMinutes`. */
export function profileAmbientC(profile: AmbientProfile, ts: number, utcOffsetMinutes: number): number {
  const local = new Date(ts + utcOffsetMinutes * 60_000);
  return profile.monthlyMeanC[local.getUTCMonth()]! + profile.hourlyOffsetK[local.getUTCHours()]!;
}

/** Where the ambient came from, for the evidence: a sensor, the site's profile or the default one. */
export type AmbientSource = `sensor:${string}` | `profile:${string}` | 'profile:default';

export function siteProfile(
  profiles: AmbientProfiles,
  site: string,
): { profile: AmbientProfile; source: AmbientSource } {
  const own = profiles.sites[site];
  return own ? { profile: own, source: `profile:${site}` } : { profile: profiles.default, source: 'profile:default' };
}
