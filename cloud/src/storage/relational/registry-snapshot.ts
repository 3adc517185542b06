/**
 * The registry held in memory: what detection's synchronous RegistryView and the area
 * lookups read, so a batch never waits on the database for it. Replaced whole by a
 * refresh; one device may be reloaded alone.
 */
import type { Customer, Device, Transformer } from '@gridsafe/shared';
import type { MeterEvent, RegistryView } from '../../detector-kit/types.js';

export class RegistrySnapshot implements RegistryView {
  private transformers = new Map<string, Transformer>();
  private customers = new Map<string, Customer>();
  private devices = new Map<string, Device>();
  private meterEventsByDevice = new Map<string, MeterEvent[]>();
  /** Devices by transformer, customer and gateway, built when first asked after a change. */
  private index: Record<'transformer' | 'customer' | 'gateway', Map<string, Device[]>> | null = null;
  /** Goes up at each change of the devices (cluster mode regroups subjects into partitions then). */
  generation = 0;

  replace(transformers: Transformer[], customers: Customer[], devices: Device[]): void {
    this.transformers = new Map(transformers.map((value) => [value.id, value]));
    this.customers = new Map(customers.map((value) => [value.id, value]));
    this.devices = new Map(devices.map((value) => [value.id, value]));
    this.index = null;
    this.generation++;
  }

  /** Replaces the recorded meter events (oldest first). */
  replaceMeterEvents(events: MeterEvent[]): void {
    const next = new Map<string, MeterEvent[]>();
    for (const e of events) (next.get(e.device) ?? next.set(e.device, []).get(e.device)!).push(e);
    this.meterEventsByDevice = next;
  }

  meterEvents(device: string): readonly MeterEvent[] {
    return this.meterEventsByDevice.get(device) ?? [];
  }

  /** Puts one device as the database has it now (undefined: it is gone). */
  setDevice(id: string, device: Device | undefined): void {
    if (device) this.devices.set(id, device);
    else this.devices.delete(id);
    this.index = null;
    this.generation++;
  }

  /** Every device, in registry order. */
  allDevices(): IterableIterator<Device> {
    return this.devices.values();
  }

  /**
   * Detection asks for a transformer's devices on every reading (overload, unbalance):
   * looked up, not filtered from the whole registry. Lists in registry order.
   */
  private devicesBy(field: 'transformer' | 'customer' | 'gateway', id: string): readonly Device[] {
    if (!this.index) {
      const index = { transformer: new Map(), customer: new Map(), gateway: new Map() };
      for (const device of this.devices.values())
        for (const key of ['transformer', 'customer', 'gateway'] as const) {
          const value = device[key];
          if (value === undefined) continue;
          const list = index[key].get(value);
          if (list) list.push(device);
          else index[key].set(value, [device]);
        }
      this.index = index;
    }
    return this.index[field].get(id) ?? [];
  }

  device(id: string): Device | undefined {
    return this.devices.get(id);
  }
  transformer(id: string): Transformer | undefined {
    return this.transformers.get(id);
  }
  customer(id: string): Customer | undefined {
    return this.customers.get(id);
  }
  devicesOnTransformer(transformerId: string): readonly Device[] {
    return this.devicesBy('transformer', transformerId);
  }
  devicesOfCustomer(customerId: string): readonly Device[] {
    return this.devicesBy('customer', customerId);
  }
  devicesOfGateway(gatewayId: string): readonly Device[] {
    return this.devicesBy('gateway', gatewayId);
  }
  transformersInArea(area: string): string[] {
    return [...this.transformers.values()]
      .filter((transformer) => transformer.area === area)
      .map((transformer) => transformer.id);
  }
}
