/**
 * One transformer area over one local day: every meter's day from the stored counters,
 * and the balance. The area's meters are taken from the registry as it is when the day
 * is computed, and recorded with the day, so a later registry change shows up as a
 * change of the area's meter set between days (a mapping-error signal, causes.ts).
 */
import type { RegistryView } from '../detector-kit/types.js';
import type { SeriesStore } from '../storage/series/types.js';
import { areaBalance, type AreaBalance, type AreaMeter, type AreaMeterDay } from './balance.js';
import { meterDay } from './meter-day.js';
import { localDayName, DAY_MS } from './local-day.js';
import type { LineLossSettings, LossBand } from './settings.js';

export interface AreaDay extends AreaBalance {
  transformer: string;
  area: string | null;
  day: string;
  dayStart: number;
  dayEnd: number;
  meters: AreaMeterDay[];
}

/** The meters of a transformer area: its own meters supply, customer meters are sold to. */
export function areaMeters(registry: RegistryView, transformer: string): AreaMeter[] {
  return registry
    .devicesOnTransformer(transformer)
    .filter((d) => d.kind === 'meter')
    .map((d): AreaMeter => ({ device: d.id, role: d.customer ? 'customer' : 'supply', customer: d.customer ?? null }))
    .sort((a, b) => a.device.localeCompare(b.device));
}

export async function computeAreaDay(
  series: SeriesStore,
  registry: RegistryView,
  transformer: string,
  dayStart: number,
  band: LossBand,
  settings: LineLossSettings,
): Promise<AreaDay> {
  const dayEnd = dayStart + DAY_MS;
  const meters: AreaMeterDay[] = [];
  for (const m of areaMeters(registry, transformer)) {
    const readings = await series.raw({
      device: m.device,
      from: dayStart - settings.maxGapMs,
      to: dayEnd + settings.maxGapMs + 1,
      fields: ['e_imp_kwh', 'e_exp_kwh'],
    });
    meters.push({ ...m, ...meterDay(readings, dayStart, dayEnd, settings.maxGapMs) });
  }
  return {
    transformer,
    area: registry.transformer(transformer)?.area ?? null,
    day: localDayName(dayStart, settings.utcOffsetMinutes),
    dayStart,
    dayEnd,
    ...areaBalance(meters, band, settings.minCoverage),
    meters,
  };
}
