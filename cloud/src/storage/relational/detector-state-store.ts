/**
 * Per-detector, per-subject state as JSON rows, so event-time windows survive a restart
 * (FACTS.md: "state that survives a restart").
 *
 * Saves are written behind: `save` keeps the state object it is handed (served from
 * memory until committed) and `flush()` serializes every state saved since the last
 * flush, at that moment, and commits them together. Serializing at the flush, not at
 * each save, is what lets a subject touched by many batches between two flushes cost
 * one JSON and one row write (bench:ingest, bench:detect); it also means the caller must
 * flush at a point where the states it saved are consistent with each other: the
 * detection host (detection-engine/runner.ts) flushes between two engine calls, before
 * it marks batches as processed. A crash loses at most the state of batches not yet
 * marked, and those are offered to detection again at the next start, so nothing is skipped.
 * Deletions are queued the same way and committed in the same transaction, after the saves.
 */
import type { DetectorStateStore } from '../../detector-kit/types.js';
import type { RelationalDb } from './db.js';

/** Rows per upsert (4 parameters each) or delete (2) statement: far below SQLite's and PostgreSQL's limits. */
const ROWS_PER_STATEMENT = 500;

interface Key {
  detector: string;
  subject: string;
}

interface Row extends Key {
  json: string;
}

/** A saved state not yet committed: the live object, or its JSON when a failed commit put it back. */
type Written = Key & ({ state: unknown } | { json: string });

/** What is not yet committed for a subject: its last save, or its deletion. */
type Unsaved = Written | (Key & { deleted: true });

const jsonOf = (unsaved: Written) => ('json' in unsaved ? unsaved.json : JSON.stringify(unsaved.state ?? null));

export class SqlDetectorStateStore implements DetectorStateStore {
  /** Per detector, per subject (saved on every call for every subject it touched: no key string built). */
  private dirty = new Map<string, Map<string, Unsaved>>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly rdb: RelationalDb) {}

  async load(detector: string, subject: string): Promise<unknown | undefined> {
    const unsaved = this.dirty.get(detector)?.get(subject);
    if (unsaved && 'deleted' in unsaved) return undefined;
    // A copy through JSON, as the committed row would give.
    if (unsaved) return JSON.parse(jsonOf(unsaved)) as unknown;
    const row = await this.rdb.db
      .selectFrom('detector_state')
      .select('state')
      .where('detector', '=', detector)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row ? (JSON.parse(row.state) as unknown) : undefined;
  }

  async save(detector: string, subject: string, state: unknown): Promise<void> {
    this.unsavedOf(detector).set(subject, { detector, subject, state });
  }

  async delete(detector: string, subject: string): Promise<void> {
    this.unsavedOf(detector).set(subject, { detector, subject, deleted: true });
  }

  private unsavedOf(detector: string): Map<string, Unsaved> {
    let subjects = this.dirty.get(detector);
    if (!subjects) this.dirty.set(detector, (subjects = new Map()));
    return subjects;
  }

  /** Serializes every state saved so far, now, and commits them and the deletions in one transaction. */
  flush(): Promise<void> {
    const rows: Row[] = [];
    const deleted: Key[] = [];
    for (const subjects of this.dirty.values())
      for (const unsaved of subjects.values()) {
        if ('deleted' in unsaved) deleted.push({ detector: unsaved.detector, subject: unsaved.subject });
        else rows.push({ detector: unsaved.detector, subject: unsaved.subject, json: jsonOf(unsaved) });
      }
    this.dirty = new Map();
    // After a failed commit too: that one's rows are back in `dirty`, and this one carries them.
    this.flushing = this.flushing.catch(() => undefined).then(() => this.commit(rows, deleted));
    return this.flushing;
  }

  private async commit(rows: Row[], deleted: Key[]): Promise<void> {
    if (rows.length === 0 && deleted.length === 0) return;
    const now = Date.now();
    try {
      await this.rdb.db.transaction().execute(async (trx) => {
        // Many rows per statement: one compiled upsert per chunk instead of one per subject
        // (a batch of a hundred meters touches several hundred states).
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          await trx
            .insertInto('detector_state')
            .values(
              rows
                .slice(i, i + ROWS_PER_STATEMENT)
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
        for (let i = 0; i < deleted.length; i += ROWS_PER_STATEMENT) {
          await trx
            .deleteFrom('detector_state')
            .where((eb) =>
              eb.or(
                deleted
                  .slice(i, i + ROWS_PER_STATEMENT)
                  .map((key) => eb.and([eb('detector', '=', key.detector), eb('subject', '=', key.subject)])),
              ),
            )
            .execute();
        }
      });
    } catch (error) {
      // Put them back (unless saved or deleted again since) so the next flush tries again.
      const undone: Unsaved[] = [...rows, ...deleted.map((key) => ({ ...key, deleted: true as const }))];
      for (const unsaved of undone) {
        const subjects = this.unsavedOf(unsaved.detector);
        if (!subjects.has(unsaved.subject)) subjects.set(unsaved.subject, unsaved);
      }
      throw error;
    }
  }
}
