/** Modbus application layer (PDU) for a simulated device: reads of holding and input registers. */
import type { DeviceRegisters } from '../registers/device-registers.js';

export const EXCEPTION = {
  illegalFunction: 1,
  illegalDataAddress: 2,
  illegalDataValue: 3,
  serverBusy: 6,
  gatewayTargetFailed: 11,
} as const;

/** Most registers one read may ask for (Modbus Application Protocol V1.1b3, FC 03/04). */
export const MAX_READ_REGISTERS = 125;

export function exceptionPdu(fn: number, code: number): Buffer {
  return Buffer.from([(fn | 0x80) & 0xff, code]);
}

/** Answers one request PDU from a device's current register image. */
export function answerPdu(registers: DeviceRegisters, pdu: Buffer): Buffer {
  const fn = pdu[0] ?? 0;
  if (fn !== 3 && fn !== 4) return exceptionPdu(fn, EXCEPTION.illegalFunction);
  if (pdu.length !== 5) return exceptionPdu(fn, EXCEPTION.illegalDataValue);
  const start = pdu.readUInt16BE(1);
  const count = pdu.readUInt16BE(3);
  if (count < 1 || count > MAX_READ_REGISTERS) return exceptionPdu(fn, EXCEPTION.illegalDataValue);
  if (start + count > 0x10000) return exceptionPdu(fn, EXCEPTION.illegalDataAddress);
  const words = registers.read(fn, start, count);
  if (!words) return exceptionPdu(fn, EXCEPTION.illegalDataAddress);
  const out = Buffer.alloc(2 + count * 2);
  out[0] = fn;
  out[1] = count * 2;
  words.forEach((w, i) => out.writeUInt16BE(w, 2 + i * 2));
  return out;
}

/** Length of a request PDU for the function codes a master may send, or undefined when it depends on a byte count not yet known. */
export function requestPduLength(pdu: Uint8Array): number | undefined {
  const fn = pdu[0];
  switch (fn) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
      return 5;
    case 15:
    case 16:
      return pdu.length >= 6 ? 6 + pdu[5]! : undefined;
    case 7:
    case 11:
    case 12:
    case 17:
      return 1;
    case 43:
      return 4;
    default:
      return undefined;
  }
}
