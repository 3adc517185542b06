/**
 * Finds the compact-telemetry decoder in @gridsafe/shared when that build has one
 * (issue 4 adds `decodeCompactTelemetry`); until then compact batches are rejected
 * with reason `bad_encoding` and a message that says why.
 */
import * as shared from '@gridsafe/shared';
import type { BatchCheckOptions, TelemetryBatch, Validated } from '@gridsafe/shared';

export type CompactDecoder = (payload: Uint8Array, options: BatchCheckOptions) => Validated<TelemetryBatch>;

export function findCompactDecoder(): CompactDecoder | null {
  // Looked up by name so this file builds whether or not shared exports it yet.
  const candidate = (shared as Record<string, unknown>)['decodeCompactTelemetry'];
  return typeof candidate === 'function' ? (candidate as CompactDecoder) : null;
}
