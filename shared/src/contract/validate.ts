/**
 * The one validator of incoming payloads, used by the cloud on ingest and by the
 * gateway before it sends. A batch that fails is rejected whole, with a reason code
 * (for counting) and a message that says what and where (for the log).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { gatewayEventSchema, gatewayStatusSchema, telemetryBatchSchema } from './schemas.js';
import { isQuantity } from './quantities.js';
import type { GatewayEvent, GatewayStatus, TelemetryBatch } from './types.js';

/** CONTRACT.md: timestamps more than 5 minutes in the future are rejected. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** Largest accepted batch on the wire (either encoding, before decompression). */
export const MAX_BATCH_BYTES = 256 * 1024;
/** Largest accepted batch once decoded, so a small deflate bomb cannot pass. */
export const MAX_READINGS_PER_BATCH = 20_000;

export const REJECT_REASONS = [
  'too_large',
  'not_json',
  'bad_encoding',
  'schema',
  'unknown_quantity',
  'non_finite',
  'future_timestamp',
  'gateway_mismatch',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type Validated<T> = { ok: true; value: T } | { ok: false; reason: RejectReason; message: string };

export interface BatchCheckOptions {
  /** Clock used for the future-timestamp rule; defaults to Date.now(). */
  now?: number;
  maxFutureSkewMs?: number;
  /** When set, the batch must name this gateway (the one whose topic it came on). */
  expectedGateway?: string;
}

const ajv = new Ajv({ allErrors: false, strict: true });
// Each is compiled on first use: the gateway checks batches only, and a compiled check
// costs about a megabyte of its small box's memory.
let batchValidator: ValidateFunction<TelemetryBatch> | undefined;
let statusValidator: ValidateFunction<GatewayStatus> | undefined;
let eventValidator: ValidateFunction<GatewayEvent> | undefined;

export function describeSchemaError(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'does not match the schema';
  const where = first.instancePath === '' ? '(root)' : first.instancePath;
  if (first.keyword === 'additionalProperties') {
    return `${where}: unexpected property "${String(first.params['additionalProperty'])}"`;
  }
  if (first.keyword === 'propertyNames') {
    return `${where}: property name "${String(first.params['propertyName'])}" is not allowed`;
  }
  return `${where} ${first.message ?? 'is invalid'}`;
}

function schemaCheck<T>(validator: ValidateFunction<T>, input: unknown, what: string): Validated<T> {
  if (validator(input)) return { ok: true, value: input };
  return { ok: false, reason: 'schema', message: `${what}: ${describeSchemaError(validator.errors)}` };
}

/** Validates an already-decoded telemetry batch against the contract. */
export function checkTelemetryBatch(input: unknown, options: BatchCheckOptions = {}): Validated<TelemetryBatch> {
  // Unknown quantities and non-finite numbers get their own reasons (they are the
  // commonest field mistakes), so look for them before the generic schema check.
  const early = findQuantityProblem(input);
  if (early) return early;
  batchValidator ??= ajv.compile<TelemetryBatch>(telemetryBatchSchema);
  const checked = schemaCheck(batchValidator, input, 'telemetry batch');
  if (!checked.ok) return checked;
  const batch = checked.value;
  if (options.expectedGateway !== undefined && batch.gateway !== options.expectedGateway) {
    return {
      ok: false,
      reason: 'gateway_mismatch',
      message: `telemetry batch names gateway "${batch.gateway}" but came on the topic of "${options.expectedGateway}"`,
    };
  }
  if (batch.readings.length > MAX_READINGS_PER_BATCH) {
    return {
      ok: false,
      reason: 'too_large',
      message: `telemetry batch has ${batch.readings.length} readings; the limit is ${MAX_READINGS_PER_BATCH}`,
    };
  }
  const limit = (options.now ?? Date.now()) + (options.maxFutureSkewMs ?? MAX_FUTURE_SKEW_MS);
  for (const [index, reading] of batch.readings.entries()) {
    if (reading.ts > limit) {
      return {
        ok: false,
        reason: 'future_timestamp',
        message: `/readings/${index}/ts ${new Date(reading.ts).toISOString()} is more than ${Math.round((options.maxFutureSkewMs ?? MAX_FUTURE_SKEW_MS) / 1000)} s in the future`,
      };
    }
  }
  return { ok: true, value: batch };
}

function findQuantityProblem(input: unknown): Validated<TelemetryBatch> | null {
  if (typeof input !== 'object' || input === null) return null;
  const readings = (input as { readings?: unknown }).readings;
  if (!Array.isArray(readings)) return null;
  for (const [index, reading] of readings.entries()) {
    const values = (reading as { values?: unknown } | null)?.values;
    if (typeof values !== 'object' || values === null) continue;
    for (const [name, value] of Object.entries(values)) {
      if (!isQuantity(name)) {
        return {
          ok: false,
          reason: 'unknown_quantity',
          message: `/readings/${index}/values/${name}: "${name}" is not a canonical quantity`,
        };
      }
      if (typeof value === 'number' && !Number.isFinite(value)) {
        return {
          ok: false,
          reason: 'non_finite',
          message: `/readings/${index}/values/${name} is ${value}; values must be finite numbers`,
        };
      }
    }
  }
  return null;
}

/** Decodes and validates a JSON-encoded telemetry batch straight from the wire. */
export function decodeJsonTelemetry(payload: Uint8Array, options: BatchCheckOptions = {}): Validated<TelemetryBatch> {
  if (payload.byteLength > MAX_BATCH_BYTES) {
    return {
      ok: false,
      reason: 'too_large',
      message: `payload is ${payload.byteLength} bytes; the limit is ${MAX_BATCH_BYTES}`,
    };
  }
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // JSON has no NaN or Infinity: a sender that wrote them produced invalid JSON.
    const reason: RejectReason = /\b(NaN|-?Infinity)\b/.test(text) ? 'non_finite' : 'not_json';
    return { ok: false, reason, message: `payload is not valid JSON: ${(error as Error).message}` };
  }
  return checkTelemetryBatch(parsed, options);
}

export function checkGatewayStatus(input: unknown): Validated<GatewayStatus> {
  statusValidator ??= ajv.compile<GatewayStatus>(gatewayStatusSchema);
  return schemaCheck(statusValidator, input, 'gateway status');
}

export function checkGatewayEvent(input: unknown): Validated<GatewayEvent> {
  eventValidator ??= ajv.compile<GatewayEvent>(gatewayEventSchema);
  return schemaCheck(eventValidator, input, 'gateway event');
}

/** Parses JSON from an MQTT payload, for status and event messages. */
export function parseJsonPayload(payload: Uint8Array): Validated<unknown> {
  try {
    return { ok: true, value: JSON.parse(Buffer.from(payload).toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: 'not_json', message: `payload is not valid JSON: ${(error as Error).message}` };
  }
}
