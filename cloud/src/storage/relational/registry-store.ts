/**
 * The registry (transformers, customers, devices, gateways) in the relational store,
 * with an in-memory snapshot (registry-snapshot.ts) that serves detection's synchronous
 * RegistryView. Writes go to the database first and then refresh the snapshot; in a
 * multi-instance deployment `refresh()` is also called on a timer so each instance sees
 * the others' edits. The three entities share one helper (registry-entities.ts); gateways
 * and their credentials are gateway-store.ts.
 */
import type { Customer, Device, GatewayRecord, Transformer } from '@gridsafe/shared';
import type { RelationalDb } from './db.js';
import { GatewayStore } from './gateway-store.js';
import { customerEntity, deviceEntity, transformerEntity, type Page, type WriteMode } from './registry-entities.js';
import { RegistrySnapshot } from './registry-snapshot.js';
import { MeterEventStore } from './meter-event-store.js';
import type { MeterEvent } from '../../detector-kit/types.js';

export type ImportKind = 'transformers' | 'customers' | 'devices' | 'gateways';
export type EntityKind = 'transformers' | 'customers' | 'devices';
type EntityRecord = Transformer | Customer | Device;

/** One entity's records, for code that handles the three alike (the registry routes). */
export interface RegistryEntity {
  /** `filter`: the entity's filter columns (a device's gateway, transformer, customer); `only`: these ids at most. */
  list(
    limit: number,
    offset: number,
    filter: Record<string, string | undefined>,
    only?: string[],
  ): Promise<Page<EntityRecord>>;
  get(id: string): Promise<EntityRecord>;
  /** `value` must be of the entity's kind (a body its schema checked). */
  put(value: EntityRecord, mode: WriteMode): Promise<EntityRecord>;
  remove(id: string): Promise<void>;
}

export class RegistryStore extends RegistrySnapshot {
  private readonly transformerTable;
  private readonly customerTable;
  private readonly deviceTable;
  private readonly gateways;
  private readonly meterEventTable;
  private readonly changeListeners: Array<() => void> = [];

  constructor(private readonly rdb: RelationalDb) {
    super();
    this.transformerTable = transformerEntity(rdb.db);
    this.customerTable = customerEntity(rdb.db);
    this.deviceTable = deviceEntity(rdb.db);
    this.gateways = new GatewayStore(rdb.db);
    this.meterEventTable = new MeterEventStore(rdb);
  }

  /** Called after each edit made through this store (cluster mode tells the other instances). */
  onLocalChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Reloads the in-memory snapshot from the database. */
  async refresh(): Promise<void> {
    const [transformers, customers, devices] = await Promise.all([
      this.transformerTable.all(),
      this.customerTable.all(),
      this.deviceTable.all(),
    ]);
    this.replace(transformers, customers, devices);
    this.replaceMeterEvents(await this.meterEventTable.all());
  }

  /** Records a meter replacement or register reset; detection sees it at once. */
  async recordMeterEvent(event: MeterEvent): Promise<MeterEvent> {
    await this.meterEventTable.record(event);
    this.replaceMeterEvents(await this.meterEventTable.all());
    for (const listener of this.changeListeners) listener();
    return event;
  }

  /** An entity's records by its API name; writes refresh the snapshot, as the named methods below do. */
  entity(kind: EntityKind): RegistryEntity {
    const tables = { transformers: this.transformerTable, customers: this.customerTable, devices: this.deviceTable };
    const table = tables[kind];
    return {
      list: (limit, offset, filter, only) => table.list(limit, offset, filter, only),
      get: (id) => table.get(id),
      // The three tables' put take their own record type; the caller vouches that `value` is of this kind.
      put: (value, mode) => this.refreshAfter<EntityRecord>(table.put(value as Transformer & Customer & Device, mode)),
      remove: (id) => this.refreshAfter(table.remove(id)),
    };
  }

  // ---- transformers ----
  /** `only`: these ids at most (an inspector's scope). */
  listTransformers(limit: number, offset: number, only?: string[]): Promise<Page<Transformer>> {
    return this.transformerTable.list(limit, offset, {}, only);
  }
  putTransformer(value: Transformer, mode: WriteMode): Promise<Transformer> {
    return this.refreshAfter(this.transformerTable.put(value, mode));
  }
  deleteTransformer(id: string): Promise<void> {
    return this.refreshAfter(this.transformerTable.remove(id));
  }

  // ---- customers ----
  /** `only`: these ids at most (an inspector's scope). */
  listCustomers(limit: number, offset: number, only?: string[]): Promise<Page<Customer>> {
    return this.customerTable.list(limit, offset, {}, only);
  }
  putCustomer(value: Customer, mode: WriteMode): Promise<Customer> {
    return this.refreshAfter(this.customerTable.put(value, mode));
  }

  // ---- devices ----
  /** `filter.only`: these ids at most (an inspector's scope). */
  listDevices(
    limit: number,
    offset: number,
    filter: { gateway?: string; transformer?: string; customer?: string; only?: string[] } = {},
  ): Promise<Page<Device>> {
    const { only, ...columns } = filter;
    return this.deviceTable.list(limit, offset, columns, only);
  }
  getDevice(id: string): Promise<Device> {
    return this.deviceTable.get(id);
  }
  putDevice(value: Device, mode: WriteMode): Promise<Device> {
    return this.refreshAfter(this.deviceTable.put(value, mode));
  }
  deleteDevice(id: string): Promise<void> {
    return this.refreshAfter(this.deviceTable.remove(id));
  }

  /**
   * The device as the database has it now, and the snapshot updated to match: for a
   * check that the snapshot failed, so an edit made by another instance since the last
   * refresh is not taken for a fault.
   */
  async reloadDevice(id: string): Promise<Device | undefined> {
    const device = await this.deviceTable.find(id);
    this.setDevice(id, device);
    return device;
  }

  // ---- gateways ----
  putGateway(id: string, secret: string | undefined): Promise<GatewayRecord> {
    return this.gateways.put(id, secret);
  }
  getGateway(id: string): Promise<GatewayRecord> {
    return this.gateways.get(id);
  }
  /** `only`: these ids at most (an inspector's scope). */
  listGateways(limit: number, offset: number, only?: string[]): Promise<Page<GatewayRecord>> {
    return this.gateways.list(limit, offset, only);
  }
  deleteGateway(id: string): Promise<void> {
    return this.gateways.remove(id);
  }
  gatewayExists(id: string): Promise<boolean> {
    return this.gateways.exists(id);
  }
  /** Checks a gateway's MQTT login; false for an unknown gateway, one without a secret, or a wrong secret. */
  verifyGatewaySecret(id: string, secret: string): Promise<boolean> {
    return this.gateways.verifySecret(id, secret);
  }
  recordGatewayStatus(id: string, status: Record<string, unknown>, at: number): Promise<void> {
    return this.gateways.recordStatus(id, status, at);
  }
  touchGateway(id: string, at: number): Promise<void> {
    return this.gateways.touch(id, at);
  }

  /**
   * Creates or updates many resources of one kind in one transaction: all or none.
   * Devices may name transformers and customers created earlier or in the same import.
   */
  async importAll(kind: ImportKind, items: Array<Record<string, unknown>>): Promise<void> {
    const now = Date.now();
    const hashes = kind === 'gateways' ? await this.gateways.hashSecrets(items) : [];
    await this.rdb.db.transaction().execute(async (trx) => {
      for (const [index, raw] of items.entries()) {
        const line = index + 1;
        if (kind === 'transformers')
          await this.transformerTable.importOne(trx, raw as unknown as Transformer, now, line);
        else if (kind === 'customers') await this.customerTable.importOne(trx, raw as unknown as Customer, now, line);
        else if (kind === 'devices') await this.deviceTable.importOne(trx, raw as unknown as Device, now, line);
        else await this.gateways.upsert(trx, String(raw['id']), hashes[index] ?? null, now);
      }
    });
    await this.refreshAfterChange();
  }

  private async refreshAfter<T>(write: Promise<T>): Promise<T> {
    const result = await write;
    await this.refreshAfterChange();
    return result;
  }

  private async refreshAfterChange(): Promise<void> {
    await this.refresh();
    for (const listener of this.changeListeners) listener();
  }
}
