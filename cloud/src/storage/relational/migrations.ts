/**
 * Migrations of the relational store, written once through Kysely's schema builder so
 * the same steps run on SQLite (embedded default) and PostgreSQL (scale-out).
 * Append new migrations; never edit one that has shipped.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

// `unknown` database type: migrations must not depend on today's table types.
function migrations(dialect: Dialect): Record<string, Migration> {
  const autoId = dialect === 'postgres' ? 'serial' : 'integer';
  const real = 'double precision' as const;
  return {
    '0001_initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('transformers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('site', 'text', (c) => c.notNull())
          .addColumn('rated_kva', real, (c) => c.notNull())
          .addColumn('vector_group', 'text')
          .addColumn('area', 'text')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('customers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('contract_kva', real, (c) => c.notNull())
          .addColumn('tariff', 'text', (c) => c.notNull())
          .addColumn('has_generation', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('devices')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('gateway', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('transformer', 'text')
          .addColumn('customer', 'text')
          .addColumn('ct_ratio', real, (c) => c.notNull())
          .addColumn('pt_ratio', real, (c) => c.notNull())
          .addColumn('ct_secondary_a', real, (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('devices_gateway').on('devices').column('gateway').execute();
        await db.schema.createIndex('devices_transformer').on('devices').column('transformer').execute();
        await db.schema.createIndex('devices_customer').on('devices').column('customer').execute();
        await db.schema
          .createTable('gateways')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('secret_hash', 'text')
          .addColumn('status', 'text')
          .addColumn('status_at', 'bigint')
          .addColumn('last_seen_at', 'bigint')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('alerts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('severity', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('subject_kind', 'text', (c) => c.notNull())
          .addColumn('opened_at', 'bigint', (c) => c.notNull())
          .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
          .addColumn('acknowledged_at', 'bigint')
          .addColumn('resolved_at', 'bigint')
          .addColumn('evidence', 'text', (c) => c.notNull())
          .addColumn('notes', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        // CONTRACT.md: at most one alert of one type is open per subject. The partial
        // unique index makes the database enforce it, even across cloud instances.
        await db.schema
          .createIndex('alerts_one_open')
          .on('alerts')
          .columns(['type', 'subject'])
          .unique()
          .where(sql.ref('state'), '<>', 'resolved')
          .execute();
        await db.schema.createIndex('alerts_opened').on('alerts').column('opened_at').execute();
        await db.schema
          .createTable('cases')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('customer', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('contract_kva', real, (c) => c.notNull())
          .addColumn('max_demand_kw', real, (c) => c.notNull())
          .addColumn('excess_kva', real, (c) => c.notNull())
          .addColumn('first_seen', 'bigint', (c) => c.notNull())
          .addColumn('last_seen', 'bigint', (c) => c.notNull())
          .addColumn('evidence', 'text', (c) => c.notNull())
          .addColumn('penalty', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('cases_one_open')
          .on('cases')
          .column('customer')
          .unique()
          .where(sql.ref('state'), 'not in', sql`('confirmed', 'dismissed')`)
          .execute();
        await db.schema
          .createTable('case_history')
          .addColumn('id', autoId, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('case_id', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('from_state', 'text')
          .addColumn('to_state', 'text')
          .addColumn('note', 'text')
          .addColumn('detail', 'text')
          .execute();
        await db.schema.createIndex('case_history_case').on('case_history').column('case_id').execute();
        await db.schema
          .createTable('detector_state')
          .addColumn('detector', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('detector_state_pk', ['detector', 'subject'])
          .execute();
        await db.schema
          .createTable('ingest_ledger')
          .addColumn('gateway', 'text', (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          .addColumn('readings', 'integer', (c) => c.notNull())
          .addColumn('first_ts', 'bigint')
          .addColumn('last_ts', 'bigint')
          .addColumn('pending', 'text')
          .addPrimaryKeyConstraint('ingest_ledger_pk', ['gateway', 'seq'])
          .execute();
        await db.schema
          .createTable('gateway_events')
          .addColumn('gateway', 'text', (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('ts', 'bigint', (c) => c.notNull())
          .addColumn('device', 'text')
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('detail', 'text')
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('gateway_events_pk', ['gateway', 'seq'])
          .execute();
        await db.schema
          .createTable('api_users')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('areas', 'text', (c) => c.notNull())
          .addColumn('token_hash', 'text', (c) => c.notNull())
          .addColumn('token_id', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('audit_log')
          .addColumn('id', autoId, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('target_kind', 'text', (c) => c.notNull())
          .addColumn('target_id', 'text', (c) => c.notNull())
          .addColumn('detail', 'text')
          .execute();
      },
    },
    // One alert per episode (CONTRACT.md): occurrences of a condition that pauses and returns.
    '0002_alert_episodes': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('alerts')
          .addColumn('occurrences', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
        await db.schema.alterTable('alerts').addColumn('first_occurrence_at', 'bigint').execute();
        await db.schema.alterTable('alerts').addColumn('last_occurrence_at', 'bigint').execute();
        // End of the present occurrence while the episode is quiet; null while it goes on.
        await db.schema.alterTable('alerts').addColumn('paused_at', 'bigint').execute();
        await db.schema
          .alterTable('alerts')
          .addColumn('occurrence_log', 'text', (c) => c.notNull().defaultTo('[]'))
          .execute();
        // Alerts from before: one occurrence each, from opening to resolution.
        await sql`UPDATE alerts SET first_occurrence_at = opened_at, last_occurrence_at = opened_at,
          occurrence_log = '[{"startedAt":' || CAST(opened_at AS TEXT) || ',"endedAt":'
            || COALESCE(CAST(resolved_at AS TEXT), 'null') || ',"severity":"' || severity || '"}]'`.execute(db);
      },
    },
    // Penalty on apparent capacity (issue 11): apparent maximum demand and the equipment found.
    '0003_case_apparent_capacity': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('cases').addColumn('max_demand_kva', real).execute();
        await db.schema.alterTable('cases').addColumn('equipment', 'text').execute();
      },
    },
    // Recorded meter replacements and register resets (issue 11): the register rules of suspected_tamper use them.
    '0004_meter_events': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('meter_events')
          .addColumn('id', autoId, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('device', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('old_reading_kwh', real, (c) => c.notNull())
          .addColumn('new_reading_kwh', real, (c) => c.notNull())
          .addColumn('by', 'text', (c) => c.notNull())
          .addColumn('note', 'text')
          .addColumn('recorded_by', 'text', (c) => c.notNull())
          .addColumn('recorded_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('meter_events_device').on('meter_events').columns(['device', 'at']).execute();
      },
    },
    // Silences and maintenance windows (issue 15): alerts raised in one are kept, marked, and hidden until it ends.
    '0005_silences': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('silences')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('target_kind', 'text', (c) => c.notNull())
          .addColumn('starts_at', 'bigint', (c) => c.notNull())
          .addColumn('ends_at', 'bigint', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('ended_at', 'bigint')
          .addColumn('ended_by', 'text')
          .execute();
        await db.schema.createIndex('silences_target').on('silences').columns(['target', 'ends_at']).execute();
        await db.schema.alterTable('alerts').addColumn('silence_id', 'text').execute();
        await db.schema.alterTable('alerts').addColumn('silence_reason', 'text').execute();
        await db.schema.alterTable('alerts').addColumn('silenced_until', 'bigint').execute();
      },
    },
    // Several instances as one service (issue 13): the owner of a gateway's detection partition
    // takes its stored batches and events from here, whichever instance received them.
    '0006_detection_backlog': {
      async up(db: Kysely<unknown>) {
        // Events stored before were detected by the instance that stored them.
        await db.schema
          .alterTable('gateway_events')
          .addColumn('detection_pending', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createIndex('gateway_events_detection_pending')
          .on('gateway_events')
          .columns(['gateway', 'received_at'])
          .where(sql.ref('detection_pending'), '=', 1)
          .execute();
        await db.schema
          .createIndex('ingest_ledger_detection_pending')
          .on('ingest_ledger')
          .columns(['gateway', 'received_at'])
          .where(sql.ref('pending'), 'is not', null)
          .execute();
      },
    },
    // Cluster mode: each instance's live events, read by the others when notified (and after a reconnect).
    '0007_live_events': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('live_events')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('origin', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('live_events_at').on('live_events').column('at').execute();
      },
    },
    // The console's map of sites (issue 15): where each transformer stands (WGS 84 degrees).
    '0008_transformer_coordinates': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('transformers').addColumn('lat', real).execute();
        await db.schema.alterTable('transformers').addColumn('lon', real).execute();
      },
    },
    // Commands to gateways, queued until the instance holding the gateway's connection sends them.
    '0009_gateway_commands': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('gateway_commands')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('gateway', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('args', 'text')
          .addColumn('requested_by', 'text', (c) => c.notNull())
          .addColumn('requested_at', 'bigint', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('sent_at', 'bigint')
          .addColumn('finished_at', 'bigint')
          .addColumn('result', 'text')
          .execute();
        await db.schema
          .createIndex('gateway_commands_gateway')
          .on('gateway_commands')
          .columns(['gateway', 'state', 'requested_at'])
          .execute();
      },
    },
    // Cluster mode: a batch or event that feeds subjects of several detection partitions is
    // done for each partition apart; it leaves the backlog once every one of them is done.
    '0010_detection_done': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('detection_done')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('gateway', 'text', (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('partition', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('detection_done_pk', ['kind', 'gateway', 'seq', 'partition'])
          .execute();
      },
    },
  };
}

/**
 * The core's migrations plus those of other parts of the cloud (notifications, work
 * orders), each named `<part>_<nnnn>_<what>` so names never collide.
 */
export class InCodeMigrations implements MigrationProvider {
  constructor(
    private readonly dialect: Dialect,
    private readonly extra: Record<string, Migration> = {},
  ) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const core = migrations(this.dialect);
    for (const name of Object.keys(this.extra)) {
      if (name in core) throw new Error(`migration name "${name}" is already used by the core`);
    }
    return { ...core, ...this.extra };
  }
}
