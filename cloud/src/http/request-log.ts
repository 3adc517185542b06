/**
 * One log line per request, at a level that keeps a terminal readable: the console polls
 * and loads its files all day, so successful reads (GET, HEAD) are logged at debug; writes
 * and every refused or failed request at info, where an operator sees them. Fastify's own
 * LogController, made to be extended for this, writes the lines.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

export class RequestLogController extends LogController {
  override incomingRequest(): void {
    // The completion line says everything: method, URL, status, time.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    const quiet = (request.method === 'GET' || request.method === 'HEAD') && reply.statusCode < 400;
    reply.log[quiet ? 'debug' : 'info'](
      { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
      'request completed',
    );
  }
}
