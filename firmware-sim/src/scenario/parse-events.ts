/** A scenario's `events:` entries: what happens to which device, when, and for how long. */
import type { DeviceProfile } from '@gridsafe/shared';
import { Fields, type SourceDoc, type Path } from './fields.js';
import {
  COMM_FAULTS,
  EVENT_TYPES,
  METER_EVENTS,
  PHASES,
  TERMINAL_EVENTS,
  type DeviceSpec,
  type EventParams,
  type EventSpec,
  type Phase,
  type TransformerSpec,
} from './types.js';

const EVENT_FIELDS: Record<EventParams['type'], string[]> = {
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

export function parseEvent(
  src: SourceDoc,
  path: Path,
  item: unknown,
  devices: DeviceSpec[],
  profiles: Map<string, DeviceProfile>,
  transformers: TransformerSpec[],
): EventSpec {
  const peek = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['type'] : undefined;
  const extra =
    typeof peek === 'string' && peek in EVENT_FIELDS
      ? EVENT_FIELDS[peek as EventParams['type']]
      : Object.values(EVENT_FIELDS).flat();
  const f: Fields = Fields.of(src, path, item, ['device', 'type', 'at', 'duration', 'note', ...extra]);
  const type = f.oneOf('type', EVENT_TYPES);
  const deviceId = f.string('device');
  const device = devices.find((d) => d.id === deviceId);
  if (!device) f.fail('device', `no device "${deviceId}" in this scenario`);
  const kind = profiles.get(device.profile)!.kind;
  if (kind === 'meter' && TERMINAL_EVENTS.includes(type))
    f.fail('type', `${type} acts on a terminal, and "${deviceId}" is a meter`);
  if (kind === 'terminal' && METER_EVENTS.includes(type))
    f.fail('type', `${type} acts on a meter, and "${deviceId}" is a terminal`);
  const at = f.time('at');
  const durationMs = f.has('duration') ? f.duration('duration') : null;
  const phaseOf = (key: string): Phase => f.oneOf(key, PHASES);
  let params: EventParams;
  switch (type) {
    case 'overload_ramp': {
      let targetKva: number;
      if (f.has('targetKva')) targetKva = f.number('targetKva', undefined, 0, 1e6);
      else {
        const factor = f.number('targetFactor', undefined, 0, 100);
        const tx = transformers.find((t) => t.id === device.transformer);
        if (!tx) f.fail('targetFactor', `device "${deviceId}" names no transformer, so give targetKva instead`);
        targetKva = factor * tx.ratedKva;
      }
      params = { type, targetKva, rampMs: f.duration('ramp', 0) };
      break;
    }
    case 'demand_above_contract':
      params = { type, targetKw: f.number('targetKw', undefined, 0, 1e6), rampMs: f.duration('ramp', 0) };
      break;
    case 'voltage_sag':
    case 'voltage_swell': {
      const factor = f.number('factor', undefined, 0, 2);
      if (type === 'voltage_sag' && factor >= 1)
        f.fail('factor', 'a sag lowers the voltage: the factor must be below 1');
      if (type === 'voltage_swell' && factor <= 1)
        f.fail('factor', 'a swell raises the voltage: the factor must be above 1');
      const phases = f.has('phases')
        ? f
            .list('phases')
            .map((p, i) =>
              PHASES.includes(p as Phase) ? (p as Phase) : src.fail([...path, 'phases', i], 'must be a, b or c'),
            )
        : [...PHASES];
      params = { type, factor, phases };
      break;
    }
    case 'phase_unbalance': {
      const shares = f.numbers('shares', 3, 0, 1);
      if (!shares) f.fail('shares', 'is required: the load share of phases a, b, c, adding up to 1');
      if (Math.abs(shares.reduce((a, b) => a + b, 0) - 1) > 0.01)
        f.fail('shares', 'the three phase shares must add up to 1');
      params = { type, shares: shares as [number, number, number] };
      break;
    }
    case 'low_power_factor':
      params = { type, pf: f.number('pf', undefined, 0.05, 1) };
      break;
    case 'meter_bypass':
      params = { type, phase: phaseOf('phase') };
      break;
    case 'leakage_step':
      params = { type, residualMa: f.number('residualMa', undefined, 0, 30_000) };
      break;
    case 'over_temperature':
      params = {
        type,
        channel: f.oneOf('channel', [1, 2, 3, 4] as const),
        rateCPerMin: f.number('rateCPerMin', undefined, 0, 1000),
        maxC: f.number('maxC', undefined, -40, 200),
      };
      break;
    case 'comm_fault': {
      const fault = f.oneOf('fault', COMM_FAULTS);
      params = {
        type,
        fault,
        code: f.number('code', fault === 'exception' ? undefined : 6, 1, 255, true),
        delayMs: f.number('delayMs', 2000, 0, 600_000),
        garbageBytes: f.number('garbageBytes', 16, 1, 256, true),
        probability: f.number('probability', 1, 0, 1),
      };
      break;
    }
  }
  return { device: deviceId, at, durationMs, params };
}
