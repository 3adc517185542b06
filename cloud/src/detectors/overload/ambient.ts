/**
 * Ambient temperature for the thermal model when no sensor gives it: a per-site profile
 * of monthly means and hourly offsets (IEC 60076-7 loads a transformer against the
 * ambient of the time, never one fixed figure; issue 11: never a silent 20 °C).
 */
import { SettingsError } from '../../detector-kit/settings.js';

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

const WHERE = 'detectors.overload.ambientProfiles';

function numbers(value: unknown, length: number, where: string): number[] {
  if (
    !Array.isArray(value) ||
    value.length !== length ||
    !value.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= -60 && v <= 60)
  ) {
    throw new SettingsError(
      `${where} must be a list of ${length} temperatures between -60 and 60 (got ${JSON.stringify(value)})`,
    );
  }
  return value as number[];
}

function readProfile(value: unknown, where: string): AmbientProfile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SettingsError(`${where} must be a mapping with monthlyMeanC and, optionally, hourlyOffsetK`);
  }
  const { monthlyMeanC, hourlyOffsetK, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) {
    throw new SettingsError(
      `${where}.${unknown} is not a field of an ambient profile (known: monthlyMeanC, hourlyOffsetK)`,
    );
  }
  return {
    monthlyMeanC: numbers(monthlyMeanC, 12, `${where}.monthlyMeanC`),
    hourlyOffsetK:
      hourlyOffsetK === undefined ? DEFAULT_HOURLY_OFFSET_K : numbers(hourlyOffsetK, 24, `${where}.hourlyOffsetK`),
  };
}

/** `{ default?: profile, sites?: { <site>: profile } }` from the configuration; the built-in default where absent. */
export function readAmbientProfiles(raw: unknown): AmbientProfiles {
  if (raw === undefined) return { default: DEFAULT_AMBIENT_PROFILE, sites: {} };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SettingsError(`${WHERE} must be a mapping with default and/or sites`);
  }
  const { default: fallback, sites, ...rest } = raw as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new SettingsError(`${WHERE}.${unknown} is not known (known: default, sites)`);
  if (sites !== undefined && (typeof sites !== 'object' || sites === null || Array.isArray(sites))) {
    throw new SettingsError(`${WHERE}.sites must be a mapping of site names to profiles`);
  }
  return {
    default: fallback === undefined ? DEFAULT_AMBIENT_PROFILE : readProfile(fallback, `${WHERE}.default`),
    sites: Object.fromEntries(
      Object.entries((sites ?? {}) as Record<string, unknown>).map(([site, p]) => [
        site,
        readProfile(p, `${WHERE}.sites.${site}`),
      ]),
    ),
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
