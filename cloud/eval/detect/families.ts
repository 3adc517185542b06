/**
 * The scenario families eval:detect scores. "firmware-sim" is generated from the
 * firmware-sim's device models (the models the detectors were first built against);
 * "independent" comes from a separate generator (independent/) with other plants, load
 * shapes, calendar, weather, noise and missing data, and look-alikes for every rule.
 */
import { buildPlan, DAY, type Episode, type FleetPlan } from './plan.js';
import { generate, type Generated } from './generate.js';
import { derivedEpisodes } from './truth.js';
import { buildIndependentPlan, INDEPENDENT_DAYS } from './independent/plan.js';
import { generateIndependent } from './independent/generate.js';

export interface Family {
  name: string;
  plan: FleetPlan;
  gen: Generated;
  /** Injected and derived (CT secondary) episodes. */
  episodes: Episode[];
  /** Detector settings this family's deployment would have (e.g. its listed holiday). */
  settings: Record<string, Record<string, unknown>>;
  days: number;
}

export const FAMILY_NAMES = ['firmware-sim', 'independent'] as const;
export type FamilyName = (typeof FAMILY_NAMES)[number];

export function buildFamily(name: FamilyName, options: { seed: number; days: number }): Family {
  if (name === 'firmware-sim') {
    const plan = buildPlan(options);
    const gen = generate(plan);
    return {
      name,
      plan,
      gen,
      episodes: [...plan.episodes, ...derivedEpisodes(plan, gen, plan.episodes.length + 1)],
      settings: {
        consumption_anomaly: { holidays: plan.holidays.listed },
        suspected_tamper: { holidays: plan.holidays.listed },
      },
      days: options.days,
    };
  }
  const plan = buildIndependentPlan(options.seed);
  const gen = generateIndependent(plan);
  return {
    name,
    plan,
    gen,
    episodes: [...plan.episodes, ...derivedEpisodes(plan, gen, plan.episodes.length + 1)],
    settings: {},
    days: INDEPENDENT_DAYS,
  };
}

/** The subjects an alert about a device's episode may name: the device, its customer, transformer and gateway. */
export function subjectsOf(plan: FleetPlan, device: string): string[] {
  const d = plan.registry.devices.find((x) => x.id === device);
  if (!d) return [device];
  return [d.id, d.gateway, d.transformer, ...(d.customer ? [d.customer] : [])];
}

export function deviceDays(plan: FleetPlan): number {
  return (plan.registry.devices.length * (plan.end - plan.start)) / DAY;
}
