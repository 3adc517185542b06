/** The audit log: who changed what in the registry, alerts and cases, and when (append-only). */
import type { RelationalDb } from './db.js';

export class SqlAuditLog {
  constructor(private readonly rdb: RelationalDb) {}

  async record(actor: string, action: string, kind: string, id: string, detail: unknown): Promise<void> {
    await this.rdb.db
      .insertInto('audit_log')
      .values({
        at: Date.now(),
        actor,
        action,
        target_kind: kind,
        target_id: id,
        detail: detail === null ? null : JSON.stringify(detail),
      })
      .execute();
  }
}
