/**
 * DL/T 645 frames on a simulated RS-485 line shared with Modbus RTU: telling a 645
 * request from a Modbus one in the received bytes, and what several meters answering at
 * once look like on the wire.
 */
import { PREAMBLE_BYTE, scanFrame, type Dlt645Frame } from '@gridsafe/shared';

const START = 0x68;

export type Cut =
  /** A whole DL/T 645 frame (wake-up bytes included in `length`). */
  | { kind: 'frame'; frame: Dlt645Frame; length: number }
  /** May become a DL/T 645 frame: wait for more bytes. */
  | { kind: 'wait' }
  /** Wake-up bytes then something that is no frame: drop `skip` bytes. */
  | { kind: 'broken'; skip: number; reason: string }
  /** Not a DL/T 645 frame: a Modbus RTU request. */
  | { kind: 'not-dlt645' };

/**
 * A 645 request starts with wake-up bytes (FE) or 68 and has a second 68 seven bytes
 * later; a Modbus request from unit 0x68 can only be mistaken for one when its eighth
 * byte is 68 too, and is then dropped as stale (the master retries).
 */
export function cutDlt645Frame(rx: Buffer): Cut {
  let at = 0;
  while (at < rx.length && rx[at] === PREAMBLE_BYTE) at++;
  if (at === rx.length) return at > 0 ? { kind: 'wait' } : { kind: 'not-dlt645' };
  const broken = (reason: string): Cut => (at > 0 ? { kind: 'broken', skip: at + 1, reason } : { kind: 'not-dlt645' });
  if (rx[at] !== START) return broken('wake-up bytes not followed by 68');
  if (rx.length < at + 8) return { kind: 'wait' };
  if (rx[at + 7] !== START) return broken('no second 68');
  const scan = scanFrame(rx.subarray(at));
  if (scan.kind === 'incomplete') return { kind: 'wait' };
  if (scan.kind === 'bad') return { kind: 'broken', skip: at + scan.skip, reason: scan.detail };
  return { kind: 'frame', frame: scan.frame, length: at + scan.end };
}

/**
 * Several meters driving the line at once: the receiver sees each bit as the drivers
 * fight it out, modelled as the AND of the frames (a 0 wins); the result never passes
 * its checksum, as a garbled frame would not.
 */
export function collide(frames: Buffer[]): Buffer {
  const length = Math.max(...frames.map((f) => f.length));
  const out = Buffer.alloc(length, 0xff);
  for (const frame of frames) for (let i = 0; i < length; i++) out[i] = out[i]! & (frame[i] ?? 0xff);
  const scan = scanFrame(out);
  if (scan.kind === 'frame') out[scan.end - 2] = out[scan.end - 2]! ^ 0xff;
  return out;
}
