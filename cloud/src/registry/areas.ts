/** Area and site of an alert's subject (transformer, device, customer or gateway), from the registry. */
import type { Transformer } from '@gridsafe/shared';
import type { RegistryStore } from '../storage/relational/registry-store.js';

export function locateSubject(registry: RegistryStore, subject: string): { area: string | null; site: string | null } {
  const found = transformerOf(registry, subject);
  return { area: found?.area ?? null, site: found?.site ?? null };
}

function transformerOf(registry: RegistryStore, subject: string): Transformer | undefined {
  const direct = registry.transformer(subject);
  if (direct) return direct;
  const viaDevice = (devices: Array<{ transformer?: string }>) => {
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
