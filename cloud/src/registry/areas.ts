/**
 * Areas and sites of subjects (transformer, device, customer, gateway), from the
 * registry: what scopes an inspector's view, and where an alert's work order goes.
 */
import type { Transformer } from '@gridsafe/shared';
import type { RegistryView } from '../detector-kit/types.js';

export interface AreaRegistry extends RegistryView {
  transformersInArea(area: string): string[];
}

export type RegistryKind = 'transformers' | 'devices' | 'customers' | 'gateways';

export class AreaDirectory {
  constructor(private readonly registry: AreaRegistry) {}

  /** Every subject (transformer, device, customer, gateway) in these areas (an inspector's). */
  subjectsInAreas(areas: string[]): string[] {
    const scope = this.registryInAreas(areas);
    return [...new Set([...scope.transformers, ...scope.devices, ...scope.customers, ...scope.gateways])];
  }

  /**
   * The registry records in these areas, by kind: transformers of the area, the devices on
   * them, and the customers and gateways of those devices (a gateway or customer with
   * devices in two areas is in both).
   */
  registryInAreas(areas: string[]): Record<RegistryKind, Set<string>> {
    const scope = {
      transformers: new Set<string>(),
      devices: new Set<string>(),
      customers: new Set<string>(),
      gateways: new Set<string>(),
    };
    for (const area of areas) {
      for (const transformerId of this.registry.transformersInArea(area)) {
        scope.transformers.add(transformerId);
        for (const device of this.registry.devicesOnTransformer(transformerId)) {
          scope.devices.add(device.id);
          if (device.customer) scope.customers.add(device.customer);
          scope.gateways.add(device.gateway);
        }
      }
    }
    return scope;
  }

  /** The area of a transformer, device or customer (through its transformer), for scoping inspectors. */
  areaOf(subject: string): string | undefined {
    const registry = this.registry;
    const transformer = registry.transformer(subject);
    if (transformer) return transformer.area;
    const device = registry.device(subject);
    if (device?.transformer) return registry.transformer(device.transformer)?.area;
    const customerDevice = registry.devicesOfCustomer(subject).find((candidate) => candidate.transformer);
    if (customerDevice?.transformer) return registry.transformer(customerDevice.transformer)?.area;
    return undefined;
  }

  /** Area and site of an alert's subject (transformer, device, customer or gateway). */
  locate(subject: string): { area: string | null; site: string | null } {
    const found = this.transformerOf(subject);
    return { area: found?.area ?? null, site: found?.site ?? null };
  }

  private transformerOf(subject: string): Transformer | undefined {
    const registry = this.registry;
    const direct = registry.transformer(subject);
    if (direct) return direct;
    const viaDevice = (devices: ReadonlyArray<{ transformer?: string }>) => {
      for (const device of devices) {
        const transformer = device.transformer ? registry.transformer(device.transformer) : undefined;
        if (transformer) return transformer;
      }
      return undefined;
    };
    const device = registry.device(subject);
    if (device) return viaDevice([device]);
    return viaDevice(registry.devicesOfCustomer(subject)) ?? viaDevice(registry.devicesOfGateway(subject));
  }
}
