/**
 * Decoder of the compact telemetry encoding, format 1. The payload is untrusted: its
 * size is checked before inflating, inflating stops at MAX_COMPACT_INFLATED_BYTES
 * (deflate bombs), every field of the CBOR document is checked for type, range and
 * consistency, and the rebuilt batch then passes the same checkTelemetryBatch as JSON.
 */
import { inflateRawSync } from 'node:zlib';
import { QUANTITY_NAMES } from '../contract/quantities.js';
import type { Reading, ReadingValues, TelemetryBatch } from '../contract/types.js';
import {
  MAX_BATCH_BYTES,
  MAX_READINGS_PER_BATCH,
  checkTelemetryBatch,
  type BatchCheckOptions,
  type Validated,
} from '../contract/validate.js';
import { cbor } from './cbor.js';
import { MAX_PLANE_WIDTH, unpackIntPlanes } from './int-planes.js';
import {
  COMPACT_FORMAT_VERSION,
  MAX_COMPACT_INFLATED_BYTES,
  MAX_DECIMAL_EXPONENT,
  MIN_DECIMAL_EXPONENT,
  QUALITY_CODES,
  decimalValue,
} from './compact-format.js';

/** A malformed document: caught once at the top and reported as bad_encoding. */
class FormatError extends Error {}
/** More readings than a batch may hold: reported as too_large. */
class TooLargeError extends Error {}

function fail(where: string, why: string): never {
  throw new FormatError(`compact batch ${where} ${why}`);
}

function int(value: unknown, where: string): number {
  const n =
    typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) fail(where, `must be a safe integer, got ${describe(value)}`);
  return n;
}

function index(value: unknown, where: string, size: number): number {
  const n = int(value, where);
  if (n < 0 || n >= size) fail(where, `is ${n}, outside 0..${size - 1}`);
  return n;
}

function array(value: unknown, where: string, length?: number): unknown[] {
  if (!Array.isArray(value)) fail(where, `must be an array, got ${describe(value)}`);
  if (length !== undefined && value.length !== length) fail(where, `must have ${length} items, has ${value.length}`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  if (value instanceof Map) return 'a map';
  return typeof value === 'string' ? `a string` : `${typeof value} ${String(value).slice(0, 40)}`;
}

function unpackFloatPlanes(bytes: unknown, count: number, where: string): number[] {
  if (!(bytes instanceof Uint8Array)) fail(where, `must be a byte string, got ${describe(bytes)}`);
  if (bytes.byteLength !== count * 8)
    fail(where, `must hold ${count} float64 values (${count * 8} bytes), has ${bytes.byteLength}`);
  const raw = Buffer.alloc(bytes.byteLength);
  for (let i = 0; i < count; i += 1) {
    for (let b = 0; b < 8; b += 1) raw[i * 8 + b] = bytes[b * count + i] as number;
  }
  return Array.from({ length: count }, (_, i) => raw.readDoubleBE(i * 8));
}

/** Rebuilds the batch object from the CBOR document; throws FormatError on anything malformed. */
export function batchFromDocument(document: unknown): TelemetryBatch {
  const root = array(document, '(root)', 10);
  const [
    gatewayField,
    seqField,
    sentAtField,
    devicesField,
    shapesField,
    deviceCol,
    shapeCol,
    qualityCol,
    tsCol,
    columnsField,
  ] = root;
  if (typeof gatewayField !== 'string') fail('gateway', `must be a string, got ${describe(gatewayField)}`);
  const seq = int(seqField, 'seq');
  const sentAt = int(sentAtField, 'sentAt');
  const devices = array(devicesField, 'devices').map((d, i) => {
    if (typeof d !== 'string') fail(`devices[${i}]`, `must be a string, got ${describe(d)}`);
    return d;
  });
  const shapes = array(shapesField, 'shapes').map((s, i) => {
    const ids = array(s, `shapes[${i}]`).map((q, j) => index(q, `shapes[${i}][${j}]`, QUANTITY_NAMES.length));
    ids.forEach((q, j) => {
      if (j > 0 && q <= (ids[j - 1] as number))
        fail(`shapes[${i}]`, 'must list quantity ids in strictly ascending order');
    });
    return ids;
  });
  const readingDevices = array(deviceCol, 'readingDevice');
  const count = readingDevices.length;
  // Checked before anything per reading is built, so a hostile count costs nothing.
  if (count > MAX_READINGS_PER_BATCH)
    throw new TooLargeError(`compact batch has ${count} readings; the limit is ${MAX_READINGS_PER_BATCH}`);
  const readingShapes = array(shapeCol, 'readingShape', count);
  const readingQualities = array(qualityCol, 'readingQuality', count);
  const tsDeltas = array(tsCol, 'tsDelta', count);

  const readings: Reading[] = [];
  const cellCount = new Map<number, number>();
  let ts = sentAt;
  for (let r = 0; r < count; r += 1) {
    const shape = index(readingShapes[r], `readingShape[${r}]`, shapes.length);
    ts += int(tsDeltas[r], `tsDelta[${r}]`);
    if (!Number.isSafeInteger(ts)) fail(`tsDelta[${r}]`, 'takes the timestamp outside the safe integer range');
    readings.push({
      device: devices[index(readingDevices[r], `readingDevice[${r}]`, devices.length)] as string,
      ts,
      values: {},
      quality: QUALITY_CODES[
        index(readingQualities[r], `readingQuality[${r}]`, QUALITY_CODES.length)
      ] as Reading['quality'],
    });
    for (const id of shapes[shape] as number[]) cellCount.set(id, (cellCount.get(id) ?? 0) + 1);
  }

  const columns = array(columnsField, 'columns');
  const filled = new Set<number>();
  let lastId = -1;
  columns.forEach((columnField, c) => {
    const where = `columns[${c}]`;
    const [idField, exponentField, widthField, deltasField, exceptionsField, floatsField] = array(
      columnField,
      where,
      6,
    );
    const id = index(idField, `${where}.id`, QUANTITY_NAMES.length);
    if (id <= lastId) fail(`${where}.id`, 'must be in strictly ascending order');
    lastId = id;
    const cells = cellCount.get(id);
    if (cells === undefined) fail(`${where}.id`, `is quantity ${QUANTITY_NAMES[id]}, which no reading's shape holds`);
    const values = decodeColumn(
      where,
      cells,
      { exponentField, widthField, deltasField, exceptionsField, floatsField },
      readings,
      shapes,
      readingShapes,
      id,
    );
    const name = QUANTITY_NAMES[id] as keyof ReadingValues;
    let next = 0;
    for (let r = 0; r < count; r += 1) {
      if ((shapes[readingShapes[r] as number] as number[]).includes(id))
        (readings[r] as Reading).values[name] = values[next++] as number;
    }
    filled.add(id);
  });
  for (const id of cellCount.keys()) {
    if (!filled.has(id)) fail('columns', `lacks the column of quantity ${QUANTITY_NAMES[id]}, which readings hold`);
  }
  // Values were filled column by column; rebuild each object in canonical order so the
  // decoded batch is the same, key order included, whatever order the columns came in.
  for (const reading of readings) {
    const ordered: ReadingValues = {};
    for (const name of QUANTITY_NAMES) if (reading.values[name] !== undefined) ordered[name] = reading.values[name];
    reading.values = ordered;
  }
  return { gateway: gatewayField, seq, sentAt, readings };
}

interface ColumnFields {
  exponentField: unknown;
  widthField: unknown;
  deltasField: unknown;
  exceptionsField: unknown;
  floatsField: unknown;
}

function bytesOf(value: unknown, where: string): Uint8Array {
  if (!(value instanceof Uint8Array)) fail(where, `must be a byte string, got ${describe(value)}`);
  return value;
}

function decodeColumn(
  where: string,
  cells: number,
  { exponentField, widthField, deltasField, exceptionsField, floatsField }: ColumnFields,
  readings: Reading[],
  shapes: number[][],
  readingShapes: unknown[],
  id: number,
): number[] {
  const width = index(widthField, `${where}.width`, MAX_PLANE_WIDTH + 1);
  const deltaBytes = bytesOf(deltasField, `${where}.deltas`);
  const exceptionAt = array(exceptionsField, `${where}.exceptionAt`);
  if (exponentField === null) {
    if (width !== 0 || deltaBytes.byteLength !== 0 || exceptionAt.length !== 0)
      fail(where, 'has no exponent, so it must carry only floats');
    return unpackFloatPlanes(floatsField, cells, `${where}.floats`);
  }
  const exponent = int(exponentField, `${where}.exponent`);
  if (exponent < MIN_DECIMAL_EXPONENT || exponent > MAX_DECIMAL_EXPONENT) {
    fail(`${where}.exponent`, `is ${exponent}, outside ${MIN_DECIMAL_EXPONENT}..${MAX_DECIMAL_EXPONENT}`);
  }
  if (exceptionAt.length > cells)
    fail(`${where}.exceptionAt`, `lists ${exceptionAt.length} floats, but only ${cells} readings hold the quantity`);
  const decimals = cells - exceptionAt.length;
  if (deltaBytes.byteLength !== decimals * width) {
    fail(
      `${where}.deltas`,
      `must hold ${decimals} decimals of ${width} bytes (${decimals * width} bytes), has ${deltaBytes.byteLength}`,
    );
  }
  const deltas = unpackIntPlanes(width, deltaBytes, decimals);
  const floats = unpackFloatPlanes(floatsField, exceptionAt.length, `${where}.floats`);
  const isException = new Map<number, number>();
  exceptionAt.forEach((at, e) => {
    const position = index(at, `${where}.exceptionAt[${e}]`, cells);
    if (e > 0 && position <= int(exceptionAt[e - 1], `${where}.exceptionAt[${e - 1}]`))
      fail(`${where}.exceptionAt`, 'must be strictly ascending');
    isException.set(position, floats[e] as number);
  });
  const values: number[] = [];
  const previous = new Map<string, number>();
  let nextDelta = 0;
  for (let r = 0; r < readings.length; r += 1) {
    if (!(shapes[readingShapes[r] as number] as number[]).includes(id)) continue;
    const position = values.length;
    const exception = isException.get(position);
    if (exception !== undefined) {
      values.push(exception);
      continue;
    }
    const device = (readings[r] as Reading).device;
    const delta = deltas[nextDelta] as number;
    if (!Number.isSafeInteger(delta))
      fail(`${where}.deltas`, `hold a delta beyond the safe integer range at ${nextDelta}`);
    const mantissa = (previous.get(device) ?? 0) + delta;
    nextDelta += 1;
    if (!Number.isSafeInteger(mantissa)) fail(`${where}.deltas`, 'take a mantissa outside the safe integer range');
    previous.set(device, mantissa);
    values.push(decimalValue(mantissa, exponent));
  }
  return values;
}

/** Decodes and validates a compact telemetry batch straight from the wire. */
export function decodeCompactTelemetry(
  payload: Uint8Array,
  options: BatchCheckOptions = {},
): Validated<TelemetryBatch> {
  if (payload.byteLength > MAX_BATCH_BYTES) {
    return {
      ok: false,
      reason: 'too_large',
      message: `payload is ${payload.byteLength} bytes; the limit is ${MAX_BATCH_BYTES}`,
    };
  }
  if (payload.byteLength < 2) {
    return {
      ok: false,
      reason: 'bad_encoding',
      message: `compact payload is ${payload.byteLength} bytes: too short to hold a version byte and a deflate stream`,
    };
  }
  if (payload[0] !== COMPACT_FORMAT_VERSION) {
    return {
      ok: false,
      reason: 'bad_encoding',
      message: `compact payload starts with format byte ${payload[0]}; this receiver reads format ${COMPACT_FORMAT_VERSION}`,
    };
  }
  let document: Buffer;
  try {
    document = inflateRawSync(payload.subarray(1), { maxOutputLength: MAX_COMPACT_INFLATED_BYTES });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      return {
        ok: false,
        reason: 'too_large',
        message: `compact payload inflates to more than ${MAX_COMPACT_INFLATED_BYTES} bytes (deflate bomb guard)`,
      };
    }
    return {
      ok: false,
      reason: 'bad_encoding',
      message: `compact payload is not a complete raw deflate stream: ${(error as Error).message}`,
    };
  }
  let batch: TelemetryBatch;
  try {
    batch = batchFromDocument(cbor.decode(document));
  } catch (error) {
    if (error instanceof TooLargeError) return { ok: false, reason: 'too_large', message: error.message };
    const message =
      error instanceof FormatError ? error.message : `compact payload is not valid CBOR: ${(error as Error).message}`;
    return { ok: false, reason: 'bad_encoding', message };
  }
  return checkTelemetryBatch(batch, options);
}
