/** Modbus RTU wire timing (Modbus over Serial Line V1.02, as summarised in FACTS.md). */
import type { Parity } from '../config/types.js';

export interface CharacterFormat {
  dataBits: number;
  parity: Parity;
  stopBits: number;
}

/** Bits per character: start, data, parity (if any), stop. FACTS.md: an RTU character is 11 bits. */
export function bitsPerCharacter(format: CharacterFormat): number {
  return 1 + format.dataBits + (format.parity === 'none' ? 0 : 1) + format.stopBits;
}

/** Time one character takes on the wire, ms. */
export function characterTimeMs(baudRate: number, format: CharacterFormat): number {
  return (bitsPerCharacter(format) * 1000) / baudRate;
}

/** FACTS.md: frames are separated by at least 3.5 character times; above 19200 baud it is fixed at 1.750 ms. */
export function interFrameSilenceMs(baudRate: number, format: CharacterFormat): number {
  return baudRate > 19200 ? 1.75 : 3.5 * characterTimeMs(baudRate, format);
}

/**
 * FACTS.md line-rate limit for one read: cycle = (8 + 5 + 2N)·tc + 2·t3.5 (+ device turnaround),
 * with an 8-byte request and a 5 + 2N byte reply.
 */
export function readCycleMs(registers: number, baudRate: number, format: CharacterFormat, turnaroundMs = 0): number {
  return (
    (8 + 5 + 2 * registers) * characterTimeMs(baudRate, format) +
    2 * interFrameSilenceMs(baudRate, format) +
    turnaroundMs
  );
}
