/** Who is signed in: the token (kept for this browser tab only) and what /api/v1/me said. */

export interface User {
  name: string;
  role: 'admin' | 'inspector' | 'auditor';
  areas: string[];
}

export interface Session {
  token: string | null;
  user: User;
  apiAuth: boolean;
  timeZone: string;
  siteTimeZones: Record<string, string>;
}

let state: Session | null = null;

export function session(): Session | null {
  return state;
}

export function setSession(next: Session | null): void {
  state = next;
  if (next?.token) sessionStorage.setItem('gridsafe.token', next.token);
  else sessionStorage.removeItem('gridsafe.token');
}

export function storedToken(): string | null {
  return sessionStorage.getItem('gridsafe.token');
}

export function canAct(): boolean {
  return state?.user.role === 'admin' || state?.user.role === 'inspector';
}

export function canDecide(): boolean {
  return state?.user.role === 'admin' || state?.user.role === 'auditor';
}
