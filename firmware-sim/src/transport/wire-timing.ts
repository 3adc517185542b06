/** Serial-line timing of Modbus RTU (Modbus over Serial Line V1.02 §2.5.1.1, FACTS.md "Modbus over serial line: timing"). */
import type { RtuBusSpec } from '../scenario/types.js';

export interface WireTiming {
  bitsPerChar: number;
  /** One character on the wire, ms. */
  charMs: number;
  /** Inter-character limit inside a frame, ms (fixed 0.75 ms above 19200 baud). */
  t15Ms: number;
  /** Inter-frame silence, ms (fixed 1.75 ms above 19200 baud). */
  t35Ms: number;
}

export function wireTiming(bus: Pick<RtuBusSpec, 'baudRate' | 'parity' | 'dataBits' | 'stopBits'>): WireTiming {
  // Start bit + data bits + parity bit (if any) + stop bits: 11 for 8E1 and 8N2, 10 for the off-spec 8N1.
  const bitsPerChar = 1 + bus.dataBits + (bus.parity === 'none' ? 0 : 1) + bus.stopBits;
  const charMs = (bitsPerChar * 1000) / bus.baudRate;
  const fixed = bus.baudRate > 19200;
  return { bitsPerChar, charMs, t15Ms: fixed ? 0.75 : 1.5 * charMs, t35Ms: fixed ? 1.75 : 3.5 * charMs };
}
