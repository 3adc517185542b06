/** The latest forecast of each subject (transformer load, customer demand). */
import type { Kysely, Migration } from 'kysely';

// Kysely<any> is the documented type for migrations: they run before the typed schema exists.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

export interface ForecastTable {
  subject: string;
  /** `transformer` or `customer`. */
  kind: string;
  made_at: number;
  /** The Forecast as JSON (origin, model, backtest MAPE, points with their interval). */
  record: string;
}

// A type alias, not an interface: Kysely's withTables wants an indexable record.
export type ForecastTables = { forecasts: ForecastTable };

export const FORECAST_MIGRATIONS: Record<string, Migration> = {
  forecast_0001_init: {
    async up(db: AnyDb): Promise<void> {
      await db.schema
        .createTable('forecasts')
        .ifNotExists()
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('made_at', 'bigint', (c) => c.notNull())
        .addColumn('record', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('forecasts_pk', ['kind', 'subject'])
        .execute();
    },
  },
};
