/**
 * Who is acting: an API user as the cloud authenticates one (its role and, for an
 * inspector, its areas), and what GET /api/v1/me tells the console about the session.
 */

export const ROLES = ['admin', 'inspector', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiUser {
  name: string;
  role: Role;
  /** Areas an inspector may act in (empty for the other roles: unscoped). */
  areas: string[];
}

/** GET /api/v1/me: the signed-in user and the time zones times are shown in. */
export interface Me {
  user: ApiUser;
  /** Whether the API asks for a token at all (off: everyone is an admin). */
  apiAuth: boolean;
  timeZone: string;
  /** A site's own zone where it differs from `timeZone`. */
  siteTimeZones: Record<string, string>;
}

/** A demo user: an API user with its token, public by design (demo mode only). */
export interface DemoUser extends ApiUser {
  token: string;
}

/** GET /api/v1/demo: whether the cloud runs in demo mode, and its users (none outside it). */
export interface DemoUsers {
  demo: boolean;
  users: DemoUser[];
}
