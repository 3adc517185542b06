/**
 * A scenario, once read and checked: the fleet (buses, devices, their loads) and the
 * events injected into it. Times of events are offsets from the scenario's start
 * (`t0`: the simulator's start, or `start` when the clock is simulated) or absolute.
 */

export type Phase = 'a' | 'b' | 'c';
export const PHASES: readonly Phase[] = ['a', 'b', 'c'];

export type Parity = 'none' | 'even' | 'odd';

export interface TcpBusSpec {
  id: string;
  kind: 'tcp';
  host: string;
  /** 0 binds a free port (tests); the bound port is reported by the simulator handle. */
  port: number;
}

export interface RtuBusSpec {
  id: string;
  kind: 'rtu';
  /** Serial device: a real tty or one end of a socat pseudo-terminal pair. */
  path: string;
  baudRate: number;
  parity: Parity;
  dataBits: 7 | 8;
  stopBits: 1 | 2;
  /** Time a device takes to start answering after the request's end-of-frame silence. */
  turnaroundMs: number;
  /** A request that starts sooner than this after the last reply ended is ignored (a quirk of some devices); 0 = off. */
  minRequestGapMs: number;
  /**
   * `strict` (the default): frames end at a 3.5-character silence and a frame with a gap over
   * 1.5 characters, a bad CRC or bytes beyond its request is dropped, as a real device does.
   * `lenient`: frames are cut by length and CRC whatever the timing, skipping bytes that make none.
   */
  framing: RtuFraming;
}

export const RTU_FRAMINGS = ['strict', 'lenient'] as const;
export type RtuFraming = (typeof RTU_FRAMINGS)[number];

export type BusSpec = TcpBusSpec | RtuBusSpec;

/** Hour-of-day load factors: a named shape or 24 numbers (hour 0..23, interpolated). */
export type DailyShape = 'flat' | 'residential' | 'commercial' | 'industrial' | number[];

export interface MeterLoadSpec {
  /** Apparent power at a shape factor of 1, primary side. */
  baseKva: number;
  /** Power factor of the load (lagging, positive). */
  pf: number;
  daily: DailyShape;
  /** Load factor on Saturdays and Sundays (1 = no weekday/weekend difference). */
  weekendFactor: number;
  /** ± fraction of seasonal swing over the year (0 = none), peaking on `seasonalPeakDay`. */
  seasonalAmplitude: number;
  /** Day of the year (1..366) of the seasonal peak. */
  seasonalPeakDay: number;
  /** Relative standard deviation of the day-to-day level. */
  dailyVariation: number;
  /** Relative standard deviation of the load noise. */
  noise: number;
  /** Share of the load on each phase before events (sums to 1). */
  shares: [number, number, number];
  /** Nominal phase-to-neutral voltage, V (primary side). */
  nominalVoltage: number;
  /** Relative standard deviation of the voltage. */
  voltageNoise: number;
  frequencyHz: number;
  /** Import energy register at t0, kWh primary. */
  initialImportKwh: number;
  initialExportKwh: number;
}

export interface TerminalSpec {
  residualMa: number;
  residualNoiseMa: number;
  temperaturesC: [number, number, number, number];
  temperatureNoiseC: number;
  /** Rated residual operating current setting (alarm), mA. FACTS.md: GB 50116-2013 §9.2.3, 300–500 mA. */
  ratedResidualMa: number;
  /** Pre-warning setting, mA. */
  prewarningResidualMa: number;
  /** Temperature at which the terminal reports alarm status 2, °C. */
  alarmTemperatureC: number;
  breaker: 0 | 1;
}

export interface DeviceSpec {
  id: string;
  /** Device profile id (shared/profiles/<id>.json). */
  profile: string;
  bus: string;
  /** Modbus unit id (TCP) or slave address (RTU), 1..247 (0 for a DL/T 645 meter). */
  unit: number;
  /** Present for DL/T 645 meters (a profile with protocol dlt645, on an RTU bus). */
  dlt645?: Dlt645MeterSpec;
  /** CT ratio (primary/secondary, e.g. 60 for 300/5 A) and PT ratio. */
  ctRatio: number;
  ptRatio: number;
  transformer?: string;
  customer?: string;
  /** Present for meters. */
  load?: MeterLoadSpec;
  /** Present for terminals. */
  terminal?: TerminalSpec;
}

export interface Dlt645MeterSpec {
  /** 12 digits, most significant first. */
  address: string;
  /** Data bytes per reply frame (after the DI) before the rest goes in follow-up frames (the standard's 200 at most). */
  maxFrameData: number;
  /** Wake-up bytes (FE) the meter sends before each reply (FACTS.md: 0 to 4). */
  preamble: number;
}

export interface TransformerSpec {
  id: string;
  ratedKva: number;
}

export interface CustomerSpec {
  id: string;
  contractKva: number;
}

/** When an event starts: an offset from t0, or an absolute time (ms since the epoch). */
export type TimeRef = { offsetMs: number } | { absoluteMs: number };

export const COMM_FAULTS = ['no_reply', 'bad_crc', 'exception', 'slow_reply', 'garbage'] as const;
export type CommFaultKind = (typeof COMM_FAULTS)[number];

export interface CommFault {
  fault: CommFaultKind;
  /** Exception code for `exception` (2, 3, 6, ...). */
  code: number;
  /** Extra delay before the reply for `slow_reply`, ms. */
  delayMs: number;
  /** Random bytes put on the bus for `garbage`. */
  garbageBytes: number;
  /** Share of requests affected (1 = every request). */
  probability: number;
}

export type EventParams =
  | { type: 'overload_ramp'; targetKva: number; rampMs: number }
  | { type: 'demand_above_contract'; targetKw: number; rampMs: number }
  | { type: 'voltage_sag' | 'voltage_swell'; factor: number; phases: Phase[] }
  | { type: 'phase_unbalance'; shares: [number, number, number] }
  | { type: 'low_power_factor'; pf: number }
  | { type: 'meter_bypass'; phase: Phase }
  | { type: 'leakage_step'; residualMa: number }
  | { type: 'over_temperature'; channel: 1 | 2 | 3 | 4; rateCPerMin: number; maxC: number }
  | ({ type: 'comm_fault' } & CommFault);

export type EventType = EventParams['type'];

export const EVENT_TYPES: readonly EventType[] = [
  'overload_ramp',
  'demand_above_contract',
  'voltage_sag',
  'voltage_swell',
  'phase_unbalance',
  'low_power_factor',
  'meter_bypass',
  'leakage_step',
  'over_temperature',
  'comm_fault',
];

/** Event types that act on a meter's load or readings, and those that act on a terminal. */
export const METER_EVENTS: readonly EventType[] = [
  'overload_ramp',
  'demand_above_contract',
  'voltage_sag',
  'voltage_swell',
  'phase_unbalance',
  'low_power_factor',
  'meter_bypass',
];
export const TERMINAL_EVENTS: readonly EventType[] = ['leakage_step', 'over_temperature'];

export interface EventSpec {
  device: string;
  at: TimeRef;
  /** null: lasts until the simulation ends. */
  durationMs: number | null;
  params: EventParams;
}

export interface Scenario {
  /** Where it came from (a file path, or "embedded demo"), for messages. */
  source: string;
  name: string;
  seed: number;
  /** How often the served state changes, ms. */
  tickMs: number;
  /** Offset of local time from UTC, for the daily and weekly shapes (default +8 h, China Standard Time). */
  utcOffsetMinutes: number;
  /** t0 for a simulated clock; a live simulator uses its start time unless this is set. */
  startMs?: number;
  transformers: TransformerSpec[];
  customers: CustomerSpec[];
  buses: BusSpec[];
  devices: DeviceSpec[];
  events: EventSpec[];
}
