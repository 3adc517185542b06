/** The latest forecast of each subject, kept in the relational store so it survives a restart. */
import { FeatureStore } from '../storage/relational/feature-store.js';
import type { ForecastTables } from './migration.js';
import type { Forecast } from './forecaster.js';

export type ForecastKind = 'transformer' | 'customer';

export interface StoredForecast extends Forecast {
  subject: string;
  kind: ForecastKind;
  madeAt: number;
}

export class ForecastStore extends FeatureStore<ForecastTables> {
  async put(kind: ForecastKind, subject: string, forecast: Forecast, madeAt: number): Promise<void> {
    const record = JSON.stringify(forecast);
    await this.db
      .insertInto('forecasts')
      .values({ kind, subject, made_at: madeAt, record })
      .onConflict((oc) => oc.columns(['kind', 'subject']).doUpdateSet({ made_at: madeAt, record }))
      .execute();
  }

  async get(kind: ForecastKind, subject: string): Promise<StoredForecast | undefined> {
    const row = await this.db
      .selectFrom('forecasts')
      .selectAll()
      .where('kind', '=', kind)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row ? { ...(JSON.parse(row.record) as Forecast), subject, kind, madeAt: Number(row.made_at) } : undefined;
  }

  /** When the last refresh stored anything (null: never), to catch up after a restart. */
  async lastMadeAt(): Promise<number | null> {
    const row = await this.db
      .selectFrom('forecasts')
      .select((eb) => eb.fn.max('made_at').as('last'))
      .executeTakeFirst();
    return row?.last === null || row?.last === undefined ? null : Number(row.last);
  }
}
