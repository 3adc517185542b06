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

  replace(transformers: Transformer[], customers: Customer[], devices: Device[]): void {
    this.transformers = new Map(transformers.map((value) => [value.id, value]));
    this.customers = new Map(customers.map((value) => [value.id, value]));
    this.devices = new Map(devices.map((value) => [value.id, value]));
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
  devicesOnTransformer(transformerId: string): Device[] {
    return [...this.devices.values()].filter((device) => device.transformer === transformerId);
  }
  devicesOfCustomer(customerId: string): Device[] {
    return [...this.devices.values()].filter((device) => device.customer === customerId);
  }
  devicesOfGateway(gatewayId: string): Device[] {
    return [...this.devices.values()].filter((device) => device.gateway === gatewayId);
  }
  transformersInArea(area: string): string[] {
    return [...this.transformers.values()]
      .filter((transformer) => transformer.area === area)
      .map((transformer) => transformer.id);
  }
}
