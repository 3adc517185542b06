/**
 * One log line per request, at a level that keeps a terminal readable: the console polls
 * and loads its files all day, so successful reads (GET, HEAD) are logged at debug; writes
 * and every refused or failed request at info, where an operator sees them. Fastify's own
 * two lines per request are turned off where the app is built (disableRequestLogging).
 */
import type { FastifyInstance } from 'fastify';

export function logRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const quiet = (request.method === 'GET' || request.method === 'HEAD') && reply.statusCode < 400;
    request.log[quiet ? 'debug' : 'info'](
      { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
      'request completed',
    );
  });
}
