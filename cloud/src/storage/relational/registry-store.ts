/**
 * The registry (transformers, customers, devices, gateways) in the relational store,
 * with an in-memory snapshot that serves detection's synchronous RegistryView.
 * Writes go to the database first and then refresh the snapshot; in a multi-instance
 * deployment `refresh()` is also called on a timer so each instance sees the others' edits.
 */
import type { Customer, Device, DeviceKind, Tariff, Transformer } from '@gridsafe/shared';
import type { RegistryView } from '../../detector-kit/types.js';
import type { RelationalDb } from './db.js';
import { isUniqueViolation } from './db.js';
import type { CustomerTable, DeviceTable, TransformerTable } from './schema.js';
import { hashSecret, verifySecret } from '../../security/secrets.js';

export class RegistryError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'invalid_reference',
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export type ImportKind = 'transformers' | 'customers' | 'devices' | 'gateways';

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface GatewayInfo {
  id: string;
  hasSecret: boolean;
  status: Record<string, unknown> | null;
  statusAt: number | null;
  lastSeenAt: number | null;
}

const toTransformer = (row: TransformerTable): Transformer => {
  const value: Transformer = { id: row.id, site: row.site, ratedKva: row.rated_kva };
  if (row.vector_group !== null) value.vectorGroup = row.vector_group;
  if (row.area !== null) value.area = row.area;
  return value;
};

const toCustomer = (row: CustomerTable): Customer => {
  const value: Customer = { id: row.id, name: row.name, contractKva: row.contract_kva, tariff: row.tariff as Tariff };
  if (row.has_generation) value.hasGeneration = true;
  return value;
};

const toDevice = (row: DeviceTable): Device => {
  const value: Device = {
    id: row.id,
    gateway: row.gateway,
    kind: row.kind as DeviceKind,
    ctRatio: row.ct_ratio,
    ptRatio: row.pt_ratio,
    ctSecondaryA: row.ct_secondary_a,
  };
  if (row.transformer !== null) value.transformer = row.transformer;
  if (row.customer !== null) value.customer = row.customer;
  return value;
};

export class RegistryStore implements RegistryView {
  private transformers = new Map<string, Transformer>();
  private customers = new Map<string, Customer>();
  private devices = new Map<string, Device>();

  constructor(private readonly rdb: RelationalDb) {}

  private get db() {
    return this.rdb.db;
  }

  /** Reloads the in-memory snapshot from the database. */
  async refresh(): Promise<void> {
    const [transformers, customers, devices] = await Promise.all([
      this.db.selectFrom('transformers').selectAll().execute(),
      this.db.selectFrom('customers').selectAll().execute(),
      this.db.selectFrom('devices').selectAll().execute(),
    ]);
    this.transformers = new Map(transformers.map((row) => [row.id, toTransformer(row)]));
    this.customers = new Map(customers.map((row) => [row.id, toCustomer(row)]));
    this.devices = new Map(devices.map((row) => [row.id, toDevice(row)]));
  }

  // ---- RegistryView (synchronous, from the snapshot) ----
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
  // ---- transformers ----
  async listTransformers(limit: number, offset: number): Promise<Page<Transformer>> {
    const [rows, count] = await Promise.all([
      this.db.selectFrom('transformers').selectAll().orderBy('id').limit(limit).offset(offset).execute(),
      this.db
        .selectFrom('transformers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toTransformer), total: Number(count.n), limit, offset };
  }

  async getTransformer(id: string): Promise<Transformer> {
    const row = await this.db.selectFrom('transformers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new RegistryError('not_found', `transformer "${id}" is not registered`);
    return toTransformer(row);
  }

  async putTransformer(value: Transformer, mode: 'create' | 'replace' | 'upsert'): Promise<Transformer> {
    const row: TransformerTable = {
      id: value.id,
      site: value.site,
      rated_kva: value.ratedKva,
      vector_group: value.vectorGroup ?? null,
      area: value.area ?? null,
      updated_at: Date.now(),
    };
    await this.write('transformer', value.id, async (trx) => {
      if (mode === 'create') await trx.insertInto('transformers').values(row).execute();
      else if (mode === 'replace')
        return (
          (await trx.updateTable('transformers').set(row).where('id', '=', value.id).executeTakeFirst())
            .numUpdatedRows > 0n
        );
      else
        await trx
          .insertInto('transformers')
          .values(row)
          .onConflict((oc) => oc.column('id').doUpdateSet(row))
          .execute();
      return true;
    });
    return toTransformer(row);
  }

  async deleteTransformer(id: string): Promise<void> {
    await this.rdb.db.transaction().execute(async (trx) => {
      const used = await trx.selectFrom('devices').select('id').where('transformer', '=', id).limit(5).execute();
      if (used.length > 0) {
        throw new RegistryError(
          'conflict',
          `transformer "${id}" still has devices (${used.map((d) => d.id).join(', ')}); move or delete them first`,
        );
      }
      const result = await trx.deleteFrom('transformers').where('id', '=', id).executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new RegistryError('not_found', `transformer "${id}" is not registered`);
    });
    await this.refresh();
  }

  // ---- customers ----
  async listCustomers(limit: number, offset: number): Promise<Page<Customer>> {
    const [rows, count] = await Promise.all([
      this.db.selectFrom('customers').selectAll().orderBy('id').limit(limit).offset(offset).execute(),
      this.db
        .selectFrom('customers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toCustomer), total: Number(count.n), limit, offset };
  }

  async getCustomer(id: string): Promise<Customer> {
    const row = await this.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new RegistryError('not_found', `customer "${id}" is not registered`);
    return toCustomer(row);
  }

  async putCustomer(value: Customer, mode: 'create' | 'replace' | 'upsert'): Promise<Customer> {
    const row: CustomerTable = {
      id: value.id,
      name: value.name,
      contract_kva: value.contractKva,
      tariff: value.tariff,
      has_generation: value.hasGeneration ? 1 : 0,
      updated_at: Date.now(),
    };
    await this.write('customer', value.id, async (trx) => {
      if (mode === 'create') await trx.insertInto('customers').values(row).execute();
      else if (mode === 'replace')
        return (
          (await trx.updateTable('customers').set(row).where('id', '=', value.id).executeTakeFirst()).numUpdatedRows >
          0n
        );
      else
        await trx
          .insertInto('customers')
          .values(row)
          .onConflict((oc) => oc.column('id').doUpdateSet(row))
          .execute();
      return true;
    });
    return toCustomer(row);
  }

  async deleteCustomer(id: string): Promise<void> {
    await this.rdb.db.transaction().execute(async (trx) => {
      const used = await trx.selectFrom('devices').select('id').where('customer', '=', id).limit(5).execute();
      if (used.length > 0) {
        throw new RegistryError(
          'conflict',
          `customer "${id}" still has devices (${used.map((d) => d.id).join(', ')}); move or delete them first`,
        );
      }
      const result = await trx.deleteFrom('customers').where('id', '=', id).executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new RegistryError('not_found', `customer "${id}" is not registered`);
    });
    await this.refresh();
  }

  // ---- devices ----
  async listDevices(
    limit: number,
    offset: number,
    filter: { gateway?: string; transformer?: string; customer?: string } = {},
  ): Promise<Page<Device>> {
    let query = this.db.selectFrom('devices');
    if (filter.gateway) query = query.where('gateway', '=', filter.gateway);
    if (filter.transformer) query = query.where('transformer', '=', filter.transformer);
    if (filter.customer) query = query.where('customer', '=', filter.customer);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('id').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toDevice), total: Number(count.n), limit, offset };
  }

  /**
   * The device as the database has it now, and the snapshot updated to match: for a
   * check that the snapshot failed, so an edit made by another instance since the last
   * refresh is not taken for a fault.
   */
  async reloadDevice(id: string): Promise<Device | undefined> {
    const row = await this.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) {
      this.devices.delete(id);
      return undefined;
    }
    const device = toDevice(row);
    this.devices.set(id, device);
    return device;
  }

  async getDevice(id: string): Promise<Device> {
    const row = await this.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new RegistryError('not_found', `device "${id}" is not registered`);
    return toDevice(row);
  }

  async putDevice(value: Device, mode: 'create' | 'replace' | 'upsert'): Promise<Device> {
    const row: DeviceTable = {
      id: value.id,
      gateway: value.gateway,
      kind: value.kind,
      transformer: value.transformer ?? null,
      customer: value.customer ?? null,
      ct_ratio: value.ctRatio,
      pt_ratio: value.ptRatio,
      ct_secondary_a: value.ctSecondaryA,
      updated_at: Date.now(),
    };
    await this.write('device', value.id, async (trx) => {
      if (
        row.transformer !== null &&
        !(await trx.selectFrom('transformers').select('id').where('id', '=', row.transformer).executeTakeFirst())
      ) {
        throw new RegistryError(
          'invalid_reference',
          `device "${value.id}": transformer "${row.transformer}" is not registered`,
        );
      }
      if (
        row.customer !== null &&
        !(await trx.selectFrom('customers').select('id').where('id', '=', row.customer).executeTakeFirst())
      ) {
        throw new RegistryError(
          'invalid_reference',
          `device "${value.id}": customer "${row.customer}" is not registered`,
        );
      }
      if (mode === 'create') await trx.insertInto('devices').values(row).execute();
      else if (mode === 'replace')
        return (
          (await trx.updateTable('devices').set(row).where('id', '=', value.id).executeTakeFirst()).numUpdatedRows > 0n
        );
      else
        await trx
          .insertInto('devices')
          .values(row)
          .onConflict((oc) => oc.column('id').doUpdateSet(row))
          .execute();
      return true;
    });
    return toDevice(row);
  }

  async deleteDevice(id: string): Promise<void> {
    const result = await this.db.deleteFrom('devices').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new RegistryError('not_found', `device "${id}" is not registered`);
    await this.refresh();
  }

  // ---- gateways ----
  async putGateway(id: string, secret: string | undefined): Promise<GatewayInfo> {
    const now = Date.now();
    const secretHash = secret === undefined ? undefined : await hashSecret(secret);
    await this.db
      .insertInto('gateways')
      .values({
        id,
        secret_hash: secretHash ?? null,
        status: null,
        status_at: null,
        last_seen_at: null,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet(secretHash === undefined ? { updated_at: now } : { secret_hash: secretHash, updated_at: now }),
      )
      .execute();
    return this.getGateway(id);
  }

  async getGateway(id: string): Promise<GatewayInfo> {
    const row = await this.db.selectFrom('gateways').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new RegistryError('not_found', `gateway "${id}" is not registered`);
    return {
      id: row.id,
      hasSecret: row.secret_hash !== null,
      status: row.status === null ? null : (JSON.parse(row.status) as Record<string, unknown>),
      statusAt: row.status_at,
      lastSeenAt: row.last_seen_at,
    };
  }

  async listGateways(limit: number, offset: number): Promise<Page<GatewayInfo>> {
    const [rows, count] = await Promise.all([
      this.db.selectFrom('gateways').select('id').orderBy('id').limit(limit).offset(offset).execute(),
      this.db
        .selectFrom('gateways')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return {
      items: await Promise.all(rows.map((row) => this.getGateway(row.id))),
      total: Number(count.n),
      limit,
      offset,
    };
  }

  async deleteGateway(id: string): Promise<void> {
    const result = await this.db.deleteFrom('gateways').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new RegistryError('not_found', `gateway "${id}" is not registered`);
  }

  /** Checks a gateway's MQTT login; false for an unknown gateway, one without a secret, or a wrong secret. */
  async gatewayExists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('gateways').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  async verifyGatewaySecret(id: string, secret: string): Promise<boolean> {
    const row = await this.db.selectFrom('gateways').select('secret_hash').where('id', '=', id).executeTakeFirst();
    if (!row?.secret_hash) return false;
    return verifySecret(secret, row.secret_hash);
  }

  async recordGatewayStatus(id: string, status: Record<string, unknown>, at: number): Promise<void> {
    const json = JSON.stringify(status);
    await this.db
      .insertInto('gateways')
      .values({ id, secret_hash: null, status: json, status_at: at, last_seen_at: at, updated_at: at })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ status: json, status_at: at, last_seen_at: at, updated_at: at }),
      )
      .execute();
  }

  async touchGateway(id: string, at: number): Promise<void> {
    await this.db.updateTable('gateways').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  /**
   * Creates or updates many resources of one kind in one transaction: all or none.
   * Devices may name transformers and customers created earlier or in the same import.
   */
  async importAll(kind: ImportKind, items: Array<Record<string, unknown>>): Promise<void> {
    const now = Date.now();
    const hashes =
      kind === 'gateways'
        ? await Promise.all(
            items.map((item) =>
              typeof item['secret'] === 'string' ? hashSecret(item['secret']) : Promise.resolve(null),
            ),
          )
        : [];
    await this.rdb.db.transaction().execute(async (trx) => {
      for (const [index, raw] of items.entries()) {
        if (kind === 'transformers') {
          const value = raw as unknown as Transformer;
          const row: TransformerTable = {
            id: value.id,
            site: value.site,
            rated_kva: value.ratedKva,
            vector_group: value.vectorGroup ?? null,
            area: value.area ?? null,
            updated_at: now,
          };
          await trx
            .insertInto('transformers')
            .values(row)
            .onConflict((oc) => oc.column('id').doUpdateSet(row))
            .execute();
        } else if (kind === 'customers') {
          const value = raw as unknown as Customer;
          const row: CustomerTable = {
            id: value.id,
            name: value.name,
            contract_kva: value.contractKva,
            tariff: value.tariff,
            has_generation: value.hasGeneration ? 1 : 0,
            updated_at: now,
          };
          await trx
            .insertInto('customers')
            .values(row)
            .onConflict((oc) => oc.column('id').doUpdateSet(row))
            .execute();
        } else if (kind === 'devices') {
          const value = raw as unknown as Device;
          if (
            value.transformer &&
            !(await trx.selectFrom('transformers').select('id').where('id', '=', value.transformer).executeTakeFirst())
          ) {
            throw new RegistryError(
              'invalid_reference',
              `row ${index + 1} (device "${value.id}"): transformer "${value.transformer}" is not registered; nothing imported`,
            );
          }
          if (
            value.customer &&
            !(await trx.selectFrom('customers').select('id').where('id', '=', value.customer).executeTakeFirst())
          ) {
            throw new RegistryError(
              'invalid_reference',
              `row ${index + 1} (device "${value.id}"): customer "${value.customer}" is not registered; nothing imported`,
            );
          }
          const row: DeviceTable = {
            id: value.id,
            gateway: value.gateway,
            kind: value.kind,
            transformer: value.transformer ?? null,
            customer: value.customer ?? null,
            ct_ratio: value.ctRatio,
            pt_ratio: value.ptRatio,
            ct_secondary_a: value.ctSecondaryA,
            updated_at: now,
          };
          await trx
            .insertInto('devices')
            .values(row)
            .onConflict((oc) => oc.column('id').doUpdateSet(row))
            .execute();
        } else {
          const id = String(raw['id']);
          const hash = hashes[index] ?? null;
          await trx
            .insertInto('gateways')
            .values({ id, secret_hash: hash, status: null, status_at: null, last_seen_at: null, updated_at: now })
            .onConflict((oc) =>
              oc.column('id').doUpdateSet(hash === null ? { updated_at: now } : { secret_hash: hash, updated_at: now }),
            )
            .execute();
        }
      }
    });
    await this.refresh();
  }

  private async write(
    what: string,
    id: string,
    body: (
      trx: Parameters<Parameters<ReturnType<RelationalDb['db']['transaction']>['execute']>[0]>[0],
    ) => Promise<boolean>,
  ): Promise<void> {
    try {
      const found = await this.rdb.db.transaction().execute(body);
      if (!found) throw new RegistryError('not_found', `${what} "${id}" is not registered (create it with POST)`);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new RegistryError('conflict', `${what} "${id}" already exists (change it with PUT)`);
      throw error;
    }
    await this.refresh();
  }
}
