/**
 * The poll planner: merges a device's registers into as few read requests as possible.
 * FACTS.md: "On a slow bus, how registers are merged into requests decides almost everything."
 *
 * Registers of one function code are sorted by address and taken greedily: a request
 * grows while the next register starts at most `gapFill` unwanted registers after the
 * request's end, the whole span stays within the cap (≤ 125, FACTS.md FC 3/4 limit,
 * or the device's own limit) and the span does not touch a hole (a range the device
 * refuses to read, declared by its profile or learned at run time). For values on a
 * line that must not be split, extending each request as far as it can go is optimal
 * (an exchange argument: any optimal plan's first request ends no later than the greedy
 * one's), so this gives the minimum count. A register that lies in a hole is left out.
 */
import type { DeviceProfile, RegisterHole, ReadFunction, RegisterDefinition } from '@gridsafe/shared';
import { registerCount } from '@gridsafe/shared/profiles/register-codec.js';

/** FACTS.md: Read Holding/Input Registers (FC 3/4) read 1 to 125 registers. */
export const MODBUS_MAX_READ_REGISTERS = 125;

export interface PlannedValue {
  register: RegisterDefinition;
  /** Word offset of the value within the request's reply. */
  offset: number;
}

export interface PlannedRequest {
  function: ReadFunction;
  address: number;
  count: number;
  values: PlannedValue[];
}

export interface PlanOptions {
  maxRegisters: number;
  gapFill: number;
  /** Ranges no request may touch. */
  holes?: readonly RegisterHole[];
}

/** Whether registers first..last (inclusive) of function `fn` touch a hole. */
export function touchesHole(holes: readonly RegisterHole[], fn: ReadFunction, first: number, last: number): boolean {
  return holes.some((h) => h.function === fn && h.first <= last && h.last >= first);
}

export function planRequests(registers: readonly RegisterDefinition[], options: PlanOptions): PlannedRequest[] {
  const cap = Math.min(MODBUS_MAX_READ_REGISTERS, options.maxRegisters);
  const holes = options.holes ?? [];
  const byFunction = new Map<ReadFunction, RegisterDefinition[]>();
  for (const reg of registers) {
    if (touchesHole(holes, reg.function, reg.address, reg.address + registerCount(reg.type) - 1)) continue;
    const list = byFunction.get(reg.function) ?? [];
    list.push(reg);
    byFunction.set(reg.function, list);
  }
  const requests: PlannedRequest[] = [];
  for (const fn of [...byFunction.keys()].sort()) {
    const sorted = byFunction
      .get(fn)!
      .slice()
      .sort((a, b) => a.address - b.address);
    let current: PlannedRequest | undefined;
    for (const reg of sorted) {
      const end = reg.address + registerCount(reg.type);
      if (end - reg.address > cap)
        throw new Error(`register ${reg.quantity} at ${reg.address} needs more registers than the cap of ${cap}`);
      if (current) {
        const currentEnd = current.address + current.count;
        const gap = reg.address - currentEnd;
        if (
          gap <= options.gapFill &&
          end - current.address <= cap &&
          !touchesHole(holes, fn, currentEnd, reg.address - 1)
        ) {
          current.count = Math.max(current.count, end - current.address);
          current.values.push({ register: reg, offset: reg.address - current.address });
          continue;
        }
      }
      current = {
        function: fn,
        address: reg.address,
        count: end - reg.address,
        values: [{ register: reg, offset: 0 }],
      };
      requests.push(current);
    }
  }
  return requests;
}

export function planForProfile(profile: DeviceProfile, options: Partial<PlanOptions> = {}): PlannedRequest[] {
  return planRequests(profile.registers, {
    maxRegisters: options.maxRegisters ?? profile.maxRegistersPerRequest,
    gapFill: options.gapFill ?? 10,
    holes: options.holes ?? profile.holes,
  });
}
