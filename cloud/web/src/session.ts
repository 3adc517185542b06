/** Who is signed in: the token (kept for this browser tab only) and what /api/v1/me said. */

import type { Me } from '@gridsafe/shared';

/** What GET /api/v1/me said, and the token it was asked with. */
export interface Session extends Me {
  token: string | null;
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
