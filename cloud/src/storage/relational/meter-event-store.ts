/**
 * Recorded meter replacements and register resets (issue 11) in the relational store;
 * the registry's snapshot keeps them for detection's synchronous RegistryView.meterEvents.
 */
import type { MeterEvent } from '../../detector-kit/types.js';
import type { Selectable } from 'kysely';
import type { RelationalDb } from './db.js';
import type { MeterEventTable } from './schema.js';

const toMeterEvent = (row: Selectable<MeterEventTable>): MeterEvent => {
  const value: MeterEvent = {
    device: row.device,
    kind: row.kind as MeterEvent['kind'],
    at: Number(row.at),
    oldReadingKwh: row.old_reading_kwh,
    newReadingKwh: row.new_reading_kwh,
    by: row.by,
    recordedBy: row.recorded_by,
    recordedAt: Number(row.recorded_at),
  };
  if (row.note !== null) value.note = row.note;
  return value;
};

export class MeterEventStore {
  constructor(private readonly rdb: RelationalDb) {}

  /** Every recorded event, oldest first. */
  async all(): Promise<MeterEvent[]> {
    const rows = await this.rdb.db.selectFrom('meter_events').selectAll().orderBy('at').orderBy('id').execute();
    return rows.map(toMeterEvent);
  }

  async record(event: MeterEvent): Promise<void> {
    await this.rdb.db
      .insertInto('meter_events')
      .values({
        device: event.device,
        kind: event.kind,
        at: event.at,
        old_reading_kwh: event.oldReadingKwh,
        new_reading_kwh: event.newReadingKwh,
        by: event.by,
        note: event.note ?? null,
        recorded_by: event.recordedBy,
        recorded_at: event.recordedAt,
      })
      .execute();
  }
}
