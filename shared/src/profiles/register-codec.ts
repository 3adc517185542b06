/** Turns register words into numbers and back, for every type and byte order a profile may name. */
import type { ByteOrder, RegisterType } from './types.js';

export function registerCount(type: RegisterType): 1 | 2 | 4 {
  switch (type) {
    case 'int16':
    case 'uint16':
      return 1;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 4;
  }
}

/**
 * Arranges the bytes of a value between big-endian order and the device's order: CDAB
 * and DCBA reverse the order of the 16-bit words, BADC and DCBA swap the two bytes of
 * each word. Each rule is its own inverse, so one function serves both ways.
 */
function reorder(bytes: Buffer, order: ByteOrder): Buffer {
  const words = bytes.length / 2;
  const reverseWords = order === 'CDAB' || order === 'DCBA';
  const swapBytes = order === 'BADC' || order === 'DCBA';
  if (!reverseWords && !swapBytes) return bytes;
  const out = Buffer.alloc(bytes.length);
  for (let w = 0; w < words; w++) {
    const from = (reverseWords ? words - 1 - w : w) * 2;
    out[w * 2] = bytes[from + (swapBytes ? 1 : 0)]!;
    out[w * 2 + 1] = bytes[from + (swapBytes ? 0 : 1)]!;
  }
  return out;
}

/** Decodes the raw value held by `words` (each 0..65535, as Modbus returns them). 64-bit integers lose precision past 2^53. */
export function decodeRegisters(words: ArrayLike<number>, type: RegisterType, order: ByteOrder): number {
  const count = registerCount(type);
  if (words.length < count) throw new RangeError(`${type} needs ${count} registers, got ${words.length}`);
  const wire = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) wire.writeUInt16BE(words[i]! & 0xffff, i * 2);
  const be = reorder(wire, order);
  switch (type) {
    case 'int16':
      return be.readInt16BE(0);
    case 'uint16':
      return be.readUInt16BE(0);
    case 'int32':
      return be.readInt32BE(0);
    case 'uint32':
      return be.readUInt32BE(0);
    case 'float32':
      return be.readFloatBE(0);
    case 'int64':
      return Number(be.readBigInt64BE(0));
    case 'uint64':
      return Number(be.readBigUInt64BE(0));
    case 'float64':
      return be.readDoubleBE(0);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Encodes a raw value into register words in the device's order (the simulator's side). */
export function encodeRegisters(value: number, type: RegisterType, order: ByteOrder): number[] {
  const count = registerCount(type);
  const be = Buffer.alloc(count * 2);
  switch (type) {
    case 'int16':
      be.writeInt16BE(clampInt(value, -0x8000, 0x7fff), 0);
      break;
    case 'uint16':
      be.writeUInt16BE(clampInt(value, 0, 0xffff), 0);
      break;
    case 'int32':
      be.writeInt32BE(clampInt(value, -0x80000000, 0x7fffffff), 0);
      break;
    case 'uint32':
      be.writeUInt32BE(clampInt(value, 0, 0xffffffff), 0);
      break;
    case 'float32':
      be.writeFloatBE(value, 0);
      break;
    case 'int64':
      be.writeBigInt64BE(clampBig(value, INT64_MIN, INT64_MAX), 0);
      break;
    case 'uint64':
      be.writeBigUInt64BE(clampBig(value, 0n, UINT64_MAX), 0);
      break;
    case 'float64':
      be.writeDoubleBE(value, 0);
      break;
  }
  const wire = reorder(be, order);
  const words: number[] = [];
  for (let i = 0; i < count; i++) words.push(wire.readUInt16BE(i * 2));
  return words;
}

/** Integer registers saturate like a real meter's display instead of wrapping round. */
function clampInt(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value)));
}

function clampBig(value: number, min: bigint, max: bigint): bigint {
  if (!Number.isFinite(value)) return value > 0 ? max : min;
  const big = BigInt(Math.round(value));
  return big < min ? min : big > max ? max : big;
}
