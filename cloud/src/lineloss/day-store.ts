/** Stored line-loss days and per-area bands (relational store, SQLite or PostgreSQL). */
import { FeatureStore } from '../storage/relational/feature-store.js';
import type { LineLossTables } from './migration.js';
import type { AreaDay } from './area-day.js';
import type { LossBand } from './settings.js';

export interface StoredBand extends LossBand {
  area: string;
  source: string;
  updatedAt: number;
}

export class LineLossStore extends FeatureStore<LineLossTables> {
  /** Stores (or replaces: a recomputation after late data) the day of one area. */
  async putDay(day: AreaDay, now = Date.now()): Promise<void> {
    const row = {
      transformer: day.transformer,
      day: day.day,
      day_start: day.dayStart,
      record: JSON.stringify(day),
      computed_at: now,
    };
    await this.db
      .insertInto('line_loss_days')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['transformer', 'day'])
          .doUpdateSet({ record: row.record, computed_at: now, day_start: row.day_start }),
      )
      .execute();
  }

  /** Days of one area with dayStart in [from, to), oldest first. */
  async days(transformer: string, from: number, to: number): Promise<AreaDay[]> {
    const rows = await this.db
      .selectFrom('line_loss_days')
      .select('record')
      .where('transformer', '=', transformer)
      .where('day_start', '>=', from)
      .where('day_start', '<', to)
      .orderBy('day_start')
      .execute();
    return rows.map((r) => JSON.parse(r.record) as AreaDay);
  }

  /** Start of the latest stored day of an area, or null. */
  async latestDayStart(transformer: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('line_loss_days')
      .select((eb) => eb.fn.max('day_start').as('latest'))
      .where('transformer', '=', transformer)
      .executeTakeFirst();
    return row?.latest === null || row?.latest === undefined ? null : Number(row.latest);
  }

  async band(area: string): Promise<StoredBand | undefined> {
    const row = await this.db.selectFrom('line_loss_bands').selectAll().where('area', '=', area).executeTakeFirst();
    return row
      ? { area: row.area, lowPct: row.low_pct, highPct: row.high_pct, source: row.source, updatedAt: row.updated_at }
      : undefined;
  }

  async bands(): Promise<StoredBand[]> {
    const rows = await this.db.selectFrom('line_loss_bands').selectAll().orderBy('area').execute();
    return rows.map((row) => ({
      area: row.area,
      lowPct: row.low_pct,
      highPct: row.high_pct,
      source: row.source,
      updatedAt: row.updated_at,
    }));
  }

  async putBand(area: string, band: LossBand, source: string, now = Date.now()): Promise<StoredBand> {
    const row = { area, low_pct: band.lowPct, high_pct: band.highPct, source, updated_at: now };
    await this.db
      .insertInto('line_loss_bands')
      .values(row)
      .onConflict((oc) =>
        oc.column('area').doUpdateSet({ low_pct: row.low_pct, high_pct: row.high_pct, source, updated_at: now }),
      )
      .execute();
    return { area, ...band, source, updatedAt: now };
  }
}
