/** The line-rate limit of DL/T 645 reads, on the Modbus RTU timing of the same bus (FACTS.md). */
import type { CharacterFormat } from '../modbus/timing.js';
import { characterTimeMs, interFrameSilenceMs } from '../modbus/timing.js';
import { FRAME_OVERHEAD } from '@gridsafe/shared/dlt645/frame.js';

/**
 * One read of `dataBytes` (no follow-up frame): the request (`preamble` FE bytes, the frame,
 * a 4-byte DI) and the reply (`replyPreamble` FE bytes, the frame, the DI and the data)
 * each take their characters on the wire, plus the silence after each and the meter's
 * turnaround.
 */
export function dlt645ReadCycleMs(
  dataBytes: number,
  baudRate: number,
  format: CharacterFormat,
  options: { preamble: number; replyPreamble: number; turnaroundMs: number },
): number {
  const request = options.preamble + FRAME_OVERHEAD + 4;
  const reply = options.replyPreamble + FRAME_OVERHEAD + 4 + dataBytes;
  return (
    (request + reply) * characterTimeMs(baudRate, format) +
    2 * interFrameSilenceMs(baudRate, format) +
    options.turnaroundMs
  );
}
