/**
 * GET /api/v1/events/stream: server-sent events of alert, work-order and case changes,
 * each user seeing only their scope (inspectors: their areas). A comment line every
 * 15 s keeps proxies from closing an idle stream; a slow client is dropped rather than
 * buffered without end (it reconnects and reloads).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ApiUser } from '@gridsafe/shared';
import type { LiveEvent } from '../../notifications/live-bus.js';
import { needs } from '../services.js';

const HEARTBEAT_MS = 15_000;
const MAX_BUFFERED_BYTES = 1024 * 1024;

export function visibleTo(user: ApiUser, event: LiveEvent): boolean {
  if (user.role !== 'inspector') return true;
  // Cases are auditors' work; inspectors see them only in their areas, like everything else.
  return event.area !== null && user.areas.includes(event.area);
}

export const eventStreamRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'liveBus');
  const bus = app.liveBus;
  const open = new Set<() => void>();
  // Streams never go idle on their own; end them first so closing the server is quick.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get(
    '/api/v1/events/stream',
    {
      schema: {
        tags: ['events'],
        summary:
          'Server-sent events: alert, workorder and case changes in your scope (event: alert|workorder|case; data: JSON)',
      },
    },
    async (request: FastifyRequest, reply) => {
      const user = request.user;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(
        `retry: 3000\nevent: hello\ndata: ${JSON.stringify({ user: user.name, role: user.role, areas: user.areas })}\n\n`,
      );
      let closed = false;
      const end = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        open.delete(end);
        res.end();
      };
      const unsubscribe = bus.subscribe((event) => {
        if (closed || !visibleTo(user, event)) return;
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          request.log.warn({ user: user.name }, 'event stream client too slow; closing its stream');
          end();
          return;
        }
        res.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      });
      const heartbeat = setInterval(() => res.write(`: ${Date.now()}\n\n`), HEARTBEAT_MS);
      heartbeat.unref();
      open.add(end);
      request.raw.on('close', end);
      res.on('error', end);
      return reply;
    },
  );
};
