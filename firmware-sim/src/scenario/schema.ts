/**
 * Schema of a scenario file (TypeBox, the one schema language of gridsafe, checked by the
 * validator every gridsafe program shares): each field's type and range. What depends on
 * other fields (a device's bus and profile, unique ids, fields of one bus kind or event
 * type only, `{n}` in the ids of copies) is checked by the parse-* modules.
 */
import { Duration, MAX_DATA_BYTES, OneOf, Section, Type, type Static } from '@gridsafe/shared';
import { COMM_FAULTS, EVENT_TYPES, PHASES, RTU_FRAMINGS, type DailyShape } from './types.js';

const optional = Type.Optional;
const text = Type.String({ minLength: 1 });
const number = (minimum: number, maximum: number) => Type.Number({ minimum, maximum });
const whole = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum });
const numbers = (count: number, minimum: number, maximum: number) =>
  Type.Array(number(minimum, maximum), { minItems: count, maxItems: count });

const id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', hint: 'must be 1 to 64 letters, digits, "_" or "-"' });
/** Ids of copies (`count`) may hold "{n}", replaced by the copy's number. */
const templateId = Type.String({
  pattern: '^[A-Za-z0-9_{}-]{1,64}$',
  hint: 'must be 1 to 64 letters, digits, "_", "-" or "{n}"',
});

export const transformerSchema = Section({ id, ratedKva: number(1, 1e6), site: optional(Type.String()) });
export const customerSchema = Section({ id, contractKva: number(1, 1e6), name: optional(Type.String()) });

/** TCP and RTU buses share one shape; fields of the other kind are refused in parse-buses.ts. */
export const busSchema = Section({
  id: templateId,
  kind: OneOf(['tcp', 'rtu']),
  host: optional(text),
  port: optional(whole(0, 65535)),
  path: optional(text),
  baudRate: optional(whole(300, 4_000_000)),
  parity: optional(OneOf(['none', 'even', 'odd'])),
  dataBits: optional(OneOf([7, 8])),
  stopBits: optional(OneOf([1, 2])),
  turnaroundMs: optional(number(0, 10_000)),
  minRequestGapMs: optional(number(0, 10_000)),
  framing: optional(OneOf(RTU_FRAMINGS)),
  count: optional(whole(1, 1000)),
  pad: optional(whole(1, 6)),
});

/** A named shape or 24 hourly factors (a type union: one message for a wrong value, where anyOf gives one per branch). */
const dailyShape = Type.Unsafe<DailyShape>({
  type: ['string', 'array'],
  pattern: '^(flat|residential|commercial|industrial)$',
  hint: 'must be flat, residential, commercial, industrial or a list of 24 hourly factors',
  items: { type: 'number', minimum: 0, maximum: 100 },
  minItems: 24,
  maxItems: 24,
});

export const loadSchema = Section({
  baseKva: number(0, 1e6),
  pf: optional(number(0.05, 1)),
  daily: optional(dailyShape),
  weekendFactor: optional(number(0, 10)),
  seasonalAmplitude: optional(number(0, 0.9)),
  seasonalPeakDay: optional(whole(1, 366)),
  dailyVariation: optional(number(0, 1)),
  noise: optional(number(0, 0.5)),
  shares: optional(numbers(3, 0, 1)),
  nominalVoltage: optional(number(1, 1e6)),
  voltageNoise: optional(number(0, 0.2)),
  frequencyHz: optional(number(40, 70)),
  initialImportKwh: optional(number(0, 1e9)),
  initialExportKwh: optional(number(0, 1e9)),
});

export const terminalSchema = Section({
  residualMa: optional(number(0, 30_000)),
  residualNoiseMa: optional(number(0, 1000)),
  temperaturesC: optional(numbers(4, -40, 200)),
  temperatureNoiseC: optional(number(0, 20)),
  ratedResidualMa: optional(number(20, 1000)),
  prewarningResidualMa: optional(number(0, 1000)),
  // FACTS.md: GB 14287.3 setting range 55-140 °C (unconfirmed).
  alarmTemperatureC: optional(number(55, 140)),
  breaker: optional(OneOf([0, 1])),
});

export const deviceSchema = Section({
  id: templateId,
  profile: text,
  /** One bus, or a list the copies go round-robin across. */
  bus: Type.Unsafe<string | string[]>({
    type: ['string', 'array'],
    minLength: 1,
    minItems: 1,
    items: { type: 'string', minLength: 1 },
  }),
  unit: optional(whole(1, 247)),
  ctRatio: optional(number(0.001, 1e6)),
  ptRatio: optional(number(0.001, 1e6)),
  transformer: optional(text),
  customer: optional(text),
  load: optional(loadSchema),
  terminal: optional(terminalSchema),
  count: optional(whole(1, 100_000)),
  pad: optional(whole(1, 6)),
  address: optional(Type.String({ pattern: '^[0-9]{12}$', hint: 'must be the meter address, 12 digits' })),
  // L ≤ 200 holds the DI (4 bytes) and, in a follow-up frame, its frame number.
  maxFrameData: optional(whole(1, MAX_DATA_BYTES - 5)),
  preamble: optional(whole(0, 4)),
});

/** Every event type's parameters in one shape; those of another type are refused in parse-events.ts. */
export const eventSchema = Section({
  device: text,
  type: OneOf(EVENT_TYPES),
  /** A duration after t0 or an ISO 8601 timestamp: read by times.ts, which gives the shared duration messages. */
  at: Type.Unknown(),
  duration: optional(Duration()),
  note: optional(Type.String()),
  targetKva: optional(number(0, 1e6)),
  targetFactor: optional(number(0, 100)),
  ramp: optional(Duration()),
  targetKw: optional(number(0, 1e6)),
  factor: optional(number(0, 2)),
  phases: optional(Type.Array(OneOf(PHASES), { minItems: 1 })),
  shares: optional(numbers(3, 0, 1)),
  pf: optional(number(0.05, 1)),
  phase: optional(OneOf(PHASES)),
  residualMa: optional(number(0, 30_000)),
  channel: optional(OneOf([1, 2, 3, 4])),
  rateCPerMin: optional(number(0, 1000)),
  maxC: optional(number(-40, 200)),
  fault: optional(OneOf(COMM_FAULTS)),
  code: optional(whole(1, 255)),
  delayMs: optional(number(0, 600_000)),
  garbageBytes: optional(whole(1, 256)),
  probability: optional(number(0, 1)),
});

export const scenarioSchema = Section({
  $comment: optional(Type.String()),
  name: optional(text),
  seed: optional(whole(0, 0xffffffff)),
  tick: optional(Duration({ min: '10ms', max: '1h' })),
  tickMs: optional(whole(10, 3_600_000)),
  utcOffsetMinutes: optional(whole(-720, 840)),
  start: optional(
    Type.String({
      pattern: '^\\d{4}-\\d\\d-\\d\\d',
      hint: 'must be an ISO 8601 timestamp, such as 2025-03-03T00:00:00+08:00',
    }),
  ),
  transformers: optional(Type.Array(transformerSchema)),
  customers: optional(Type.Array(customerSchema)),
  buses: Type.Array(busSchema),
  devices: Type.Array(deviceSchema),
  events: optional(Type.Array(eventSchema)),
});

export type ScenarioFile = Static<typeof scenarioSchema>;
export type BusFile = Static<typeof busSchema>;
export type DeviceFile = Static<typeof deviceSchema>;
export type LoadFile = Static<typeof loadSchema>;
export type TerminalFile = Static<typeof terminalSchema>;
export type EventFile = Static<typeof eventSchema>;
