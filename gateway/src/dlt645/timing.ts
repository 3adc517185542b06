/** The line-rate limit of DL/T 645 reads, on the Modbus RTU timing of the same bus (FACTS.md). */
import type { CharacterFormat } from '../modbus/timing.js';
import { characterTimeMs, interFrameSilenceMs } from '../modbus/timing.js';
import { FRAME_OVERHEAD } from '@gridsafe/shared/dlt645/frame.js';

/**
 * One read of `dataBytes` (no follow-up frame): the request (`preamble` FE bytes, the frame,
 * a 4-byte DI) and the reply (`replyPreamble` FE bytes, the frame, the DI and the data)
 * each take their characters on the wire, plus the meter's silence before it answers
 * (3.5 characters, as on Modbus) and its turnaround. The master keeps no silence of its
 * own between DL/T 645 frames (modbus/bus.ts): the next request may follow the reply's
 * last byte at once. `masterSilence` adds it back, for the limit of a master that waits
 * t3.5 after each reply.
 */
export function dlt645ReadCycleMs(
  dataBytes: number,
  baudRate: number,
  format: CharacterFormat,
  options: { preamble: number; replyPreamble: number; turnaroundMs: number; masterSilence?: boolean },
): number {
  const request = options.preamble + FRAME_OVERHEAD + 4;
  const reply = options.replyPreamble + FRAME_OVERHEAD + 4 + dataBytes;
  const silences = options.masterSilence === true ? 2 : 1;
  return (
    (request + reply) * characterTimeMs(baudRate, format) +
    silences * interFrameSilenceMs(baudRate, format) +
    options.turnaroundMs
  );
}
