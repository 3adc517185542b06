/**
 * Reads a scenario file (YAML or JSON) into a checked `Scenario`, with defaults filled
 * in. Mistakes are reported with file, line, field and the problem, before anything starts.
 */
import { readFileSync } from 'node:fs';
import { MAX_DATA_BYTES, loadBuiltinProfiles, type DeviceProfile } from '@gridsafe/shared';
import { Fields, SourceDoc, type Path } from './fields.js';
import {
  COMM_FAULTS,
  EVENT_TYPES,
  METER_EVENTS,
  PHASES,
  RTU_FRAMINGS,
  TERMINAL_EVENTS,
  type BusSpec,
  type CustomerSpec,
  type DailyShape,
  type DeviceSpec,
  type Dlt645MeterSpec,
  type EventParams,
  type EventSpec,
  type MeterLoadSpec,
  type Phase,
  type Scenario,
  type TerminalSpec,
  type TransformerSpec,
} from './types.js';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const ID_TEXT = 'an id of 1-64 letters, digits, "_" or "-"';
/** Ids of copies may hold "{n}", replaced by the copy's number. */
const TEMPLATE_ID = /^[A-Za-z0-9_{}-]{1,64}$/;

export interface ParseOptions {
  profiles?: Map<string, DeviceProfile>;
  /** Host for TCP buses that name none (GRIDSAFE_SIM_HOST). */
  defaultHost?: string;
}

export function loadScenarioFile(path: string, options: ParseOptions = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `scenario file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parseScenario(SourceDoc.parse(text, path), options);
}

export function parseScenarioText(text: string, source: string, options: ParseOptions = {}): Scenario {
  return parseScenario(SourceDoc.parse(text, source), options);
}

export function parseScenario(src: SourceDoc, options: ParseOptions = {}): Scenario {
  const profiles = options.profiles ?? loadBuiltinProfiles();
  const top: Fields = Fields.of(src, [], src.data, [
    'name',
    'seed',
    'tickMs',
    'tick',
    'utcOffsetMinutes',
    'start',
    'transformers',
    'customers',
    'buses',
    'devices',
    'events',
    '$comment',
  ]);
  const tickMs = top.has('tick') ? top.duration('tick') : top.number('tickMs', 1000, 10, 3_600_000, true);
  if (tickMs < 10) top.fail('tick', 'must be at least 10 ms');
  let startMs: number | undefined;
  if (top.has('start')) {
    const ref = top.time('start');
    if (!('absoluteMs' in ref)) top.fail('start', 'must be an ISO 8601 timestamp, such as 2025-03-03T00:00:00+08:00');
    startMs = ref.absoluteMs;
  }

  const transformers = top.list('transformers').map((item, i): TransformerSpec => {
    const f: Fields = Fields.of(src, ['transformers', i], item, ['id', 'ratedKva', 'site']);
    return { id: f.string('id', undefined, ID, ID_TEXT), ratedKva: f.number('ratedKva', undefined, 1, 1e6) };
  });
  unique(
    src,
    'transformers',
    transformers.map((t) => t.id),
  );
  const customers = top.list('customers').map((item, i): CustomerSpec => {
    const f: Fields = Fields.of(src, ['customers', i], item, ['id', 'contractKva', 'name']);
    return { id: f.string('id', undefined, ID, ID_TEXT), contractKva: f.number('contractKva', undefined, 1, 1e6) };
  });
  unique(
    src,
    'customers',
    customers.map((c) => c.id),
  );

  const buses = top
    .list('buses', true)
    .flatMap((item, i) => parseBus(src, ['buses', i], item, options.defaultHost ?? '127.0.0.1'));
  unique(
    src,
    'buses',
    buses.map((b) => b.id),
  );
  const tcpPorts = buses.flatMap((b) => (b.kind === 'tcp' && b.port !== 0 ? [`${b.host}:${b.port}`] : []));
  if (new Set(tcpPorts).size !== tcpPorts.length)
    top.fail(
      'buses',
      'two TCP buses listen on the same host and port; put their devices on one bus (unit ids tell them apart)',
    );

  const devices = top
    .list('devices', true)
    .flatMap((item, i) => parseDevice(src, ['devices', i], item, profiles, buses, transformers, customers));
  unique(
    src,
    'devices',
    devices.map((d) => d.id),
  );
  const taken = new Map<string, string>();
  for (const d of devices) {
    const key = d.dlt645 ? `${d.bus}/dlt645:${d.dlt645.address}` : `${d.bus}/${d.unit}`;
    const other = taken.get(key);
    if (other)
      src.fail(
        ['devices'],
        `devices "${other}" and "${d.id}" share ${d.dlt645 ? `address ${d.dlt645.address}` : `unit ${d.unit}`} on bus "${d.bus}"`,
      );
    taken.set(key, d.id);
  }

  const events = top
    .list('events')
    .map((item, i) => parseEvent(src, ['events', i], item, devices, profiles, transformers));
  return {
    source: src.source,
    name: top.string('name', src.source),
    seed: top.number('seed', 1, 0, 0xffffffff, true),
    tickMs,
    utcOffsetMinutes: top.number('utcOffsetMinutes', 480, -720, 840, true),
    ...(startMs !== undefined ? { startMs } : {}),
    transformers,
    customers,
    buses,
    devices,
    events,
  };
}

function unique(src: SourceDoc, list: string, ids: string[]): void {
  const seen = new Set<string>();
  ids.forEach((id) => {
    if (seen.has(id)) src.fail([list], `id "${id}" is used twice`);
    seen.add(id);
  });
}

/** Expands "{n}" in a copy's id or path with its number, zero-padded to `pad` digits. */
function nth(template: string, n: number, pad: number): string {
  return template.replaceAll('{n}', String(n).padStart(pad, '0'));
}

function parseBus(src: SourceDoc, path: Path, item: unknown, defaultHost: string): BusSpec[] {
  const f: Fields = Fields.of(src, path, item, [
    'id',
    'kind',
    'host',
    'port',
    'path',
    'baudRate',
    'parity',
    'dataBits',
    'stopBits',
    'turnaroundMs',
    'minRequestGapMs',
    'framing',
    'count',
    'pad',
  ]);
  const count = f.number('count', 1, 1, 1000, true);
  const pad = f.number('pad', 3, 1, 6, true);
  const id = f.string('id', undefined, TEMPLATE_ID, ID_TEXT);
  if (count > 1 && !id.includes('{n}'))
    f.fail('id', 'with a count above 1 the id must contain {n}, replaced by the copy number');
  const kind = f.oneOf('kind', ['tcp', 'rtu'] as const);
  if (kind === 'tcp') {
    const host = f.string('host', defaultHost);
    const port = f.number('port', undefined, 0, 65535, true);
    return Array.from({ length: count }, (_, k) => ({
      id: nth(id, k + 1, pad),
      kind: 'tcp' as const,
      host,
      port: port === 0 ? 0 : port + k,
    }));
  }
  const serialPath = f.string('path');
  if (count > 1 && !serialPath.includes('{n}')) f.fail('path', 'with a count above 1 the path must contain {n}');
  const parity = f.oneOf('parity', ['none', 'even', 'odd'] as const, 'even');
  const dataBits = f.oneOf('dataBits', [7, 8] as const, 8);
  // Modbus over Serial Line V1.02: no parity needs 2 stop bits (FACTS.md); 8N1 is off-spec but allowed.
  const stopBits = f.oneOf('stopBits', [1, 2] as const, 1);
  const spec = {
    kind: 'rtu' as const,
    baudRate: f.number('baudRate', 9600, 300, 4_000_000, true),
    parity,
    dataBits,
    stopBits,
    turnaroundMs: f.number('turnaroundMs', 2, 0, 10_000),
    minRequestGapMs: f.number('minRequestGapMs', 0, 0, 10_000),
    framing: f.oneOf('framing', RTU_FRAMINGS, 'strict'),
  };
  return Array.from({ length: count }, (_, k) => ({
    id: nth(id, k + 1, pad),
    path: nth(serialPath, k + 1, pad),
    ...spec,
  }));
}

function parseDevice(
  src: SourceDoc,
  path: Path,
  item: unknown,
  profiles: Map<string, DeviceProfile>,
  buses: BusSpec[],
  transformers: TransformerSpec[],
  customers: CustomerSpec[],
): DeviceSpec[] {
  const f: Fields = Fields.of(src, path, item, [
    'id',
    'profile',
    'bus',
    'unit',
    'ctRatio',
    'ptRatio',
    'transformer',
    'customer',
    'load',
    'terminal',
    'count',
    'pad',
    'address',
    'maxFrameData',
    'preamble',
  ]);
  const count = f.number('count', 1, 1, 100_000, true);
  const pad = f.number('pad', 3, 1, 6, true);
  const id = f.string('id', undefined, TEMPLATE_ID, ID_TEXT);
  if (count > 1 && !id.includes('{n}'))
    f.fail('id', 'with a count above 1 the id must contain {n}, replaced by the copy number');
  const profileId = f.string('profile');
  const profile = profiles.get(profileId);
  if (!profile) f.fail('profile', `no device profile "${profileId}"; known: ${[...profiles.keys()].join(', ')}`);
  const busIds =
    f.has('bus') && Array.isArray(f.raw('bus'))
      ? f.list('bus').map((b, i) => (typeof b === 'string' ? b : src.fail([...path, 'bus', i], 'must be a bus id')))
      : [f.string('bus')];
  for (const b of busIds)
    if (!buses.some((bus) => bus.id === b)) f.fail('bus', `no bus "${b}"; known: ${buses.map((x) => x.id).join(', ')}`);
  const dlt645 = profile.protocol === 'dlt645' ? parseDlt645Meter(f, count, busIds, buses) : undefined;
  if (!dlt645)
    for (const key of ['address', 'maxFrameData', 'preamble'])
      if (f.has(key)) f.fail(key, `applies to DL/T 645 meters only; profile "${profileId}" is Modbus`);
  const unit = dlt645 ? 0 : f.number('unit', 1, 1, 247, true);
  const perBus = Math.ceil(count / busIds.length);
  if (!dlt645 && unit + perBus - 1 > 247)
    f.fail(
      'count',
      `${count} devices across ${busIds.length} bus(es) from unit ${unit} need unit ids above 247; add buses`,
    );
  const transformer = f.optionalString('transformer');
  if (transformer && !transformers.some((t) => t.id === transformer))
    f.fail('transformer', `no transformer "${transformer}" under transformers`);
  const customer = f.optionalString('customer');
  if (customer && !customers.some((c) => c.id === customer))
    f.fail('customer', `no customer "${customer}" under customers`);
  const base = {
    profile: profileId,
    ctRatio: f.number('ctRatio', 1, 0.001, 1e6),
    ptRatio: f.number('ptRatio', 1, 0.001, 1e6),
    ...(transformer ? { transformer } : {}),
    ...(customer ? { customer } : {}),
  };
  let load: MeterLoadSpec | undefined;
  let terminal: TerminalSpec | undefined;
  if (profile.kind === 'meter') {
    if (f.has('terminal')) f.fail('terminal', `profile "${profileId}" is a meter; describe its load under "load"`);
    load = parseLoad(src, [...path, 'load'], f.raw('load'));
  } else {
    if (f.has('load')) f.fail('load', `profile "${profileId}" is a terminal; describe it under "terminal"`);
    terminal = parseTerminal(src, [...path, 'terminal'], f.raw('terminal') ?? {});
  }
  return Array.from({ length: count }, (_, k) => ({
    id: nth(id, k + 1, pad),
    ...base,
    bus: busIds[k % busIds.length]!,
    unit: dlt645 ? 0 : unit + Math.floor(k / busIds.length),
    ...(dlt645 ? { dlt645: { ...dlt645, address: String(Number(dlt645.address) + k).padStart(12, '0') } } : {}),
    ...(load ? { load } : {}),
    ...(terminal ? { terminal } : {}),
  }));
}

/** A DL/T 645 meter's address (copies count up from it), frame limit and reply preamble; it needs an RTU bus. */
function parseDlt645Meter(f: Fields, count: number, busIds: string[], buses: BusSpec[]): Dlt645MeterSpec {
  if (f.has('unit')) f.fail('unit', 'a DL/T 645 meter has an address, not a Modbus unit');
  for (const b of busIds)
    if (buses.find((bus) => bus.id === b)?.kind !== 'rtu')
      f.fail('bus', `"${b}" is not an RTU bus; DL/T 645 meters need one`);
  const address = f.string('address', undefined, /^[0-9]{12}$/, 'must be the meter address, 12 digits');
  if (Number(address) + count - 1 > 999_999_999_999)
    f.fail('count', `${count} copies from ${address} run past 12 digits`);
  return {
    address,
    // L ≤ 200 holds the DI (4 bytes) and, in a follow-up frame, its frame number.
    maxFrameData: f.number('maxFrameData', MAX_DATA_BYTES - 5, 1, MAX_DATA_BYTES - 5, true),
    preamble: f.number('preamble', 2, 0, 4, true),
  };
}

function parseLoad(src: SourceDoc, path: Path, item: unknown): MeterLoadSpec {
  const f: Fields = Fields.of(src, path, item, [
    'baseKva',
    'pf',
    'daily',
    'weekendFactor',
    'seasonalAmplitude',
    'seasonalPeakDay',
    'dailyVariation',
    'noise',
    'shares',
    'nominalVoltage',
    'voltageNoise',
    'frequencyHz',
    'initialImportKwh',
    'initialExportKwh',
  ]);
  let daily: DailyShape = 'flat';
  if (f.has('daily')) {
    daily = Array.isArray(f.raw('daily'))
      ? (f.numbers('daily', 24, 0, 100) as number[])
      : f.oneOf('daily', ['flat', 'residential', 'commercial', 'industrial'] as const);
  }
  const shares = f.numbers('shares', 3, 0, 1);
  if (shares && Math.abs(shares.reduce((a, b) => a + b, 0) - 1) > 0.01)
    f.fail('shares', 'the three phase shares must add up to 1');
  return {
    baseKva: f.number('baseKva', undefined, 0, 1e6),
    pf: f.number('pf', 0.95, 0.05, 1),
    daily,
    weekendFactor: f.number('weekendFactor', 1, 0, 10),
    seasonalAmplitude: f.number('seasonalAmplitude', 0, 0, 0.9),
    seasonalPeakDay: f.number('seasonalPeakDay', 200, 1, 366, true),
    dailyVariation: f.number('dailyVariation', 0, 0, 1),
    noise: f.number('noise', 0.02, 0, 0.5),
    shares: (shares as [number, number, number] | undefined) ?? [1 / 3, 1 / 3, 1 / 3],
    nominalVoltage: f.number('nominalVoltage', 230, 1, 1e6),
    voltageNoise: f.number('voltageNoise', 0.004, 0, 0.2),
    frequencyHz: f.number('frequencyHz', 50, 40, 70),
    initialImportKwh: f.number('initialImportKwh', 10_000, 0, 1e9),
    initialExportKwh: f.number('initialExportKwh', 0, 0, 1e9),
  };
}

function parseTerminal(src: SourceDoc, path: Path, item: unknown): TerminalSpec {
  const f: Fields = Fields.of(src, path, item, [
    'residualMa',
    'residualNoiseMa',
    'temperaturesC',
    'temperatureNoiseC',
    'ratedResidualMa',
    'prewarningResidualMa',
    'alarmTemperatureC',
    'breaker',
  ]);
  return {
    // FACTS.md: normal background leakage is often 100-200 mA.
    residualMa: f.number('residualMa', 120, 0, 30_000),
    residualNoiseMa: f.number('residualNoiseMa', 5, 0, 1000),
    temperaturesC: (f.numbers('temperaturesC', 4, -40, 200) as [number, number, number, number] | undefined) ?? [
      35, 35, 35, 30,
    ],
    temperatureNoiseC: f.number('temperatureNoiseC', 0.2, 0, 20),
    // FACTS.md: GB 50116-2013 §9.2.3 alarm setting 300-500 mA.
    ratedResidualMa: f.number('ratedResidualMa', 300, 20, 1000),
    prewarningResidualMa: f.number('prewarningResidualMa', 240, 0, 1000),
    // FACTS.md: GB 14287.3 setting range 55-140 °C (unconfirmed); 80 °C is a configurable default.
    alarmTemperatureC: f.number('alarmTemperatureC', 80, 55, 140),
    breaker: f.oneOf('breaker', [0, 1] as const, 1),
  };
}

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

function parseEvent(
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
