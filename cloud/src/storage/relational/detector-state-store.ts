/** Per-detector, per-subject state as JSON rows, so event-time windows survive a restart (FACTS.md: "state that survives a restart"). */
import type { DetectorStateStore } from '../../detection/types.js';
import type { RelationalDb } from './db.js';

export class SqlDetectorStateStore implements DetectorStateStore {
  constructor(private readonly rdb: RelationalDb) {}

  async load(detector: string, subject: string): Promise<unknown | undefined> {
    const row = await this.rdb.db
      .selectFrom('detector_state')
      .select('state')
      .where('detector', '=', detector)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row ? (JSON.parse(row.state) as unknown) : undefined;
  }

  async save(detector: string, subject: string, state: unknown): Promise<void> {
    const json = JSON.stringify(state ?? null);
    const now = Date.now();
    await this.rdb.db
      .insertInto('detector_state')
      .values({ detector, subject, state: json, updated_at: now })
      .onConflict((oc) => oc.columns(['detector', 'subject']).doUpdateSet({ state: json, updated_at: now }))
      .execute();
  }
}
