/**
 * Webhook receivers of notifications (admin): list, create, change, remove; secrets
 * write-only, shown once. Registered inside the workflow's scope.
 */
import { NOTIFICATION_KINDS } from '@gridsafe/shared';
import type { FastifyPluginAsync } from 'fastify';
import { allow } from '../auth.js';
import { HttpProblem, notFound } from '../problem.js';
import { errorResponses, idParam, json } from '../schemas.js';
import { needs } from '../services.js';
import { formatMessage } from '../../messages/catalog.js';
import { checkWebhookUrl } from '../../workflow-plugin/settings.js';
import type { NewWebhook } from '../../notifications/webhooks-store.js';

const webhookSchema = {
  type: 'object',
  properties: {
    id: json.string,
    url: json.string,
    kinds: json.strings,
    areas: json.strings,
    enabled: json.boolean,
    createdAt: json.integer,
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
      enabled: json.boolean,
    },
  }) as const;

export const webhookRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'webhooks');
  const hooks = app.webhooks;
  const tags = ['notifications'];
  const checkUrl = (url: string | undefined) => {
    if (url === undefined) return;
    const problem = checkWebhookUrl(url);
    if (problem) throw new HttpProblem(400, 'bad_url', `url: ${formatMessage(problem, 'en')}`, undefined, problem);
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
      if (!updated) throw new HttpProblem(404, 'not_found', notFound('webhook', request.params.id));
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
        throw new HttpProblem(404, 'not_found', notFound('webhook', request.params.id));
      return reply.code(204).send();
    },
  );
};
