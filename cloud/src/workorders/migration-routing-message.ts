/**
 * Work orders keep their routing reason as a catalogue message too (messages/catalog.ts),
 * so the console shows it in 中文 or English; orders routed before keep the English text only.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's documented migration type: they run before the typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('work_orders').addColumn('routing_message', 'text').execute();
}
