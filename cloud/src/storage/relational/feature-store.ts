/**
 * The base of a feature's own store (forecasts, line-loss days): the shared relational
 * connection seen with the tables the feature's migration adds, which the core schema
 * type does not name.
 */
import type { Kysely } from 'kysely';
import type { RelationalDb } from './db.js';

export abstract class FeatureStore<Tables extends Record<string, object>> {
  protected readonly db: Kysely<Tables>;

  constructor(rdb: RelationalDb) {
    this.db = rdb.db.withTables<Tables>() as unknown as Kysely<Tables>;
  }
}
