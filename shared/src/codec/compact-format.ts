/**
 * Constants of the compact telemetry encoding, format 1 (see README.md in this folder
 * for the layout). Both the encoder and the decoder read them from here.
 */
import { MAX_BATCH_BYTES } from '../contract/validate.js';

/** First byte of every compact payload; anything else is refused, so the format can evolve. */
export const COMPACT_FORMAT_VERSION = 1;

/**
 * MQTT 5 content type that negotiates the compact encoding on the plain telemetry topic
 * (CONTRACT.md: "MQTT 5 content type, or a topic suffix").
 */
export const COMPACT_TELEMETRY_CONTENT_TYPE = 'application/vnd.gridsafe.telemetry.v1+cbor-deflate';
/** MQTT 5 content type of the JSON reference encoding (optional: no content type means JSON). */
export const JSON_TELEMETRY_CONTENT_TYPE = 'application/json';

/**
 * Most bytes the deflate stream may inflate to. A compact batch needs fewer bytes than
 * its JSON twin, which is itself bounded by MAX_BATCH_BYTES, so 16x the wire limit leaves
 * room for the biggest honest batch while a deflate bomb stops after 4 MiB of work.
 */
export const MAX_COMPACT_INFLATED_BYTES = 16 * MAX_BATCH_BYTES;

/** Decimal exponents whose power of ten is an exact double, so m / 10^k is correctly rounded. */
export const MIN_DECIMAL_EXPONENT = -22;
export const MAX_DECIMAL_EXPONENT = 22;
/** Mantissas stay below 2^51 so that a delta of two of them, zigzagged, is still a safe integer. */
export const MAX_MANTISSA = 2 ** 51;

export const QUALITY_CODES = ['good', 'stale', 'suspect'] as const;

/** Exact powers of ten 10^0 .. 10^22 (all representable as doubles). */
export const POW10: readonly number[] = Array.from({ length: MAX_DECIMAL_EXPONENT + 1 }, (_, k) => Number(`1e${k}`));

/** The value a decimal column cell stands for: correctly rounded because 10^|e| is exact. */
export function decimalValue(mantissa: number, exponent: number): number {
  return exponent < 0 ? mantissa / (POW10[-exponent] as number) : mantissa * (POW10[exponent] as number);
}
