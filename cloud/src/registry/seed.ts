/**
 * Applies a registry seed file at start-up (GRIDSAFE_SEED_FILE): transformers,
 * customers, devices and gateways with their secrets, created or updated, so
 * applying it again changes nothing. The demo launcher and the tests use it.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describeSchemaError, type Customer, type Device, type Transformer } from '@gridsafe/shared';
import type { RegistryStore } from '../storage/relational/registry-store.js';
import { customerSchema, deviceSchema, gatewayBodySchema, transformerSchema } from '../http/schemas.js';

export interface RegistrySeed {
  transformers?: Transformer[];
  customers?: Customer[];
  devices?: Device[];
  gateways?: Array<{ id: string; secret?: string }>;
}

const seedSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    transformers: { type: 'array', items: transformerSchema },
    customers: { type: 'array', items: customerSchema },
    devices: { type: 'array', items: deviceSchema },
    gateways: { type: 'array', items: gatewayBodySchema },
  },
} as const;

const validate = new Ajv({ allErrors: false, strict: false }).compile<RegistrySeed>(seedSchema);

export function readSeed(path: string): RegistrySeed {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `registry seed ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message}`,
    );
  }
  if (!validate(parsed)) throw new Error(`registry seed ${path}: ${describeSchemaError(validate.errors)}`);
  return parsed;
}

export async function applySeed(
  registry: RegistryStore,
  seed: RegistrySeed,
): Promise<{ transformers: number; customers: number; devices: number; gateways: number }> {
  for (const transformer of seed.transformers ?? []) await registry.putTransformer(transformer, 'upsert');
  for (const customer of seed.customers ?? []) await registry.putCustomer(customer, 'upsert');
  for (const device of seed.devices ?? []) await registry.putDevice(device, 'upsert');
  for (const gateway of seed.gateways ?? []) {
    // Re-hash only when the secret changed, so restarts do not churn the row.
    const known = gateway.secret !== undefined && (await registry.verifyGatewaySecret(gateway.id, gateway.secret));
    if (!known) await registry.putGateway(gateway.id, gateway.secret);
  }
  return {
    transformers: seed.transformers?.length ?? 0,
    customers: seed.customers?.length ?? 0,
    devices: seed.devices?.length ?? 0,
    gateways: seed.gateways?.length ?? 0,
  };
}
