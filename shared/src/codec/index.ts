/** The compact telemetry encoding and encoding negotiation (format in README.md here). */
export {
  COMPACT_FORMAT_VERSION,
  COMPACT_TELEMETRY_CONTENT_TYPE,
  JSON_TELEMETRY_CONTENT_TYPE,
  MAX_COMPACT_INFLATED_BYTES,
} from './compact-format.js';
export { encodeCompactTelemetry } from './compact-encode.js';
export { decodeCompactTelemetry } from './compact-decode.js';
export { resolveTelemetryEncoding, decodeTelemetryPayload, type TelemetryEncoding } from './negotiate.js';
