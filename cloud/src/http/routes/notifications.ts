/**
 * Notification API (admin): webhook receivers (secrets write-only, shown once), the
 * delivery list, the dead-letter list and its replay.
 */
import type { FastifyInstance } from 'fastify';
import { allow } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { errorResponses, idParam, pageOf, pageQuery } from '../schemas.js';
import { checkWebhookUrl } from '../../workflow-plugin/settings.js';
import type { NotificationQueue } from '../../notifications/queue.js';
import type { WebhookStore, NewWebhook } from '../../notifications/webhooks-store.js';
import { NOTIFICATION_KINDS, type NotificationKind } from '../../notifications/types.js';
import type { DeliveryWorker } from '../../notifications/worker.js';

const webhookSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    kinds: { type: 'array', items: { type: 'string' } },
    areas: { type: 'array', items: { type: 'string' } },
    enabled: { type: 'boolean' },
    createdAt: { type: 'integer' },
    secret: { type: 'string', description: 'only in the answer to POST: the signing secret' },
  },
} as const;

const webhookBody = (required: string[]) =>
  ({
    type: 'object',
    additionalProperties: false,
    required,
    properties: {
      url: { type: 'string', minLength: 8, maxLength: 2000 },
      secret: {
        type: 'string',
        minLength: 16,
        maxLength: 256,
        description: 'HMAC-SHA256 signing secret; generated when absent',
      },
      kinds: { type: 'array', maxItems: 20, items: { enum: [...NOTIFICATION_KINDS] } },
      areas: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 64 } },
      enabled: { type: 'boolean' },
    },
  }) as const;

const deliverySchema = { type: 'object', additionalProperties: true } as const;

export async function notificationRoutes(
  app: FastifyInstance,
  hooks: WebhookStore,
  queue: NotificationQueue,
  worker: DeliveryWorker,
): Promise<void> {
  const tags = ['notifications'];
  const checkUrl = (url: string | undefined) => {
    if (url === undefined) return;
    const problem = checkWebhookUrl(url);
    if (problem) throw new HttpProblem(400, 'bad_url', `url: ${problem}`);
  };

  app.get(
    '/api/v1/webhooks',
    {
      schema: {
        tags,
        summary: 'Webhook receivers (admin)',
        response: { 200: { type: 'array', items: webhookSchema }, ...errorResponses },
      },
    },
    async (request) => {
      allow(request, 'admin');
      return hooks.list();
    },
  );
  app.post<{ Body: NewWebhook }>(
    '/api/v1/webhooks',
    {
      schema: {
        tags,
        summary: 'Add a webhook receiver; the answer carries its signing secret, shown this once',
        body: webhookBody(['url']),
        response: { 201: webhookSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      allow(request, 'admin');
      checkUrl(request.body.url);
      return reply.code(201).send(await hooks.create(request.body));
    },
  );
  app.patch<{ Params: { id: string }; Body: Partial<NewWebhook> }>(
    '/api/v1/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Change a webhook receiver',
        params: idParam,
        body: webhookBody([]),
        response: { 200: webhookSchema, ...errorResponses },
      },
    },
    async (request) => {
      allow(request, 'admin');
      checkUrl(request.body.url);
      const updated = await hooks.update(request.params.id, request.body);
      if (!updated) throw new HttpProblem(404, 'not_found', `webhook "${request.params.id}" does not exist`);
      return updated;
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/api/v1/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Remove a webhook receiver (its queued deliveries go to the dead-letter list)',
        params: idParam,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      allow(request, 'admin');
      if (!(await hooks.remove(request.params.id)))
        throw new HttpProblem(404, 'not_found', `webhook "${request.params.id}" does not exist`);
      return reply.code(204).send();
    },
  );

  app.get<{
    Querystring: { state?: 'pending' | 'delivered' | 'dead'; webhook?: string; limit: number; offset: number };
  }>(
    '/api/v1/notifications/deliveries',
    {
      schema: {
        tags,
        summary: 'Webhook deliveries, newest first (state=dead is the dead-letter list)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { enum: ['pending', 'delivered', 'dead'] },
            webhook: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,80}$' },
            ...pageQuery,
          },
        },
        response: { 200: pageOf(deliverySchema), ...errorResponses },
      },
    },
    async (request) => {
      allow(request, 'admin');
      const q = request.query;
      const filter: Parameters<NotificationQueue['listDeliveries']>[0] = { limit: q.limit, offset: q.offset };
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
        response: { 200: { type: 'object', properties: { replayed: { type: 'integer' } } }, ...errorResponses },
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
        response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses },
      },
    },
    async () => ({ ...(await queue.stats()), ...worker.counters }),
  );
}

export type { NotificationKind };
