/**
 * Which encoding an incoming telemetry message is in (CONTRACT.md: "negotiated (MQTT 5
 * content type, or a topic suffix)"), and one entry point that decodes either.
 *
 * - topic `.../telemetry/compact`: compact, whatever else is said (MQTT 3.1.1 senders
 *   have no content type); a content type naming JSON there is a contradiction and refused;
 * - topic `.../telemetry` with content type COMPACT_TELEMETRY_CONTENT_TYPE: compact;
 * - topic `.../telemetry` with no content type or `application/json` (parameters such as
 *   `; charset=utf-8` allowed): JSON;
 * - any other content type: refused as bad_encoding, rather than guessed.
 */
import type { TelemetryBatch } from '../contract/types.js';
import { decodeJsonTelemetry, type BatchCheckOptions, type Validated } from '../contract/validate.js';
import { decodeCompactTelemetry } from './compact-decode.js';
import { COMPACT_TELEMETRY_CONTENT_TYPE, JSON_TELEMETRY_CONTENT_TYPE } from './compact-format.js';

export type TelemetryEncoding = 'json' | 'compact';

function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

export function resolveTelemetryEncoding(
  topicEncoding: TelemetryEncoding,
  contentType?: string,
): Validated<TelemetryEncoding> {
  if (contentType === undefined || contentType === '') return { ok: true, value: topicEncoding };
  const media = mediaType(contentType);
  if (media === COMPACT_TELEMETRY_CONTENT_TYPE) return { ok: true, value: 'compact' };
  if (media === JSON_TELEMETRY_CONTENT_TYPE && topicEncoding === 'json') return { ok: true, value: 'json' };
  if (media === JSON_TELEMETRY_CONTENT_TYPE) {
    return {
      ok: false,
      reason: 'bad_encoding',
      message: `content type "${contentType}" contradicts the compact topic suffix`,
    };
  }
  return {
    ok: false,
    reason: 'bad_encoding',
    message: `content type "${contentType}" is not a telemetry encoding; use ${JSON_TELEMETRY_CONTENT_TYPE} or ${COMPACT_TELEMETRY_CONTENT_TYPE}`,
  };
}

/** Decodes a telemetry payload given the topic's encoding and the MQTT 5 content type, if any. */
export function decodeTelemetryPayload(
  payload: Uint8Array,
  topicEncoding: TelemetryEncoding,
  contentType?: string,
  options: BatchCheckOptions = {},
): Validated<TelemetryBatch> & { encoding?: TelemetryEncoding } {
  const encoding = resolveTelemetryEncoding(topicEncoding, contentType);
  if (!encoding.ok) return encoding;
  const decoded =
    encoding.value === 'compact' ? decodeCompactTelemetry(payload, options) : decodeJsonTelemetry(payload, options);
  return { ...decoded, encoding: encoding.value };
}
