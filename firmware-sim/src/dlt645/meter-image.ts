/**
 * A DL/T 645 meter's data, built from its profile: each item's value encoded exactly as
 * the profile says (BCD, sign bit, secondary side where the profile has the gateway
 * apply a ratio), each block the concatenation of its items. The maximum demand is the
 * largest `demand_kw` seen since the start, with its time; status words read 0.
 */
import {
  decodeValue,
  encodeTime,
  encodeValue,
  type DeviceProfile,
  type Dlt645Item,
  type Quantity,
} from '@gridsafe/shared';
import type { DeviceSnapshot } from '../model/device-model.js';
import { ratioFor } from '../registers/device-registers.js';

export class MeterImage {
  private readonly items: Dlt645Item[];
  private readonly blocks: Array<{ di: string; items: string[] }>;
  private data = new Map<string, Buffer>();
  private maxDemand = { kw: 0, at: 0 };

  constructor(
    profile: DeviceProfile,
    private readonly ctRatio: number,
    private readonly ptRatio: number,
    /** The meter clock's offset from UTC, for the times it reports. */
    private readonly utcOffsetMinutes: number,
  ) {
    if (!profile.dlt645) throw new Error(`profile ${profile.id} is not a DL/T 645 profile`);
    this.items = profile.dlt645.items;
    this.blocks = profile.dlt645.blocks;
  }

  /** Encodes a snapshot; returns the values served, decoded back to primary units as a gateway would. */
  update(snapshot: DeviceSnapshot): Partial<Record<Quantity, number>> {
    const demand = snapshot.values.demand_kw ?? 0;
    if (demand > this.maxDemand.kw || this.maxDemand.at === 0) this.maxDemand = { kw: demand, at: snapshot.ts };
    const data = new Map<string, Buffer>();
    const served: Partial<Record<Quantity, number>> = {};
    for (const item of this.items) {
      const ratio = ratioFor(item.primary, this.ctRatio, this.ptRatio);
      const primary = item.quantity !== undefined ? (snapshot.values[item.quantity] ?? 0) : this.statusValue(item);
      const value = encodeValue(primary / ratio, item.format, item.signed);
      data.set(
        item.di,
        item.withTime ? Buffer.concat([value, encodeTime(this.maxDemand.at, this.utcOffsetMinutes)]) : value,
      );
      if (item.quantity !== undefined)
        served[item.quantity] = Number((decodeValue(value, item.format, item.signed) * ratio).toPrecision(12));
    }
    for (const block of this.blocks) data.set(block.di, Buffer.concat(block.items.map((di) => data.get(di)!)));
    this.data = data;
    return served;
  }

  private statusValue(item: Dlt645Item): number {
    return item.status === 'max_demand_kw' ? this.maxDemand.kw : 0;
  }

  /** The data of a DI (an item or a block), or undefined when the meter has none (an abnormal reply). */
  read(di: string): Buffer | undefined {
    return this.data.get(di);
  }
}
