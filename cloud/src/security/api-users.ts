/**
 * HTTP API users: admin (everything), inspector (alerts and devices of their areas;
 * acknowledges and resolves there), auditor (reads everything, moves cases, never
 * changes the registry). Tokens are stored as scrypt hashes; a SHA-256 prefix finds
 * the row, and a short in-memory cache spares the scrypt cost on every request.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RelationalDb } from '../storage/relational/db.js';
import type { ApiUser, Role } from '@gridsafe/shared';
import { hashSecret, verifySecret } from './secrets.js';

/** The user of every request when API authentication is off (the single-machine default). */
export const OPEN_ACCESS_USER: ApiUser = { name: 'anonymous', role: 'admin', areas: [] };

const CACHE_MS = 5 * 60 * 1000;

const lookupKey = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 24);

export class ApiUserStore {
  private readonly cache = new Map<string, { user: ApiUser | null; until: number }>();

  constructor(private readonly rdb: RelationalDb) {}

  /** Creates or replaces a user with this token; returns the user. */
  async put(user: ApiUser, token: string): Promise<ApiUser> {
    const row = {
      name: user.name,
      role: user.role,
      areas: JSON.stringify(user.areas),
      token_hash: await hashSecret(token),
      token_id: lookupKey(token),
      created_at: Date.now(),
    };
    await this.rdb.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('api_users').where('name', '=', user.name).execute();
      await trx.deleteFrom('api_users').where('token_id', '=', row.token_id).execute();
      await trx.insertInto('api_users').values(row).execute();
    });
    this.cache.clear();
    return user;
  }

  /** Creates a user with a fresh random token; the token is returned once and never stored. */
  async create(user: ApiUser): Promise<{ user: ApiUser; token: string }> {
    const token = `gst_${randomBytes(24).toString('base64url')}`;
    return { user: await this.put(user, token), token };
  }

  async list(): Promise<ApiUser[]> {
    const rows = await this.rdb.db.selectFrom('api_users').select(['name', 'role', 'areas']).orderBy('name').execute();
    return rows.map((row) => ({ name: row.name, role: row.role as Role, areas: JSON.parse(row.areas) as string[] }));
  }

  async remove(name: string): Promise<boolean> {
    const result = await this.rdb.db.deleteFrom('api_users').where('name', '=', name).executeTakeFirst();
    this.cache.clear();
    return result.numDeletedRows > 0n;
  }

  /** The user a bearer token belongs to, or null. */
  async authenticate(token: string): Promise<ApiUser | null> {
    const full = createHash('sha256').update(token).digest('hex');
    const cached = this.cache.get(full);
    if (cached && cached.until > Date.now()) return cached.user;
    const row = await this.rdb.db
      .selectFrom('api_users')
      .selectAll()
      .where('token_id', '=', lookupKey(token))
      .executeTakeFirst();
    const user =
      row && (await verifySecret(token, row.token_hash))
        ? { name: row.name, role: row.role as Role, areas: JSON.parse(row.areas) as string[] }
        : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(full, { user, until: Date.now() + CACHE_MS });
    return user;
  }
}
