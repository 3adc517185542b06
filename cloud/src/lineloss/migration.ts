/** Tables of line loss: one row per transformer area and day, and per-area qualification bands. */
import type { Kysely, Migration } from 'kysely';

// Kysely<any> is the documented type for migrations: they run before the typed schema exists.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

export interface LineLossDayTable {
  transformer: string;
  /** Local date, YYYY-MM-DD. */
  day: string;
  day_start: number;
  /** The whole AreaDay as JSON (balance and every meter's day). */
  record: string;
  computed_at: number;
}

export interface LineLossBandTable {
  area: string;
  low_pct: number;
  high_pct: number;
  /** Where the band comes from (a provincial rule, a decision), for the audit. */
  source: string;
  updated_at: number;
}

// A type alias, not an interface: Kysely's withTables wants an indexable record.
export type LineLossTables = {
  line_loss_days: LineLossDayTable;
  line_loss_bands: LineLossBandTable;
};

export const LINE_LOSS_MIGRATIONS: Record<string, Migration> = {
  lineloss_0001_init: {
    async up(db: AnyDb): Promise<void> {
      await db.schema
        .createTable('line_loss_days')
        .ifNotExists()
        .addColumn('transformer', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('day_start', 'bigint', (c) => c.notNull())
        .addColumn('record', 'text', (c) => c.notNull())
        .addColumn('computed_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('line_loss_days_pk', ['transformer', 'day'])
        .execute();
      await db.schema
        .createTable('line_loss_bands')
        .ifNotExists()
        .addColumn('area', 'text', (c) => c.primaryKey())
        .addColumn('low_pct', 'double precision', (c) => c.notNull())
        .addColumn('high_pct', 'double precision', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};
