/**
 * Commands to gateways in the relational store. Sending is claimed with a conditional
 * update (queued → sent), so an instance that hears of a command twice, or two that race,
 * publish it once.
 */
import type { Selectable } from 'kysely';
import type { RelationalDb } from './db.js';
import type { GatewayCommandTable } from './schema.js';
import type { GatewayCommand, GatewayCommandName, GatewayCommandState } from '../../commands/types.js';
import { newId } from './ids.js';

const parsed = (json: string | null): Record<string, unknown> | null =>
  json === null ? null : (JSON.parse(json) as Record<string, unknown>);

const toCommand = (row: Selectable<GatewayCommandTable>): GatewayCommand => ({
  id: row.id,
  gateway: row.gateway,
  name: row.name as GatewayCommandName,
  args: parsed(row.args),
  requestedBy: row.requested_by,
  requestedAt: Number(row.requested_at),
  state: row.state as GatewayCommandState,
  sentAt: row.sent_at === null ? null : Number(row.sent_at),
  finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  result: parsed(row.result),
});

export class SqlGatewayCommandStore {
  constructor(private readonly rdb: RelationalDb) {}

  async create(command: Pick<GatewayCommand, 'gateway' | 'name' | 'args' | 'requestedBy' | 'requestedAt'>) {
    const record: GatewayCommand = {
      ...command,
      id: newId('cmd', command.requestedAt),
      state: 'queued',
      sentAt: null,
      finishedAt: null,
      result: null,
    };
    await this.rdb.db
      .insertInto('gateway_commands')
      .values({
        id: record.id,
        gateway: record.gateway,
        name: record.name,
        args: record.args === null ? null : JSON.stringify(record.args),
        requested_by: record.requestedBy,
        requested_at: record.requestedAt,
        state: record.state,
        sent_at: null,
        finished_at: null,
        result: null,
      })
      .execute();
    return record;
  }

  async get(id: string): Promise<GatewayCommand | undefined> {
    const row = await this.rdb.db.selectFrom('gateway_commands').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toCommand(row) : undefined;
  }

  /** A gateway's commands, newest first. */
  async list(gateway: string, limit: number, offset: number): Promise<{ items: GatewayCommand[]; total: number }> {
    const query = this.rdb.db.selectFrom('gateway_commands').where('gateway', '=', gateway);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('requested_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toCommand), total: Number(count.n) };
  }

  /** A gateway's commands not sent yet, oldest first. */
  async queued(gateway: string): Promise<GatewayCommand[]> {
    const rows = await this.rdb.db
      .selectFrom('gateway_commands')
      .selectAll()
      .where('gateway', '=', gateway)
      .where('state', '=', 'queued')
      .orderBy('requested_at')
      .orderBy('id')
      .execute();
    return rows.map(toCommand);
  }

  /** Marks a queued command sent; false when it was not queued any more (someone else sends it). */
  async claim(id: string, at: number): Promise<boolean> {
    const result = await this.rdb.db
      .updateTable('gateway_commands')
      .set({ state: 'sent', sent_at: at })
      .where('id', '=', id)
      .where('state', '=', 'queued')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** A gateway's commands sent before `before` and not answered yet, oldest first. */
  async unanswered(gateway: string, before: number): Promise<GatewayCommand[]> {
    const rows = await this.rdb.db
      .selectFrom('gateway_commands')
      .selectAll()
      .where('gateway', '=', gateway)
      .where('state', '=', 'sent')
      .where('sent_at', '<', before)
      .orderBy('sent_at')
      .orderBy('id')
      .execute();
    return rows.map(toCommand);
  }

  /** Gateways with a command sent before `before` and not answered yet. */
  async gatewaysWithUnanswered(before: number): Promise<string[]> {
    const rows = await this.rdb.db
      .selectFrom('gateway_commands')
      .select('gateway')
      .distinct()
      .where('state', '=', 'sent')
      .where('sent_at', '<', before)
      .execute();
    return rows.map((row) => row.gateway);
  }

  /**
   * Claims a sent command for sending again (conditional on the sending time read, so of
   * two instances that race one sends it); false when it was answered or claimed meanwhile.
   */
  async claimResend(id: string, sentAt: number, at: number): Promise<boolean> {
    const result = await this.rdb.db
      .updateTable('gateway_commands')
      .set({ sent_at: at })
      .where('id', '=', id)
      .where('state', '=', 'sent')
      .where('sent_at', '=', sentAt)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Puts a claimed command back in the queue (its publish failed). */
  async unclaim(id: string): Promise<void> {
    await this.rdb.db
      .updateTable('gateway_commands')
      .set({ state: 'queued', sent_at: null })
      .where('id', '=', id)
      .where('state', '=', 'sent')
      .execute();
  }

  /**
   * Records the gateway's answer on its oldest sent command of that name (the gateway's
   * event names the command, not the request); undefined when none is waiting.
   */
  async finish(
    gateway: string,
    name: string,
    state: 'done' | 'failed',
    result: Record<string, unknown>,
    at: number,
  ): Promise<GatewayCommand | undefined> {
    const waiting = await this.rdb.db
      .selectFrom('gateway_commands')
      .select('id')
      .where('gateway', '=', gateway)
      .where('name', '=', name)
      .where('state', '=', 'sent')
      .orderBy('sent_at')
      .orderBy('id')
      .executeTakeFirst();
    if (!waiting) return undefined;
    const updated = await this.rdb.db
      .updateTable('gateway_commands')
      .set({ state, finished_at: at, result: JSON.stringify(result) })
      .where('id', '=', waiting.id)
      .where('state', '=', 'sent')
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1 ? this.get(waiting.id) : undefined;
  }
}
