/**
 * What the cloud's logs never hold, whatever logger it is given: secret-named fields
 * (REDACTED_PATHS: `token`, `secret`, `password`, the Authorization header) and the
 * values of secret-named query parameters in request URLs (`?token=...` is how a
 * careless client sends a token; the URL is logged with every request).
 */
import { REDACTED_PATHS, type Logger } from '@gridsafe/shared';
import type { FastifyRequest } from 'fastify';

const CENSOR = '[redacted]';
/** Query parameter names whose values are secrets (token, access_token, secret, password, api_key, sig...). */
const SECRET_PARAMETER = /token|secret|pass|key|auth|sig|credential/i;

/** The logger with the secret-named fields censored (on top of whatever the given logger does). */
export function withRedaction(log: Logger): Logger {
  return log.child({}, { redact: { paths: REDACTED_PATHS, censor: CENSOR } });
}

/** A request path and query for a log line: secret-named parameters keep their name, not their value. */
export function urlForLog(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const parameters = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=')[0] ?? '';
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: judge the raw name.
      }
      return SECRET_PARAMETER.test(decoded) && pair.includes('=') ? `${name}=${CENSOR}` : pair;
    });
  return `${url.slice(0, query)}?${parameters.join('&')}`;
}

/** Fastify's request serializer, with the URL passed through urlForLog. */
export function requestForLog(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: urlForLog(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
