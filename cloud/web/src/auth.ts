/** Signing in and out: /api/v1/me decides whether a token is good. */
import { api, ApiError } from './api.js';
import { startStream, stopStream } from './events.js';
import { setSession, type Session } from './session.js';

/** Asks the server who the token belongs to; null when it is not valid (or needed and missing). */
export async function signIn(token: string | null): Promise<Session | null> {
  try {
    const me = await api<Omit<Session, 'token'>>('GET', '/api/v1/me', undefined, token);
    const next: Session = { ...me, token };
    setSession(next);
    startStream();
    return next;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function signOut(): void {
  stopStream();
  setSession(null);
  location.hash = '#/signin';
}
