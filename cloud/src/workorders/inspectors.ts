/**
 * The inspectors routing can choose from: every API user with the inspector role (their
 * areas are their scope, so an order is only ever given to someone allowed to act on it),
 * with the skills, lead flag and duty state kept in this module's profile table.
 */
import type { Inspector } from '@gridsafe/shared';
import type { Kysely } from 'kysely';
import type { InspectorProfileTable, WorkOrderTables } from './tables.js';

export interface InspectorProfile {
  name?: string;
  skills: string[];
  lead: boolean;
  active: boolean;
}

export interface UserSource {
  list(): Promise<Array<{ name: string; role: string; areas: string[] }>>;
}

export class InspectorDirectory {
  constructor(
    private readonly db: Kysely<WorkOrderTables>,
    private readonly users: UserSource,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<Inspector[]> {
    const [users, profiles] = await Promise.all([
      this.users.list(),
      this.db.selectFrom('inspector_profiles').selectAll().execute(),
    ]);
    const byId = new Map(profiles.map((p) => [p.id, p]));
    return users
      .filter((u) => u.role === 'inspector')
      .map((u) => {
        const profile = byId.get(u.name);
        return {
          id: u.name,
          name: profile?.name ?? u.name,
          areas: u.areas,
          skills: profile ? (JSON.parse(profile.skills) as string[]) : [],
          lead: profile ? profile.lead === 1 : false,
          active: profile ? profile.active === 1 : true,
        };
      })
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async put(id: string, profile: InspectorProfile): Promise<void> {
    const row: InspectorProfileTable = {
      id,
      name: profile.name ?? id,
      skills: JSON.stringify([...new Set(profile.skills)].sort()),
      lead: profile.lead ? 1 : 0,
      active: profile.active ? 1 : 0,
      updated_at: this.now(),
    };
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('inspector_profiles').where('id', '=', id).execute();
      await trx.insertInto('inspector_profiles').values(row).execute();
    });
  }
}
