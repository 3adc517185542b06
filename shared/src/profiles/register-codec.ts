/** Turns register words into numbers and back, for every type and byte order a profile may name. */
import type { ByteOrder, RegisterType } from './types.js';

export function registerCount(type: RegisterType): 1 | 2 {
  return type === 'int16' || type === 'uint16' ? 1 : 2;
}

/** Arranges the 4 (or 2) bytes of a value from big-endian order into the device's order. */
function reorder(bytes: Buffer, order: ByteOrder): Buffer {
  const [a, b, c, d] = bytes;
  if (bytes.length === 2) {
    return order === 'BADC' || order === 'DCBA' ? Buffer.from([b!, a!]) : bytes;
  }
  switch (order) {
    case 'ABCD':
      return bytes;
    case 'CDAB':
      return Buffer.from([c!, d!, a!, b!]);
    case 'BADC':
      return Buffer.from([b!, a!, d!, c!]);
    case 'DCBA':
      return Buffer.from([d!, c!, b!, a!]);
  }
}

/** Decodes the raw value held by `words` (each 0..65535, as Modbus returns them). */
export function decodeRegisters(words: ArrayLike<number>, type: RegisterType, order: ByteOrder): number {
  const count = registerCount(type);
  if (words.length < count) throw new RangeError(`${type} needs ${count} registers, got ${words.length}`);
  const wire = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) wire.writeUInt16BE(words[i]! & 0xffff, i * 2);
  // Reordering is its own inverse for these four orders, so one function serves both ways.
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
  }
}

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
