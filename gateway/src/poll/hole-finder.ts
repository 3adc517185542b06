/**
 * What a poll does when a device answers exception 2 (illegal data address) to a read:
 * some register the request spans is one the device does not have. The request is cut
 * into runs of wanted registers (no gap filled) and each run is read; a run that is
 * refused too is read value by value, and a value the device refuses is unreadable.
 * Then each gap between two readable runs is tried once by reading the two runs
 * together: refused, the gap holds a hole (with only two runs the first refusal already
 * said so). The values read are returned with the holes found, which the poller keeps
 * for the device's life so the planner never merges across them again.
 */
import type { RegisterHole } from '@gridsafe/shared';
import type { BusOutcome } from '../modbus/bus.js';
import { EXCEPTION_ILLEGAL_ADDRESS, type ModbusReadError } from '../modbus/errors.js';
import { planRequests, type PlannedRequest } from '../modbus/planner.js';

/** One request's reply: the words and when the request went out. */
export interface ReadPart {
  request: PlannedRequest;
  words: number[];
  sentAt: number;
}

export interface HoleSearchResult {
  parts: ReadPart[];
  holes: RegisterHole[];
  /** A failure other than exception 2 that stopped the search (the device stopped answering, say). */
  error: ModbusReadError | undefined;
}

export const isIllegalAddress = (outcome: BusOutcome): boolean =>
  !outcome.ok && outcome.error.kind === 'exception' && outcome.error.exceptionCode === EXCEPTION_ILLEGAL_ADDRESS;

/** Splits a request the device refused with exception 2; `read` sends one request (with the poller's retries). */
export async function findHoles(
  refused: PlannedRequest,
  refusal: BusOutcome,
  read: (request: PlannedRequest) => Promise<BusOutcome>,
): Promise<HoleSearchResult> {
  const fn = refused.function;
  const result: HoleSearchResult = { parts: [], holes: [], error: undefined };
  const registers = refused.values.map((v) => v.register);
  const runs = planRequests(registers, { maxRegisters: refused.count, gapFill: 0 });
  const readable: Array<PlannedRequest | undefined> = [];
  for (const run of runs) {
    // A single run is the refused request itself: no need to ask again.
    const outcome = runs.length > 1 ? await read(run) : refusal;
    if (outcome.ok) {
      result.parts.push({ request: run, words: outcome.words, sentAt: outcome.sentAt });
      readable.push(run);
      continue;
    }
    if (!isIllegalAddress(outcome)) {
      result.error = outcome.error;
      return result;
    }
    readable.push(undefined);
    for (const value of run.values) {
      const single = planRequests([value.register], { maxRegisters: refused.count, gapFill: 0 })[0]!;
      const answer = run.values.length > 1 ? await read(single) : outcome;
      if (answer.ok) {
        result.parts.push({ request: single, words: answer.words, sentAt: answer.sentAt });
      } else if (isIllegalAddress(answer)) {
        result.holes.push({ function: fn, first: single.address, last: single.address + single.count - 1 });
      } else {
        result.error = answer.error;
        return result;
      }
    }
  }
  for (let i = 0; i + 1 < runs.length; i++) {
    const left = readable[i];
    const right = readable[i + 1];
    if (!left || !right) continue;
    const gap: RegisterHole = { function: fn, first: left.address + left.count, last: right.address - 1 };
    if (runs.length === 2) {
      result.holes.push(gap);
      continue;
    }
    const merged: PlannedRequest = {
      function: fn,
      address: left.address,
      count: right.address + right.count - left.address,
      values: [...left.values, ...right.values],
    };
    const probe = await read(merged);
    if (isIllegalAddress(probe)) result.holes.push(gap);
    else if (!probe.ok) {
      result.error = probe.error;
      return result;
    }
  }
  return result;
}

/** Registers a hole spans, for logs. */
export const describeHole = (h: RegisterHole): string =>
  `FC ${h.function} 0x${h.first.toString(16)}-0x${h.last.toString(16)} (${h.last - h.first + 1} registers)`;
