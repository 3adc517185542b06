/** Webhook receivers, managed by an admin through the API. Secrets are write-only. */
import type { NotificationKind, Webhook } from '@gridsafe/shared';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { NotificationTables, WebhookTable } from './tables.js';

export interface NewWebhook {
  url: string;
  secret?: string;
  kinds?: NotificationKind[];
  areas?: string[];
  enabled?: boolean;
}

export class WebhookStore {
  constructor(
    private readonly db: Kysely<NotificationTables>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a receiver; returns it with its secret, which is shown this once. */
  async create(input: NewWebhook): Promise<Webhook & { secret: string }> {
    const row: WebhookTable = {
      id: `wh-${randomUUID()}`,
      url: input.url,
      secret: input.secret ?? randomBytes(24).toString('base64url'),
      kinds: JSON.stringify(input.kinds ?? []),
      areas: JSON.stringify(input.areas ?? []),
      enabled: input.enabled === false ? 0 : 1,
      created_at: this.now(),
    };
    await this.db.insertInto('webhooks').values(row).execute();
    return { ...toWebhook(row), secret: row.secret };
  }

  async list(): Promise<Webhook[]> {
    const rows = await this.db.selectFrom('webhooks').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toWebhook);
  }

  async get(id: string): Promise<Webhook | null> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toWebhook(row) : null;
  }

  async update(id: string, patch: Partial<NewWebhook>): Promise<Webhook | null> {
    const set: Partial<WebhookTable> = {};
    if (patch.url !== undefined) set.url = patch.url;
    if (patch.secret !== undefined) set.secret = patch.secret;
    if (patch.kinds !== undefined) set.kinds = JSON.stringify(patch.kinds);
    if (patch.areas !== undefined) set.areas = JSON.stringify(patch.areas);
    if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
    if (Object.keys(set).length) await this.db.updateTable('webhooks').set(set).where('id', '=', id).execute();
    return this.get(id);
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}

function toWebhook(row: WebhookTable): Webhook {
  return {
    id: row.id,
    url: row.url,
    kinds: JSON.parse(row.kinds) as NotificationKind[],
    areas: JSON.parse(row.areas) as string[],
    enabled: row.enabled === 1,
    createdAt: Number(row.created_at),
  };
}
