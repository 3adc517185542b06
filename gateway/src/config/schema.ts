/**
 * Schema of the gateway's config file (TypeBox, the one schema language of gridsafe):
 * each field's type and range. What depends on other fields (a device's bus, unique
 * ids, the profile's register cap, DL/T 645 fields) is checked in load.ts.
 */
import { Duration, GATEWAY_ID_PATTERN, MAX_BATCH_BYTES, OneOf, Section, Size, Type } from '@gridsafe/shared';
import { OVERFLOW_POLICIES } from '../outbox/overflow/index.js';

const optional = Type.Optional;
const nonEmpty = Type.String({ minLength: 1 });
const id = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$', hint: 'must be 1 to 64 letters, digits or _ . : -' });
const ratio = Type.Number({ exclusiveMinimum: 0, maximum: 100_000 });

/** Fault-handling settings; under `polling:`, overridable per bus and per device (types.ts says what each means). */
export const pollingSchema = Section({
  timeout: optional(Duration({ min: '10ms', max: '1m' })),
  retries: optional(Type.Integer({ minimum: 0, maximum: 10 })),
  retryBackoff: optional(Duration({ max: '1m' })),
  busyRetries: optional(Type.Integer({ minimum: 0, maximum: 20 })),
  busyBackoff: optional(Duration({ max: '1m' })),
  gapFill: optional(Type.Integer({ minimum: 0, maximum: 123 })),
  commLostAfter: optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  backoffMax: optional(Duration({ min: '100ms', max: '1d' })),
});

/** tcp and serial buses share one shape; fields that do not apply to the kind are refused in load.ts. */
export const busSchema = Section({
  id,
  kind: OneOf(['tcp', 'serial']),
  host: optional(nonEmpty),
  port: optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  maxInFlight: optional(Type.Integer({ minimum: 1, maximum: 256 })),
  pauseAfterConnect: optional(Duration({ max: '1m' })),
  path: optional(nonEmpty),
  baudRate: optional(Type.Integer({ minimum: 300, maximum: 4_000_000 })),
  parity: optional(OneOf(['none', 'even', 'odd'])),
  dataBits: optional(OneOf([7, 8])),
  stopBits: optional(OneOf([1, 2])),
  pause: optional(Duration({ max: '1m' })),
  reconnectMax: optional(Duration({ min: '500ms', max: '10m' })),
  polling: optional(pollingSchema),
});

export const deviceSchema = Section({
  id,
  bus: nonEmpty,
  // Modbus unit 0 is broadcast (no reply), 248..255 reserved: 1..247 address a slave.
  unit: optional(Type.Integer({ minimum: 1, maximum: 247 })),
  profile: nonEmpty,
  ctRatio: optional(ratio),
  ptRatio: optional(ratio),
  pollInterval: optional(Duration({ min: '10ms', max: '1d' })),
  maxRegistersPerRequest: optional(Type.Integer({ minimum: 2, maximum: 125 })),
  polling: optional(pollingSchema),
  address: optional(
    Type.String({ pattern: '^\\d{12}$', hint: 'must be the meter\'s 12-digit address, e.g. "000000001234"' }),
  ),
  preamble: optional(Type.Integer({ minimum: 0, maximum: 16 })),
  utcOffset: optional(
    Type.String({ pattern: '^[+-]\\d{2}:\\d{2}$', hint: 'must be an offset from UTC such as +08:00' }),
  ),
});

export const gatewayFileSchema = Section({
  gateway: Section({
    id: Type.String({
      pattern: GATEWAY_ID_PATTERN.source,
      hint: 'must be 1 to 64 letters, digits, _ or - (CONTRACT.md gateway id)',
    }),
  }),
  mqtt: optional(
    Section({
      url: optional(nonEmpty),
      username: optional(nonEmpty),
      password: optional(Type.String()),
      clientId: optional(nonEmpty),
      topicPrefix: optional(nonEmpty),
      keepalive: optional(Duration({ min: '1s', max: '1h' })),
      reconnectMin: optional(Duration({ min: '10ms' })),
      reconnectMax: optional(Duration({ min: '10ms' })),
      inflight: optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      statusInterval: optional(Duration({ min: '100ms' })),
      encoding: optional(OneOf(['json', 'compact'])),
    }),
  ),
  dataDir: optional(nonEmpty),
  batch: optional(
    Section({
      maxAge: optional(Duration({ min: '10ms', max: '1h' })),
      maxReadings: optional(Type.Integer({ minimum: 1, maximum: 20_000 })),
      // Well under the contract's 256 KiB so an estimate off by a little never makes a batch the cloud rejects.
      maxBytes: optional(Size({ minimum: 1024, maximum: MAX_BATCH_BYTES / 2 })),
    }),
  ),
  outbox: optional(
    Section({
      maxBytes: optional(Size({ minimum: 64 * 1024 })),
      overflow: optional(OneOf(Object.keys(OVERFLOW_POLICIES))),
      synchronous: optional(OneOf(['full', 'normal'])),
    }),
  ),
  profiles: optional(Section({ dir: optional(Type.String()) })),
  polling: optional(pollingSchema),
  buses: Type.Array(busSchema),
  devices: Type.Array(deviceSchema),
  jobs: optional(
    Section({
      midnightEnergy: optional(
        Section({ enabled: optional(Type.Boolean()), cron: optional(nonEmpty), timezone: optional(Type.String()) }),
      ),
    }),
  ),
  shutdownFlush: optional(Duration({ max: '10m' })),
});
