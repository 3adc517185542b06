/** A scenario's `devices:` entries: meters (with their load) and terminals, expanded into their copies. */
import { MAX_DATA_BYTES, type DeviceProfile } from '@gridsafe/shared';
import { Fields, type SourceDoc, type Path } from './fields.js';
import { ID_TEXT, TEMPLATE_ID, nth } from './ids.js';
import type {
  BusSpec,
  CustomerSpec,
  DailyShape,
  DeviceSpec,
  Dlt645MeterSpec,
  MeterLoadSpec,
  TerminalSpec,
  TransformerSpec,
} from './types.js';

export function parseDevice(
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
