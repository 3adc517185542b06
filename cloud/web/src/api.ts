/** Calls to the cloud's API with the session's token; problem documents become ApiError with their detail in the reader's language. */
import type { Message } from '@gridsafe/shared';
import { problemText } from './messages.js';
import { session, storedToken } from './session.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** A validation problem's failing fields or lines (a CSV import's, say). */
    readonly problems: Array<{ where: string; message: string }> = [],
  ) {
    super(message);
  }
}

export function authHeaders(token = session()?.token ?? storedToken()): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function fail(response: Response): Promise<never> {
  let detail = `${response.status} ${response.statusText}`;
  let problems: ApiError['problems'] = [];
  try {
    const body = (await response.json()) as {
      detail?: string;
      message?: Message;
      errors?: ApiError['problems'];
    };
    if (body.detail) detail = problemText(response.status, body.detail, body.message);
    problems = body.errors ?? [];
  } catch {
    // not a problem document: keep the status line
  }
  if (response.status === 401) window.dispatchEvent(new CustomEvent('gridsafe:unauthenticated'));
  throw new ApiError(response.status, detail, problems);
}

export async function api<T>(method: string, path: string, body?: unknown, token?: string | null): Promise<T> {
  const headers: Record<string, string> = authHeaders(token === undefined ? undefined : token);
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) return fail(response);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export async function apiBlob(path: string): Promise<Blob> {
  const response = await fetch(path, { headers: authHeaders() });
  if (!response.ok) return fail(response);
  return response.blob();
}

export async function apiUpload<T>(path: string, file: Blob): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { ...authHeaders(), 'content-type': file.type || 'application/octet-stream' },
    body: file,
  });
  if (!response.ok) return fail(response);
  return (await response.json()) as T;
}
