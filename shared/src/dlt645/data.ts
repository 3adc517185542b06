/**
 * DL/T 645-2007 data fields (FACTS.md "DL/T 645-2007"): data identifiers (DI, four bytes
 * sent low byte first) and BCD values written in the standard's notation, e.g. `XXX.XXX`
 * (six digits, three decimals, three bytes, low byte first). For signed quantities
 * (current, power, power factor) the top bit of the highest byte is the sign [M in FACTS.md].
 * Status words are plain binary (`word`); a maximum demand carries its time `YYMMDDhhmm`.
 */

export interface ValueFormat {
  /** `XXX.XXX`, or `word` for a 16-bit binary status word. */
  text: string;
  /** Bytes on the wire. */
  bytes: number;
  /** Digits after the point (0 for a word). */
  decimals: number;
  binary: boolean;
}

const BCD_FORMAT = /^(X+)(?:\.(X+))?$/;
const DI_PATTERN = /^[0-9A-Fa-f]{8}$/;

/** Parses `XX.XXXX` or `word`; throws a RangeError that says why. */
export function parseValueFormat(text: string): ValueFormat {
  if (text === 'word') return { text, bytes: 2, decimals: 0, binary: true };
  const match = BCD_FORMAT.exec(text);
  const digits = match ? match[1]!.length + (match[2]?.length ?? 0) : 0;
  if (!match || digits % 2 !== 0 || digits > 16)
    throw new RangeError(
      `format "${text}" must be X digits with an optional point, an even count up to 16 (e.g. XXX.XXX), or "word"`,
    );
  return { text, bytes: digits / 2, decimals: match[2]?.length ?? 0, binary: false };
}

export function isDataIdentifier(di: string): boolean {
  return DI_PATTERN.test(di);
}

/** A DI as printed (`02010100`, DI3 first) → the four bytes on the wire (DI0 first), before the +0x33 offset. */
export function diBytes(di: string): Buffer {
  if (!isDataIdentifier(di)) throw new RangeError(`data identifier "${di}" must be 8 hex digits`);
  const bytes = Buffer.alloc(4);
  for (let i = 0; i < 4; i++) bytes[i] = Number.parseInt(di.slice(6 - 2 * i, 8 - 2 * i), 16);
  return bytes;
}

export function diText(bytes: Buffer): string {
  let text = '';
  for (let i = 3; i >= 0; i--) text += bytes[i]!.toString(16).padStart(2, '0').toUpperCase();
  return text;
}

export class BcdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BcdError';
  }
}

/**
 * Decodes a value: BCD digits low byte first, scaled by the format's decimals; with
 * `signed`, the top bit of the last byte is the sign. Throws BcdError on a nibble above 9.
 */
export function decodeValue(bytes: Buffer, format: ValueFormat, signed: boolean): number {
  if (bytes.length !== format.bytes)
    throw new BcdError(`a ${format.text} value is ${format.bytes} bytes, got ${bytes.length}`);
  if (format.binary) return bytes.readUInt16LE(0);
  let magnitude = 0;
  let negative = false;
  for (let i = bytes.length - 1; i >= 0; i--) {
    let byte = bytes[i]!;
    if (signed && i === bytes.length - 1) {
      negative = (byte & 0x80) !== 0;
      byte &= 0x7f;
    }
    const high = byte >> 4;
    const low = byte & 0x0f;
    if (high > 9 || low > 9)
      throw new BcdError(`byte 0x${bytes[i]!.toString(16).padStart(2, '0')} of a ${format.text} value is not BCD`);
    magnitude = magnitude * 100 + high * 10 + low;
  }
  const value = magnitude / 10 ** format.decimals;
  return negative ? -value : value;
}

/** Encodes a value, rounded to the format's decimals and clamped to what its digits hold. */
export function encodeValue(value: number, format: ValueFormat, signed: boolean): Buffer {
  const bytes = Buffer.alloc(format.bytes);
  if (format.binary) {
    bytes.writeUInt16LE(Math.max(0, Math.min(0xffff, Math.round(value))), 0);
    return bytes;
  }
  // The sign takes the top bit, so a signed value keeps one digit less than 8 at the top: at most 7 there.
  const digits = format.bytes * 2;
  const max = signed ? 8 * 10 ** (digits - 1) - 1 : 10 ** digits - 1;
  let magnitude = Math.min(max, Math.round(Math.abs(value) * 10 ** format.decimals));
  for (let i = 0; i < bytes.length; i++) {
    const two = magnitude % 100;
    magnitude = Math.floor(magnitude / 100);
    bytes[i] = (Math.floor(two / 10) << 4) | (two % 10);
  }
  if (signed && value < 0 && bytes.some((b) => b !== 0)) bytes[bytes.length - 1]! |= 0x80;
  return bytes;
}

/** Bytes of a `YYMMDDhhmm` time. */
export const TIME_BYTES = 5;

/** Decodes `YYMMDDhhmm` (sent mm first) as the meter's local time, given its offset from UTC in minutes. */
export function decodeTime(bytes: Buffer, utcOffsetMinutes: number): number {
  const field = (i: number) => {
    const byte = bytes[i]!;
    if (byte >> 4 > 9 || (byte & 0x0f) > 9) throw new BcdError(`time byte 0x${byte.toString(16)} is not BCD`);
    return (byte >> 4) * 10 + (byte & 0x0f);
  };
  const [minute, hour, day, month, year] = [field(0), field(1), field(2), field(3), field(4)];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59)
    throw new BcdError(`time ${year}-${month}-${day} ${hour}:${minute} is not a date`);
  return Date.UTC(2000 + year, month - 1, day, hour, minute) - utcOffsetMinutes * 60_000;
}

export function encodeTime(ms: number, utcOffsetMinutes: number): Buffer {
  const local = new Date(ms + utcOffsetMinutes * 60_000);
  const bcd = (n: number) => (Math.floor(n / 10) << 4) | (n % 10);
  return Buffer.from([
    bcd(local.getUTCMinutes()),
    bcd(local.getUTCHours()),
    bcd(local.getUTCDate()),
    bcd(local.getUTCMonth() + 1),
    bcd(local.getUTCFullYear() % 100),
  ]);
}

/**
 * The error byte of an abnormal reply (control bit 6, FACTS.md; the bit meanings as the
 * 2007 standard's table lists them [M]): bit 0 other error, bit 1 no requested data,
 * bit 2 password wrong or not authorised, bit 3 baud rate cannot change, bits 4-6 too
 * many time zones, day periods, tariffs.
 */
export const ERROR_BITS = [
  'other error',
  'no requested data',
  'password wrong or not authorised',
  'baud rate cannot change',
  'too many annual time zones',
  'too many daily periods',
  'too many tariffs',
] as const;
export const ERROR_NO_DATA = 0x02;
export const ERROR_OTHER = 0x01;

export function describeErrorByte(byte: number): string {
  const reasons = ERROR_BITS.filter((_, bit) => (byte & (1 << bit)) !== 0);
  return reasons.length > 0 ? reasons.join(', ') : `error byte 0x${byte.toString(16).padStart(2, '0')}`;
}
