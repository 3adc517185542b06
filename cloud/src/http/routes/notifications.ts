/**
 * Notification deliveries (admin): the delivery list, replay of one delivery, of the
 * dead-letter list, and the queue's figures. Registered inside the workflow's scope.
 */
import type { FastifyPluginAsync } from 'fastify';
import { allow } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { errorResponses, idParam, pageOf, pagedQuery, json } from '../schemas.js';
import { needs } from '../services.js';

const deliverySchema = json.object;

export const notificationRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'notificationQueue', 'deliveryWorker');
  const queue = app.notificationQueue;
  const worker = app.deliveryWorker;
  const tags = ['notifications'];

  app.get<{
    Querystring: { state?: 'pending' | 'delivered' | 'dead'; webhook?: string; limit: number; offset: number };
  }>(
    '/api/v1/notifications/deliveries',
    {
      schema: {
        tags,
        summary: 'Webhook deliveries, newest first (state=dead is the dead-letter list)',
        querystring: pagedQuery({
          state: { enum: ['pending', 'delivered', 'dead'] },
          webhook: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,80}$' },
        }),
        response: { 200: pageOf(deliverySchema), ...errorResponses },
      },
    },
    async (request) => {
      allow(request, 'admin');
      const q = request.query;
      const filter: Parameters<typeof queue.listDeliveries>[0] = { limit: q.limit, offset: q.offset };
      if (q.state) filter.state = q.state;
      if (q.webhook) filter.webhookId = q.webhook;
      return { ...(await queue.listDeliveries(filter)), limit: q.limit, offset: q.offset };
    },
  );
  app.post<{ Params: { id: string } }>(
    '/api/v1/notifications/deliveries/:id/replay',
    {
      schema: {
        tags,
        summary: 'Put one dead delivery back in the queue',
        params: idParam,
        response: { 200: deliverySchema, ...errorResponses },
      },
    },
    async (request) => {
      allow(request, 'admin');
      const replayed = await queue.replay(request.params.id);
      if (!replayed)
        throw new HttpProblem(
          409,
          'not_dead',
          `delivery "${request.params.id}" is not in the dead-letter list (unknown, pending or delivered)`,
        );
      request.log.info({ delivery: request.params.id, by: request.user.name }, 'dead delivery replayed');
      worker.poke();
      return replayed;
    },
  );
  app.post<{ Body: { webhook?: string } | undefined }>(
    '/api/v1/notifications/dead-letters/replay',
    {
      schema: {
        tags,
        summary: 'Put every dead delivery (of one webhook, or all) back in the queue',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { webhook: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,80}$' } },
        },
        response: { 200: { type: 'object', properties: { replayed: json.integer } }, ...errorResponses },
      },
    },
    async (request) => {
      allow(request, 'admin');
      const replayed = await queue.replayAll(request.body?.webhook);
      request.log.info({ replayed, webhook: request.body?.webhook, by: request.user.name }, 'dead deliveries replayed');
      worker.poke();
      return { replayed };
    },
  );
  app.get(
    '/api/v1/notifications/stats',
    {
      schema: {
        tags,
        summary: 'Queue depths and worker counters',
        response: { 200: json.object, ...errorResponses },
      },
    },
    async () => ({ ...(await queue.stats()), ...worker.counters }),
  );
};
