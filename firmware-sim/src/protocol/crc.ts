/** CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), sent low byte first. */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export function crc16(bytes: Uint8Array, length = bytes.length): number {
  let crc = 0xffff;
  for (let i = 0; i < length; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** Appends the CRC to an RTU frame body (address + PDU). */
export function withCrc(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length + 2);
  body.copy(out);
  out.writeUInt16LE(crc16(body), body.length);
  return out;
}

export function crcOk(frame: Uint8Array): boolean {
  if (frame.length < 4) return false;
  const expected = frame[frame.length - 2]! | (frame[frame.length - 1]! << 8);
  return crc16(frame, frame.length - 2) === expected;
}
