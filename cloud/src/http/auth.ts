/**
 * Who is calling: with API authentication on, a bearer token names an API user
 * (401 otherwise); with it off (the single-machine default), every caller is an
 * unscoped admin. Route handlers then ask `allow(request, ...roles)`. Failed tokens
 * count against the caller's address (security/login-throttle.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiUser, Role } from '@gridsafe/shared';
import { OPEN_ACCESS_USER, type ApiUserStore } from '../security/api-users.js';
import { HttpProblem } from './problem.js';
import type { LoginThrottle } from '../security/login-throttle.js';
import type { CloudMetrics } from '../metrics/metrics.js';

declare module 'fastify' {
  interface FastifyRequest {
    user: ApiUser;
  }
}

/** Paths that answer without a token: probes, metrics, the API docs, the console's static page and scripts (its API calls carry the token), the demo users. */
const PUBLIC = [
  /^\/healthz$/,
  /^\/readyz$/,
  /^\/metrics$/,
  /^\/docs(\/|$)/,
  /^\/openapi\.json$/,
  /^\/$/,
  /^\/console(\/|$)/,
  /^\/api\/v1\/demo$/, // demo mode's public users (config/demo-users.ts); empty otherwise
  /^\/api\/v1\/messages$/, // the catalogue of texts for people (messages/catalog.ts), read before signing in
];

export function registerAuth(
  app: FastifyInstance,
  users: ApiUserStore,
  required: boolean,
  throttle: LoginThrottle,
  metrics: CloudMetrics,
): void {
  app.decorateRequest('user', null as unknown as ApiUser); // set per request in onRequest
  app.addHook('onRequest', async (request, reply) => {
    request.user = OPEN_ACCESS_USER;
    if (!required) return;
    const path = request.url.split('?')[0] ?? '';
    if (PUBLIC.some((pattern) => pattern.test(path))) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new HttpProblem(401, 'unauthenticated', { code: 'problem.unauthenticated' });
    // Checked before the token: an address that guessed too often is refused even a right one.
    const wait = throttle.retryAfterSeconds(request.ip);
    if (wait > 0) {
      metrics.authRefused.inc({ protocol: 'http', reason: 'throttled' });
      request.log.warn(
        { path, address: request.ip, retryAfterSeconds: wait },
        'refused an API request: too many failed logins from this address',
      );
      reply.header('retry-after', String(wait));
      throw new HttpProblem(429, 'too_many_failed_logins', {
        code: 'problem.too_many_failed_logins',
        params: { seconds: wait },
      });
    }
    const user = await users.authenticate(match[1] as string);
    if (!user) {
      throttle.recordFailure(request.ip);
      metrics.authRefused.inc({ protocol: 'http', reason: 'wrong_token' });
      request.log.warn({ path, address: request.ip }, 'refused an API request with an unknown token');
      throw new HttpProblem(401, 'unauthenticated', { code: 'problem.bad_token' });
    }
    request.user = user;
  });
}

export function allow(request: FastifyRequest, ...roles: Role[]): void {
  if (roles.includes(request.user.role)) return;
  request.log.warn(
    { user: request.user.name, role: request.user.role, method: request.method, path: request.url.split('?')[0] },
    'refused an API request: role not allowed',
  );
  throw new HttpProblem(403, 'forbidden', {
    code: 'problem.forbidden_role',
    params: { role: request.user.role, method: request.method, path: request.url.split('?')[0] ?? '' },
  });
}

/** For inspectors: refuses a subject outside their areas (other roles are unscoped). */
export function allowSubject(request: FastifyRequest, area: string | undefined, what: string): void {
  const user = request.user;
  if (user.role !== 'inspector') return;
  if (area !== undefined && user.areas.includes(area)) return;
  request.log.warn({ user: user.name, areas: user.areas, area, what }, 'refused an inspector outside their areas');
  throw new HttpProblem(403, 'outside_area', {
    code: 'problem.outside_area',
    params: { what, areas: user.areas.join(', ') },
  });
}
