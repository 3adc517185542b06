/**
 * Finds the DL/T 645 meter on a serial bus with read-address (0x13) to the wildcard
 * address (FACTS.md). Every meter answers it, so it names the meter of a bus with one;
 * with several the replies collide on the line, which shows as a broken frame and is
 * reported as such (connect them one at a time, or read the address on the nameplate).
 */
import type { Bus } from '../modbus/bus.js';
import { readAddress } from './master.js';

export interface DiscoveryResult {
  meters: string[];
  /** Why none was found: no reply, or several meters answering at once. */
  problem?: string;
}

export async function discoverMeters(bus: Bus, preamble = 4): Promise<DiscoveryResult> {
  if (bus.config.kind !== 'serial') return { meters: [], problem: `bus ${bus.id} is not a serial bus` };
  const options = { preamble, timeoutMs: bus.config.polling.timeoutMs };
  const outcome = await bus.submitExchange((line) => readAddress(line, options));
  if (outcome.ok) return { meters: [outcome.value] };
  const { kind, message } = outcome.error;
  if (kind === 'timeout') return { meters: [], problem: 'no DL/T 645 meter answered read-address' };
  if (kind === 'crc' || kind === 'framing')
    return { meters: [], problem: `the replies were garbled, as when several meters answer at once (${message})` };
  return { meters: [], problem: message };
}
