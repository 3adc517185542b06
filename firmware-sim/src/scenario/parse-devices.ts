/**
 * A scenario's `devices:` entries (already checked by the schema): meters (with their
 * load) and terminals, tied to their profile, bus, transformer and customer, expanded
 * into their copies.
 */
import { MAX_DATA_BYTES, type DeviceProfile, type FieldPath } from '@gridsafe/shared';
import { copies, nth } from './ids.js';
import type { Problems } from './problems.js';
import type { DeviceFile, LoadFile, TerminalFile } from './schema.js';
import type {
  BusSpec,
  CustomerSpec,
  DeviceSpec,
  Dlt645MeterSpec,
  MeterLoadSpec,
  TerminalSpec,
  TransformerSpec,
} from './types.js';

/** What a device may refer to. */
export interface DeviceRefs {
  profiles: Map<string, DeviceProfile>;
  buses: BusSpec[];
  transformers: TransformerSpec[];
  customers: CustomerSpec[];
}

const DLT645_ONLY = ['address', 'maxFrameData', 'preamble'] as const;

/** The device's copies, or none when it has a mistake (reported to `problems`). */
export function devicesOf(device: DeviceFile, path: FieldPath, refs: DeviceRefs, problems: Problems): DeviceSpec[] {
  const before = problems.count;
  const { count, pad } = copies(device);
  if (count > 1 && !device.id.includes('{n}'))
    problems.add([...path, 'id'], 'with a count above 1 the id must contain {n}, replaced by the copy number');
  const profile = refs.profiles.get(device.profile);
  if (!profile) {
    problems.add(
      [...path, 'profile'],
      `no device profile "${device.profile}"; known: ${[...refs.profiles.keys()].join(', ')}`,
    );
    return [];
  }
  const busIds = typeof device.bus === 'string' ? [device.bus] : device.bus;
  for (const bus of busIds)
    if (!refs.buses.some((b) => b.id === bus))
      problems.add([...path, 'bus'], `no bus "${bus}"; known: ${refs.buses.map((b) => b.id).join(', ')}`);

  const dlt645 =
    profile.protocol === 'dlt645' ? dlt645Of(device, path, count, busIds, refs.buses, problems) : undefined;
  if (profile.protocol !== 'dlt645')
    for (const key of DLT645_ONLY)
      if (device[key] !== undefined)
        problems.add([...path, key], `applies to DL/T 645 meters only; profile "${device.profile}" is Modbus`, true);
  const unit = device.unit ?? 1;
  const perBus = Math.ceil(count / busIds.length);
  if (!dlt645 && unit + perBus - 1 > 247)
    problems.add(
      [...path, 'count'],
      `${count} devices across ${busIds.length} bus(es) from unit ${unit} need unit ids above 247; add buses`,
    );
  const { transformer, customer } = device;
  if (transformer !== undefined && !refs.transformers.some((t) => t.id === transformer))
    problems.add([...path, 'transformer'], `no transformer "${transformer}" under transformers`);
  if (customer !== undefined && !refs.customers.some((c) => c.id === customer))
    problems.add([...path, 'customer'], `no customer "${customer}" under customers`);

  let load: MeterLoadSpec | undefined;
  let terminal: TerminalSpec | undefined;
  if (profile.kind === 'meter') {
    if (device.terminal !== undefined)
      problems.add(
        [...path, 'terminal'],
        `profile "${device.profile}" is a meter; describe its load under "load"`,
        true,
      );
    if (device.load === undefined)
      problems.add([...path, 'load'], `is missing: profile "${device.profile}" is a meter (load: { baseKva: ... })`);
    else load = loadOf(device.load, [...path, 'load'], problems);
  } else {
    if (device.load !== undefined)
      problems.add([...path, 'load'], `profile "${device.profile}" is a terminal; describe it under "terminal"`, true);
    terminal = terminalOf(device.terminal ?? {});
  }
  if (problems.count > before) return [];

  const base = {
    profile: device.profile,
    ctRatio: device.ctRatio ?? 1,
    ptRatio: device.ptRatio ?? 1,
    ...(transformer !== undefined ? { transformer } : {}),
    ...(customer !== undefined ? { customer } : {}),
  };
  return Array.from({ length: count }, (_, k) => ({
    id: nth(device.id, k + 1, pad),
    ...base,
    bus: busIds[k % busIds.length]!,
    unit: dlt645 ? 0 : unit + Math.floor(k / busIds.length),
    ...(dlt645 ? { dlt645: { ...dlt645, address: String(Number(dlt645.address) + k).padStart(12, '0') } } : {}),
    ...(load ? { load } : {}),
    ...(terminal ? { terminal } : {}),
  }));
}

/** A DL/T 645 meter's address (copies count up from it), frame limit and reply preamble; it needs an RTU bus. */
function dlt645Of(
  device: DeviceFile,
  path: FieldPath,
  count: number,
  busIds: string[],
  buses: BusSpec[],
  problems: Problems,
): Dlt645MeterSpec | undefined {
  if (device.unit !== undefined)
    problems.add([...path, 'unit'], 'a DL/T 645 meter has an address, not a Modbus unit', true);
  for (const bus of busIds) {
    const kind = buses.find((b) => b.id === bus)?.kind;
    if (kind !== undefined && kind !== 'rtu')
      problems.add([...path, 'bus'], `"${bus}" is not an RTU bus; DL/T 645 meters need one`);
  }
  const { address } = device;
  if (address === undefined) {
    problems.add([...path, 'address'], 'is missing: a DL/T 645 meter has a 12-digit address');
    return undefined;
  }
  if (Number(address) + count - 1 > 999_999_999_999)
    problems.add([...path, 'count'], `${count} copies from ${address} run past 12 digits`);
  return {
    address,
    maxFrameData: device.maxFrameData ?? MAX_DATA_BYTES - 5,
    preamble: device.preamble ?? 2,
  };
}

/** A meter's load where the file says nothing (README "devices" table). */
const LOAD_DEFAULTS: Omit<MeterLoadSpec, 'baseKva'> = {
  pf: 0.95,
  daily: 'flat',
  weekendFactor: 1,
  seasonalAmplitude: 0,
  seasonalPeakDay: 200,
  dailyVariation: 0,
  noise: 0.02,
  shares: [1 / 3, 1 / 3, 1 / 3],
  nominalVoltage: 230,
  voltageNoise: 0.004,
  frequencyHz: 50,
  initialImportKwh: 10_000,
  initialExportKwh: 0,
};

/** A terminal where the file says nothing. */
const TERMINAL_DEFAULTS: TerminalSpec = {
  // FACTS.md: normal background leakage is often 100-200 mA.
  residualMa: 120,
  residualNoiseMa: 5,
  temperaturesC: [35, 35, 35, 30],
  temperatureNoiseC: 0.2,
  // FACTS.md: GB 50116-2013 §9.2.3 alarm setting 300-500 mA.
  ratedResidualMa: 300,
  prewarningResidualMa: 240,
  // FACTS.md: GB 14287.3 setting range 55-140 °C (unconfirmed); 80 °C is a configurable default.
  alarmTemperatureC: 80,
  breaker: 1,
};

function loadOf(load: LoadFile, path: FieldPath, problems: Problems): MeterLoadSpec {
  const shares = (load.shares as [number, number, number] | undefined) ?? LOAD_DEFAULTS.shares;
  if (Math.abs(shares[0] + shares[1] + shares[2] - 1) > 0.01)
    problems.add([...path, 'shares'], 'the three phase shares must add up to 1');
  // baseKva first and the defaults' order after it, so a scenario always prints its fields alike.
  const { baseKva, ...given } = load;
  return { baseKva, ...LOAD_DEFAULTS, ...given, shares };
}

function terminalOf(terminal: TerminalFile): TerminalSpec {
  const temperaturesC =
    (terminal.temperaturesC as TerminalSpec['temperaturesC'] | undefined) ?? TERMINAL_DEFAULTS.temperaturesC;
  return { ...TERMINAL_DEFAULTS, ...terminal, temperaturesC };
}
