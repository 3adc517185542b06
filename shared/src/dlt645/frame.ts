/**
 * DL/T 645-2007 link-layer frames (FACTS.md "DL/T 645-2007"):
 * `[FE×0–4] 68 A0..A5 68 C L DATA CS 16`. The address is 12 BCD digits sent low byte
 * first; CS is the sum of every byte from the first 68 to the last data byte, mod 256;
 * every data byte travels +0x33. Frames here carry the data already without the offset.
 */

export interface Dlt645Frame {
  /** 12 characters, most significant first as printed on the meter (`000000001234`); `A` is a wildcard digit. */
  address: string;
  control: number;
  /** The data field without the +0x33 offset. */
  data: Buffer;
}

/** Control codes a master sends (FACTS.md: 0x11 read, 0x12 read follow-up, 0x13 read address). */
export const CONTROL_READ = 0x11;
export const CONTROL_READ_FOLLOW_UP = 0x12;
export const CONTROL_READ_ADDRESS = 0x13;
/** Bits of a reply's control code: slave → master, abnormal reply (an error byte follows), more frames follow. */
export const CONTROL_REPLY = 0x80;
export const CONTROL_ABNORMAL = 0x40;
export const CONTROL_MORE = 0x20;
/** The low five bits: the function the reply answers. */
export const CONTROL_FUNCTION = 0x1f;

/** FACTS.md: read-address goes to the wildcard address AA…AA. */
export const WILDCARD_ADDRESS = 'AAAAAAAAAAAA';
const START = 0x68;
const END = 0x16;
export const PREAMBLE_BYTE = 0xfe;
const DATA_OFFSET = 0x33;
/** L is one byte; the standard caps a frame's data at 200 bytes for reads. */
export const MAX_DATA_BYTES = 200;
/** Bytes of a frame without its data: 68, six address bytes, 68, C, L, CS, 16. */
export const FRAME_OVERHEAD = 12;

const ADDRESS = /^[0-9A]{12}$/;

export function isMeterAddress(address: string): boolean {
  return /^[0-9]{12}$/.test(address);
}

/** The address as it travels: six BCD bytes, A0 (the last two digits) first. */
export function addressBytes(address: string): Buffer {
  if (!ADDRESS.test(address))
    throw new RangeError(`DL/T 645 address "${address}" must be 12 decimal digits (A for a wildcard digit)`);
  const bytes = Buffer.alloc(6);
  // Printed most significant first; on the wire A0 (the last two digits) goes first.
  for (let i = 0; i < 6; i++) bytes[i] = Number.parseInt(address.slice(10 - 2 * i, 12 - 2 * i), 16);
  return bytes;
}

function addressText(bytes: Buffer): string {
  let text = '';
  for (let i = 5; i >= 0; i--) text += bytes[i]!.toString(16).padStart(2, '0').toUpperCase();
  return text;
}

function checksum(bytes: Buffer, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += bytes[i]!;
  return sum & 0xff;
}

/** Builds a frame with `preamble` wake-up bytes (FE) in front. */
export function encodeFrame(frame: Dlt645Frame, preamble = 0): Buffer {
  if (frame.data.length > 255) throw new RangeError(`DL/T 645 data of ${frame.data.length} bytes exceeds L's 255`);
  const out = Buffer.alloc(preamble + FRAME_OVERHEAD + frame.data.length);
  out.fill(PREAMBLE_BYTE, 0, preamble);
  let at = preamble;
  out[at++] = START;
  addressBytes(frame.address).copy(out, at);
  at += 6;
  out[at++] = START;
  out[at++] = frame.control;
  out[at++] = frame.data.length;
  for (const byte of frame.data) out[at++] = (byte + DATA_OFFSET) & 0xff;
  out[at] = checksum(out, preamble, at);
  out[at + 1] = END;
  return out;
}

export type ScanResult =
  /** A whole frame was found; `end` is the index just after its 16. */
  | { kind: 'frame'; frame: Dlt645Frame; start: number; end: number }
  /** Bytes so far may be the start of a frame: wait for more. */
  | { kind: 'incomplete' }
  /** A frame-shaped run of bytes that fails a check (checksum, end byte): skip `skip` bytes and scan again. */
  | { kind: 'bad'; skip: number; reason: 'checksum' | 'framing'; detail: string };

/**
 * Looks for a frame in received bytes: skips wake-up bytes (FE) and anything before the
 * first 68, then checks the second 68, the length, the checksum and the end byte.
 */
export function scanFrame(bytes: Buffer): ScanResult {
  const start = bytes.indexOf(START);
  if (start === -1) return { kind: 'incomplete' };
  if (bytes.length < start + 10) return { kind: 'incomplete' };
  if (bytes[start + 7] !== START)
    return { kind: 'bad', skip: start + 1, reason: 'framing', detail: 'no second 68 after the address' };
  const length = bytes[start + 9]!;
  const end = start + FRAME_OVERHEAD + length;
  if (bytes.length < end) return { kind: 'incomplete' };
  const sum = checksum(bytes, start, end - 2);
  if (bytes[end - 2] !== sum)
    return {
      kind: 'bad',
      skip: start + 1,
      reason: 'checksum',
      detail: `checksum 0x${bytes[end - 2]!.toString(16)} where the bytes sum to 0x${sum.toString(16)}`,
    };
  if (bytes[end - 1] !== END)
    return {
      kind: 'bad',
      skip: start + 1,
      reason: 'framing',
      detail: `frame ends with 0x${bytes[end - 1]!.toString(16)}, not 16`,
    };
  const data = Buffer.alloc(length);
  for (let i = 0; i < length; i++) data[i] = (bytes[start + 10 + i]! - DATA_OFFSET) & 0xff;
  return {
    kind: 'frame',
    frame: { address: addressText(bytes.subarray(start + 1, start + 7)), control: bytes[start + 8]!, data },
    start,
    end,
  };
}

/** Whether a frame addressed to `pattern` (A digits are wildcards, FACTS.md) reaches the meter at `address`. */
export function addressMatches(pattern: string, address: string): boolean {
  for (let i = 0; i < 12; i++) if (pattern[i] !== 'A' && pattern[i] !== address[i]) return false;
  return true;
}
