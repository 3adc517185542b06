/**
 * Finds the DL/T 645 meters on a serial bus. First read-address (0x13) to the wildcard
 * address AA…AA (FACTS.md): on a bus with one meter it answers with its address. Every
 * meter answers it, so with several the replies collide on the line (a broken frame);
 * then the search narrows the address a byte at a time from the low end, reading the
 * meter's address (DI 04000401) at abbreviated addresses (`AAAAAAAAAA78`: the high
 * bytes AA as wildcards [M]): silence means no meter ends so, a clean reply names one,
 * a broken one means several and the next byte is tried under it. Each probe is one
 * exchange on the bus's schedule, so polling goes on meanwhile.
 */
import type { Dlt645Frame } from '@gridsafe/shared';
import { CONTROL_READ, isMeterAddress } from '@gridsafe/shared/dlt645/frame.js';
import { diBytes } from '@gridsafe/shared/dlt645/data.js';
import type { Bus } from '../modbus/bus.js';
import { readAddress, transact } from './master.js';

/** The meter's communication address, as a DI every 2007 meter answers [M]. */
const DI_ADDRESS = '04000401';

export interface DiscoveryResult {
  meters: string[];
  /** Probes sent by the search after a collision (0 when read-address alone sufficed). */
  probes: number;
  /** Why none (or not all) were found. */
  problem?: string;
}

export interface DiscoveryOptions {
  preamble?: number;
  /** How long a search probe waits for a reply (default: the bus's timeout). */
  probeTimeoutMs?: number;
}

export async function discoverMeters(bus: Bus, options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  if (bus.config.kind !== 'serial') return { meters: [], probes: 0, problem: `bus ${bus.id} is not a serial bus` };
  const preamble = options.preamble ?? 4;
  const first = await bus.submitExchange((line) =>
    readAddress(line, { preamble, timeoutMs: bus.config.polling.timeoutMs }),
  );
  if (first.ok) return { meters: [first.value], probes: 0 };
  const { kind, message } = first.error;
  if (kind === 'timeout') return { meters: [], probes: 0, problem: 'no DL/T 645 meter answered read-address' };
  if (kind !== 'crc' && kind !== 'framing') return { meters: [], probes: 0, problem: message };
  return search(bus, preamble, options.probeTimeoutMs ?? bus.config.polling.timeoutMs);
}

/** Several meters answered read-address at once: narrows the address a byte at a time. */
async function search(bus: Bus, preamble: number, timeoutMs: number): Promise<DiscoveryResult> {
  const found = new Set<string>();
  const unresolved: string[] = [];
  let probes = 0;
  const probe = async (pattern: string): Promise<'none' | 'one' | 'several'> => {
    probes += 1;
    const request: Dlt645Frame = { address: pattern, control: CONTROL_READ, data: diBytes(DI_ADDRESS) };
    const outcome = await bus.submitExchange((line) => transact(line, request, undefined, { preamble, timeoutMs }));
    if (outcome.ok) {
      // Any clean reply (an abnormal one too) carries the meter's own address.
      if (isMeterAddress(outcome.value.address)) found.add(outcome.value.address);
      return 'one';
    }
    return outcome.error.kind === 'crc' || outcome.error.kind === 'framing' ? 'several' : 'none';
  };
  const narrow = async (known: string): Promise<void> => {
    for (let byte = 0; byte < 100; byte++) {
      const low = String(byte).padStart(2, '0') + known;
      const pattern = 'A'.repeat(12 - low.length) + low;
      if ((await probe(pattern)) !== 'several') continue;
      if (low.length === 12) unresolved.push(low);
      else await narrow(low);
    }
  };
  await narrow('');
  const meters = [...found].sort();
  return unresolved.length > 0
    ? { meters, probes, problem: `replies still collide at ${unresolved.join(', ')}: meters sharing an address` }
    : { meters, probes };
}
