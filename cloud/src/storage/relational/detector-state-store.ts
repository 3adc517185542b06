/**
 * Per-detector, per-subject state as JSON rows, so event-time windows survive a restart
 * (FACTS.md: "state that survives a restart").
 *
 * Saves are written behind: kept in memory (and served from there) and committed
 * together by `flush()`, which the detection host calls before it marks batches as
 * processed. A crash loses at most the state of batches not yet marked, and those are
 * offered to detection again at the next start, so nothing is skipped.
 */
import type { DetectorStateStore } from '../../detector-kit/types.js';
import type { RelationalDb } from './db.js';

const key = (detector: string, subject: string) => `${detector}\u0000${subject}`;
/** Rows per upsert statement: 4 parameters each, far below SQLite's and PostgreSQL's limits. */
const UPSERT_CHUNK = 500;

export class SqlDetectorStateStore implements DetectorStateStore {
  private dirty = new Map<string, { detector: string; subject: string; json: string }>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly rdb: RelationalDb) {}

  async load(detector: string, subject: string): Promise<unknown | undefined> {
    const unsaved = this.dirty.get(key(detector, subject));
    if (unsaved) return JSON.parse(unsaved.json) as unknown;
    const row = await this.rdb.db
      .selectFrom('detector_state')
      .select('state')
      .where('detector', '=', detector)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row ? (JSON.parse(row.state) as unknown) : undefined;
  }

  async save(detector: string, subject: string, state: unknown): Promise<void> {
    this.dirty.set(key(detector, subject), { detector, subject, json: JSON.stringify(state ?? null) });
  }

  /** Commits every save made so far, in one transaction. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.dirty.size === 0) return;
      const rows = [...this.dirty.values()];
      this.dirty = new Map();
      const now = Date.now();
      try {
        await this.rdb.db.transaction().execute(async (trx) => {
          // Many rows per statement: one compiled upsert per chunk instead of one per subject
          // (a batch of a hundred meters touches several hundred states).
          for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
            await trx
              .insertInto('detector_state')
              .values(
                rows
                  .slice(i, i + UPSERT_CHUNK)
                  .map((row) => ({ detector: row.detector, subject: row.subject, state: row.json, updated_at: now })),
              )
              .onConflict((oc) =>
                oc.columns(['detector', 'subject']).doUpdateSet((eb) => ({
                  state: eb.ref('excluded.state'),
                  updated_at: eb.ref('excluded.updated_at'),
                })),
              )
              .execute();
          }
        });
      } catch (error) {
        // Put them back (unless saved again since) so the next flush tries again.
        for (const row of rows)
          if (!this.dirty.has(key(row.detector, row.subject))) this.dirty.set(key(row.detector, row.subject), row);
        throw error;
      }
    });
    return this.flushing;
  }
}
