/** Points in time of a scenario: `at` of an event (a duration after t0, or an ISO 8601 timestamp) and `start`. */
import { Duration, schemaProblems, toMs, type FieldPath } from '@gridsafe/shared';
import type { Problems } from './problems.js';
import type { TimeRef } from './types.js';

/** Checked once with the shared Duration, so `at: 60` gets the same "say 60s or 60ms" as every duration. */
const AFTER_T0 = Duration();
const ISO_DATE = /^\d{4}-\d\d-\d\d/;

/** Milliseconds since the epoch of an ISO 8601 timestamp, or undefined (and a problem) when it is not one. */
export function instantOf(value: string, path: FieldPath, problems: Problems): number | undefined {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) problems.add(path, `"${value}" is not a valid ISO 8601 timestamp`);
  return Number.isNaN(ms) ? undefined : ms;
}

export function timeRefOf(value: unknown, path: FieldPath, problems: Problems): TimeRef | undefined {
  if (typeof value === 'string' && ISO_DATE.test(value)) {
    const absoluteMs = instantOf(value, path, problems);
    return absoluteMs === undefined ? undefined : { absoluteMs };
  }
  const found = schemaProblems(AFTER_T0, value, problems.source, path);
  problems.addFormatted(found);
  return found.length > 0 ? undefined : { offsetMs: toMs(value as string) };
}
