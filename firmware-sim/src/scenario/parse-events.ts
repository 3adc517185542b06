/** A scenario's `events:` entries (already checked by the schema): what happens to which device, when, and for how long. */
import { toMs, type DeviceProfile, type FieldPath } from '@gridsafe/shared';
import type { Problems } from './problems.js';
import type { EventFile } from './schema.js';
import { timeRefOf } from './times.js';
import {
  METER_EVENTS,
  PHASES,
  TERMINAL_EVENTS,
  type DeviceSpec,
  type EventParams,
  type EventSpec,
  type EventType,
  type TransformerSpec,
} from './types.js';

type EventField = Exclude<keyof EventFile, 'device' | 'type' | 'at' | 'duration' | 'note'>;

/** The parameters each event type takes; the schema lists all of them, so one type's are refused on another. */
const FIELDS_OF: Record<EventType, readonly EventField[]> = {
  overload_ramp: ['targetKva', 'targetFactor', 'ramp'],
  demand_above_contract: ['targetKw', 'ramp'],
  voltage_sag: ['factor', 'phases'],
  voltage_swell: ['factor', 'phases'],
  phase_unbalance: ['shares'],
  low_power_factor: ['pf'],
  meter_bypass: ['phase'],
  leakage_step: ['residualMa'],
  over_temperature: ['channel', 'rateCPerMin', 'maxC'],
  comm_fault: ['fault', 'code', 'delayMs', 'garbageBytes', 'probability'],
};
const ALL_FIELDS = new Set(Object.values(FIELDS_OF).flat());

export interface EventRefs {
  devices: DeviceSpec[];
  profiles: Map<string, DeviceProfile>;
  transformers: TransformerSpec[];
}

/** The event, or undefined when it has a mistake (reported to `problems`). */
export function eventOf(event: EventFile, path: FieldPath, refs: EventRefs, problems: Problems): EventSpec | undefined {
  const before = problems.count;
  const { type } = event;
  for (const key of Object.keys(event) as Array<keyof EventFile>)
    if (ALL_FIELDS.has(key as EventField) && !FIELDS_OF[type].includes(key as EventField))
      problems.add([...path, key], `is not a parameter of ${type}; it takes ${FIELDS_OF[type].join(', ')}`, true);
  const device = refs.devices.find((d) => d.id === event.device);
  if (!device) {
    problems.add([...path, 'device'], `no device "${event.device}" in this scenario`);
    return undefined;
  }
  const kind = refs.profiles.get(device.profile)!.kind;
  if (kind === 'meter' && TERMINAL_EVENTS.includes(type))
    problems.add([...path, 'type'], `${type} acts on a terminal, and "${device.id}" is a meter`);
  if (kind === 'terminal' && METER_EVENTS.includes(type))
    problems.add([...path, 'type'], `${type} acts on a meter, and "${device.id}" is a terminal`);
  const at = timeRefOf(event.at, [...path, 'at'], problems);
  const params = paramsOf(event, path, device, refs.transformers, problems);
  if (problems.count > before || !at || !params) return undefined;
  return { device: device.id, at, durationMs: event.duration === undefined ? null : toMs(event.duration), params };
}

function paramsOf(
  event: EventFile,
  path: FieldPath,
  device: DeviceSpec,
  transformers: TransformerSpec[],
  problems: Problems,
): EventParams | undefined {
  /** A parameter the type cannot do without: its value, or a problem. */
  const needed = <K extends EventField>(key: K, what: string): NonNullable<EventFile[K]> | undefined => {
    const value = event[key];
    if (value === undefined) problems.add([...path, key], `is missing: ${what}`);
    return value ?? undefined;
  };
  const rampMs = event.ramp === undefined ? 0 : toMs(event.ramp);
  const { type } = event;
  switch (type) {
    case 'overload_ramp': {
      if (event.targetKva !== undefined) return { type, targetKva: event.targetKva, rampMs };
      const factor = needed('targetFactor', 'give targetKva, or targetFactor (× the transformer rating)');
      if (factor === undefined) return undefined;
      const tx = transformers.find((t) => t.id === device.transformer);
      if (!tx) {
        problems.add(
          [...path, 'targetFactor'],
          `device "${device.id}" names no transformer, so give targetKva instead`,
        );
        return undefined;
      }
      return { type, targetKva: factor * tx.ratedKva, rampMs };
    }
    case 'demand_above_contract': {
      const targetKw = needed('targetKw', 'the active power to move to, kW');
      return targetKw === undefined ? undefined : { type, targetKw, rampMs };
    }
    case 'voltage_sag':
    case 'voltage_swell': {
      const factor = needed('factor', 'what the phase voltages are multiplied by');
      if (factor === undefined) return undefined;
      if (type === 'voltage_sag' && factor >= 1)
        problems.add([...path, 'factor'], 'a sag lowers the voltage: the factor must be below 1');
      if (type === 'voltage_swell' && factor <= 1)
        problems.add([...path, 'factor'], 'a swell raises the voltage: the factor must be above 1');
      return { type, factor, phases: event.phases ?? [...PHASES] };
    }
    case 'phase_unbalance': {
      const shares = needed('shares', 'the load share of phases a, b, c, adding up to 1');
      if (shares === undefined) return undefined;
      if (Math.abs(shares.reduce((a, b) => a + b, 0) - 1) > 0.01)
        problems.add([...path, 'shares'], 'the three phase shares must add up to 1');
      return { type, shares: shares as [number, number, number] };
    }
    case 'low_power_factor': {
      const pf = needed('pf', "the load's power factor");
      return pf === undefined ? undefined : { type, pf };
    }
    case 'meter_bypass': {
      const phase = needed('phase', 'the phase the meter no longer sees (a, b or c)');
      return phase === undefined ? undefined : { type, phase };
    }
    case 'leakage_step': {
      const residualMa = needed('residualMa', 'the residual current to step to, mA');
      return residualMa === undefined ? undefined : { type, residualMa };
    }
    case 'over_temperature': {
      const channel = needed('channel', 'the temperature channel, 1 to 4');
      const rateCPerMin = needed('rateCPerMin', 'how fast the channel warms, °C per minute');
      const maxC = needed('maxC', 'where the channel stops warming, °C');
      if (channel === undefined || rateCPerMin === undefined || maxC === undefined) return undefined;
      return { type, channel, rateCPerMin, maxC };
    }
    case 'comm_fault': {
      const fault = needed('fault', 'no_reply, bad_crc, exception, slow_reply or garbage');
      if (fault === undefined) return undefined;
      const code = fault === 'exception' ? needed('code', 'the exception code (2, 3, 6, ...)') : (event.code ?? 6);
      if (code === undefined) return undefined;
      return {
        type,
        fault,
        code,
        delayMs: event.delayMs ?? 2000,
        garbageBytes: event.garbageBytes ?? 16,
        probability: event.probability ?? 1,
      };
    }
  }
}
