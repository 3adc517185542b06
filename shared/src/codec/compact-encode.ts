/**
 * Encoder of the compact telemetry encoding, format 1 (layout in README.md here):
 * a columnar CBOR document (device dictionary, shapes of quantity ids in canonical order,
 * delta-coded timestamps, per-quantity decimal columns delta-coded per device and stored
 * as byte planes, raw
 * float64 for the rest), raw-deflated, behind one version byte.
 */
import { deflateRawSync, constants as zlibConstants } from 'node:zlib';
import { QUANTITY_NAMES, isQuantity } from '../contract/quantities.js';
import type { TelemetryBatch } from '../contract/types.js';
import { cbor, cborInt } from './cbor.js';
import { COMPACT_FORMAT_VERSION, QUALITY_CODES } from './compact-format.js';
import { planDecimalColumn } from './decimal-column.js';
import { packIntPlanes } from './int-planes.js';

const QUANTITY_ID = new Map<string, number>(QUANTITY_NAMES.map((name, id) => [name, id]));

/** Packs float64 values byte-plane by byte-plane (all first bytes, then all second ...): sign and exponent bytes repeat, so deflate finds them. */
export function packFloatPlanes(values: readonly number[]): Buffer {
  const raw = Buffer.alloc(values.length * 8);
  values.forEach((value, i) => raw.writeDoubleBE(value, i * 8));
  const planes = Buffer.alloc(raw.length);
  for (let i = 0; i < values.length; i += 1) {
    for (let b = 0; b < 8; b += 1) planes[b * values.length + i] = raw[i * 8 + b] as number;
  }
  return planes;
}

/** The CBOR document of format 1, before deflate (exported for the format tests). */
export function compactDocument(batch: TelemetryBatch): unknown[] {
  const devices: string[] = [];
  const deviceIndex = new Map<string, number>();
  const shapes: number[][] = [];
  const shapeIndex = new Map<string, number>();
  const readingDevice: number[] = [];
  const readingShape: number[] = [];
  const readingQuality: number[] = [];
  const tsDeltas: (number | bigint)[] = [];
  /** Per quantity id: the cells in reading order, with the device each belongs to. */
  const cells = new Map<number, { values: number[]; devices: number[] }>();

  let previousTs = batch.sentAt;
  batch.readings.forEach((reading, r) => {
    let device = deviceIndex.get(reading.device);
    if (device === undefined) {
      device = devices.length;
      devices.push(reading.device);
      deviceIndex.set(reading.device, device);
    }
    const ids: number[] = [];
    for (const [name, value] of Object.entries(reading.values)) {
      const id = isQuantity(name) ? QUANTITY_ID.get(name) : undefined;
      if (id === undefined)
        throw new Error(`readings[${r}].values: "${name}" is not a canonical quantity; the batch cannot be encoded`);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new Error(`readings[${r}].values.${name} is ${String(value)}; only finite numbers can be encoded`);
      }
      ids.push(id);
    }
    ids.sort((a, b) => a - b);
    const key = ids.join(',');
    let shape = shapeIndex.get(key);
    if (shape === undefined) {
      shape = shapes.length;
      shapes.push(ids);
      shapeIndex.set(key, shape);
    }
    const quality = QUALITY_CODES.indexOf(reading.quality);
    if (quality < 0)
      throw new Error(`readings[${r}].quality "${String(reading.quality)}" is not one of ${QUALITY_CODES.join(', ')}`);
    readingDevice.push(device);
    readingShape.push(shape);
    readingQuality.push(quality);
    tsDeltas.push(cborInt(reading.ts - previousTs));
    previousTs = reading.ts;
    for (const id of ids) {
      let column = cells.get(id);
      if (!column) {
        column = { values: [], devices: [] };
        cells.set(id, column);
      }
      column.values.push(reading.values[QUANTITY_NAMES[id] as keyof typeof reading.values] as number);
      column.devices.push(device);
    }
  });

  const columns = [...cells.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, column]) => encodeColumn(id, column.values, column.devices));
  return [
    batch.gateway,
    cborInt(batch.seq),
    cborInt(batch.sentAt),
    devices,
    shapes,
    readingDevice,
    readingShape,
    readingQuality,
    tsDeltas,
    columns,
  ];
}

function encodeColumn(id: number, values: number[], devices: number[]): unknown[] {
  const plan = planDecimalColumn(values);
  // A column with no usable decimal at all is just its floats; no list of positions needed.
  if (plan.exponent === null) return [id, null, 0, Buffer.alloc(0), [], packFloatPlanes(values)];
  const deltas: number[] = [];
  const exceptionAt: number[] = [];
  const exceptionValues: number[] = [];
  // Deltas run per device: a meter's next voltage or energy count is close to its last.
  const previous = new Map<number, number>();
  plan.mantissas.forEach((mantissa, i) => {
    if (mantissa === null) {
      exceptionAt.push(i);
      exceptionValues.push(values[i] as number);
      return;
    }
    const device = devices[i] as number;
    deltas.push(mantissa - (previous.get(device) ?? 0));
    previous.set(device, mantissa);
  });
  const { width, bytes } = packIntPlanes(deltas);
  return [id, plan.exponent, width, bytes, exceptionAt, packFloatPlanes(exceptionValues)];
}

/** Encodes a telemetry batch in the compact encoding. Throws on a batch the contract would reject for its values (unknown quantity, non-finite). */
export function encodeCompactTelemetry(batch: TelemetryBatch): Buffer {
  const document = cbor.encode(compactDocument(batch));
  const body = deflateRawSync(document, { level: zlibConstants.Z_BEST_COMPRESSION, memLevel: 9 });
  return Buffer.concat([Buffer.from([COMPACT_FORMAT_VERSION]), body]);
}
