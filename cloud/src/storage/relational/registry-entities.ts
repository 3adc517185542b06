/**
 * Transformers, customers and devices in the relational store through one helper: the
 * same list, get, create/replace/upsert, delete and import steps, each entity giving only
 * its table, its row mapping, the references it must find and who refers to it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Customer, Device, DeviceKind, Message, Tariff, Transformer } from '@gridsafe/shared';
import { formatMessage } from '../../messages/catalog.js';
import { isUniqueViolation } from './db.js';
import type { CustomerTable, DatabaseSchema, DeviceTable, TransformerTable } from './schema.js';

export class RegistryError extends Error {
  /** The refusal as a catalogue message, for readers of either language. */
  readonly text: Message;
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'invalid_reference',
    text: Message,
  ) {
    super(formatMessage(text, 'en'));
    this.name = 'RegistryError';
    this.text = text;
  }
}

/** "{what} {id} is not registered", for any registry entity. */
export const notRegistered = (what: string, id: string): Message => ({
  code: 'problem.not_registered',
  params: { what, id },
});

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type WriteMode = 'create' | 'replace' | 'upsert';
type EntityTableName = 'transformers' | 'customers' | 'devices';
type Trx = Transaction<DatabaseSchema>;

interface EntitySpec<T, Row extends { id: string }> {
  table: EntityTableName;
  /** How messages name one of them ("transformer"). */
  label: string;
  toRow(value: T, now: number): Row;
  fromRow(row: Row): T;
  /** Columns a list may filter on. */
  filters?: readonly (keyof Row & string)[];
  /** What the row names that is not registered (checked in the write's transaction), or null. */
  missingReference?(trx: Trx, row: Row): Promise<{ what: string; id: string } | null>;
  /** The devices column that points at this entity: deleting is refused while devices do. */
  referencedBy?: 'transformer' | 'customer';
}

/** One registry entity's steps in the relational store. */
export class EntityTable<T, Row extends { id: string }> {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly spec: EntitySpec<T, Row>,
  ) {}

  get label(): string {
    return this.spec.label;
  }

  // Kysely types each table's builder apart; the helper works on any of the three through one view of it.
  private view<D>(db: D): Kysely<Record<EntityTableName, Row>> {
    return db as unknown as Kysely<Record<EntityTableName, Row>>;
  }

  async all(): Promise<T[]> {
    const rows = await this.view(this.db).selectFrom(this.spec.table).selectAll().execute();
    return rows.map((row) => this.spec.fromRow(row as Row));
  }

  /** `only`: these ids at most (an inspector's scope; none when empty). */
  async list(
    limit: number,
    offset: number,
    filter: Record<string, string | undefined> = {},
    only?: string[],
  ): Promise<Page<T>> {
    if (only?.length === 0) return { items: [], total: 0, limit, offset };
    let query = this.view(this.db).selectFrom(this.spec.table);
    if (only) query = query.where('id' as never, 'in', only as never);
    for (const column of this.spec.filters ?? []) {
      const wanted = filter[column];
      // The builder's column type is the union of the three tables' columns; `column` is one of this table's.
      if (wanted) query = query.where(column as never, '=', wanted as never);
    }
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy('id' as never)
        .limit(limit)
        .offset(offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((row) => this.spec.fromRow(row as Row)), total: Number(count.n), limit, offset };
  }

  async find(id: string): Promise<T | undefined> {
    const row = await this.view(this.db)
      .selectFrom(this.spec.table)
      .selectAll()
      .where('id' as never, '=', id as never)
      .executeTakeFirst();
    return row ? this.spec.fromRow(row as Row) : undefined;
  }

  async get(id: string): Promise<T> {
    const found = await this.find(id);
    if (!found) throw new RegistryError('not_found', notRegistered(this.spec.label, id));
    return found;
  }

  /** create: refused if it exists; replace: refused if it does not; upsert: either. */
  async put(value: T, mode: WriteMode): Promise<T> {
    const row = this.spec.toRow(value, Date.now());
    const { label, table } = this.spec;
    try {
      const found = await this.db.transaction().execute(async (trx) => {
        const missing = await this.spec.missingReference?.(trx, row);
        if (missing)
          throw new RegistryError('invalid_reference', {
            code: 'problem.reference_not_registered',
            params: { what: label, id: row.id, refWhat: missing.what, refId: missing.id },
          });
        const db = this.view(trx);
        if (mode === 'replace') {
          const result = await db
            .updateTable(table)
            .set(row as never)
            .where('id' as never, '=', row.id as never)
            .executeTakeFirst();
          return result.numUpdatedRows > 0n;
        }
        if (mode === 'create')
          await db
            .insertInto(table)
            .values(row as never)
            .execute();
        else await this.upsertRow(trx, row);
        return true;
      });
      if (!found)
        throw new RegistryError('not_found', {
          code: 'problem.not_registered_put',
          params: { what: label, id: row.id },
        });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new RegistryError('conflict', { code: 'problem.already_exists', params: { what: label, id: row.id } });
      throw error;
    }
    return this.spec.fromRow(row);
  }

  /** One row of an import, in the import's transaction; `row` names the CSV line for a refusal. */
  async importOne(trx: Trx, value: T, now: number, line: number): Promise<void> {
    const row = this.spec.toRow(value, now);
    const missing = await this.spec.missingReference?.(trx, row);
    if (missing)
      throw new RegistryError('invalid_reference', {
        code: 'problem.import_reference_not_registered',
        params: { line, what: this.spec.label, id: row.id, refWhat: missing.what, refId: missing.id },
      });
    await this.upsertRow(trx, row);
  }

  async remove(id: string): Promise<void> {
    const { label, table, referencedBy } = this.spec;
    await this.db.transaction().execute(async (trx) => {
      if (referencedBy) {
        const used = await trx.selectFrom('devices').select('id').where(referencedBy, '=', id).limit(5).execute();
        if (used.length > 0) {
          throw new RegistryError('conflict', {
            code: 'problem.still_has_devices',
            params: { what: label, id, devices: used.map((d) => d.id).join(', ') },
          });
        }
      }
      const result = await this.view(trx)
        .deleteFrom(table)
        .where('id' as never, '=', id as never)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new RegistryError('not_found', notRegistered(label, id));
    });
  }

  private async upsertRow(trx: Trx, row: Row): Promise<void> {
    await this.view(trx)
      .insertInto(this.spec.table)
      .values(row as never)
      .onConflict((oc) => oc.column('id' as never).doUpdateSet(row as never))
      .execute();
  }
}

async function registered(trx: Trx, table: 'transformers' | 'customers', id: string): Promise<boolean> {
  return (await trx.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

export const transformerEntity = (db: Kysely<DatabaseSchema>) =>
  new EntityTable<Transformer, TransformerTable>(db, {
    table: 'transformers',
    label: 'transformer',
    referencedBy: 'transformer',
    toRow: (value, now) => ({
      id: value.id,
      site: value.site,
      rated_kva: value.ratedKva,
      vector_group: value.vectorGroup ?? null,
      area: value.area ?? null,
      lat: value.lat ?? null,
      lon: value.lon ?? null,
      updated_at: now,
    }),
    fromRow: (row) => {
      const value: Transformer = { id: row.id, site: row.site, ratedKva: row.rated_kva };
      if (row.vector_group !== null) value.vectorGroup = row.vector_group;
      if (row.area !== null) value.area = row.area;
      // PostgreSQL's real comes back as a number; SQLite's too. Both or neither are kept.
      if (row.lat !== null && row.lon !== null) Object.assign(value, { lat: Number(row.lat), lon: Number(row.lon) });
      return value;
    },
  });

export const customerEntity = (db: Kysely<DatabaseSchema>) =>
  new EntityTable<Customer, CustomerTable>(db, {
    table: 'customers',
    label: 'customer',
    referencedBy: 'customer',
    toRow: (value, now) => ({
      id: value.id,
      name: value.name,
      contract_kva: value.contractKva,
      tariff: value.tariff,
      has_generation: value.hasGeneration ? 1 : 0,
      updated_at: now,
    }),
    fromRow: (row) => {
      const value: Customer = {
        id: row.id,
        name: row.name,
        contractKva: row.contract_kva,
        tariff: row.tariff as Tariff,
      };
      if (row.has_generation) value.hasGeneration = true;
      return value;
    },
  });

export const deviceEntity = (db: Kysely<DatabaseSchema>) =>
  new EntityTable<Device, DeviceTable>(db, {
    table: 'devices',
    label: 'device',
    filters: ['gateway', 'transformer', 'customer'],
    async missingReference(trx, row) {
      if (row.transformer !== null && !(await registered(trx, 'transformers', row.transformer)))
        return { what: 'transformer', id: row.transformer };
      if (row.customer !== null && !(await registered(trx, 'customers', row.customer)))
        return { what: 'customer', id: row.customer };
      return null;
    },
    toRow: (value, now) => ({
      id: value.id,
      gateway: value.gateway,
      kind: value.kind,
      transformer: value.transformer ?? null,
      customer: value.customer ?? null,
      ct_ratio: value.ctRatio,
      pt_ratio: value.ptRatio,
      ct_secondary_a: value.ctSecondaryA,
      updated_at: now,
    }),
    fromRow: (row) => {
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
    },
  });
