/**
 * What a poll of a DL/T 645 meter reads: every block of the profile (one DI answering
 * several items), then each item no block covers; and how a read's data becomes values.
 * Canonical quantities become reading values (CT/PT ratios applied as the profile says,
 * outside their range marked suspect); status figures (maximum demand with its time,
 * status words) are returned apart, for the meter_status event.
 */
import type { DeviceProfile, Dlt645Item } from '@gridsafe/shared';
import { decodeTime, decodeValue } from '@gridsafe/shared/dlt645/data.js';
import { itemBytes } from '@gridsafe/shared/profiles/dlt645.js';
import { ModbusReadError } from '../modbus/errors.js';
import { ratioFor, type DecodedValue, type Ratios } from '../poll/decode.js';

export interface Dlt645Read {
  di: string;
  items: Dlt645Item[];
}

export function planDlt645Reads(profile: DeviceProfile): Dlt645Read[] {
  const map = profile.dlt645;
  if (!map) throw new Error(`profile ${profile.id} is not a DL/T 645 profile`);
  const byDi = new Map(map.items.map((item) => [item.di, item]));
  const covered = new Set<string>();
  const reads: Dlt645Read[] = map.blocks.map((block) => {
    for (const di of block.items) covered.add(di);
    return { di: block.di, items: block.items.map((di) => byDi.get(di)!) };
  });
  for (const item of map.items) if (!covered.has(item.di)) reads.push({ di: item.di, items: [item] });
  return reads;
}

/** A status figure: a number (status word, demand) and, for a maximum demand, when it occurred. */
export type StatusFigure = number | { value: number; at: number };

/**
 * Decodes the data of one read. `utcOffsetMinutes` is the meter clock's offset, for times.
 * Throws a framing error when the data is not what the profile says (length, BCD).
 */
export function decodeDlt645Read(
  read: Dlt645Read,
  data: Buffer,
  ratios: Ratios,
  utcOffsetMinutes: number,
  values: DecodedValue[],
  status: Record<string, StatusFigure>,
): void {
  const expected = read.items.reduce((sum, item) => sum + itemBytes(item), 0);
  if (data.length !== expected)
    throw new ModbusReadError(
      'framing',
      `DI ${read.di}: ${data.length} data bytes where the profile expects ${expected}`,
    );
  let at = 0;
  for (const item of read.items) {
    let value: number;
    let time: number | undefined;
    try {
      value = decodeValue(data.subarray(at, at + item.format.bytes), item.format, item.signed);
      if (item.withTime)
        time = decodeTime(data.subarray(at + item.format.bytes, at + itemBytes(item)), utcOffsetMinutes);
    } catch (error) {
      throw new ModbusReadError('framing', `DI ${item.di}: ${(error as Error).message}`);
    }
    at += itemBytes(item);
    const primary = Number((value * ratioFor(item, ratios)).toPrecision(12));
    if (item.quantity !== undefined) {
      const [low, high] = item.validRange!;
      values.push({ quantity: item.quantity, value: primary, suspect: value < low || value > high });
    } else if (item.status !== undefined) {
      status[item.status] = time === undefined ? primary : { value: primary, at: time };
    }
  }
}
