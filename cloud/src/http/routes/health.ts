/** Probes and metrics: /healthz (the process answers), /readyz (stores and MQTT usable), /metrics (Prometheus). */
import type { FastifyPluginAsync } from 'fastify';
import { problemOf, sendProblem } from '../problem.js';
import { needs } from '../services.js';
import { json } from '../schemas.js';

export const healthRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'readiness', 'metrics', 'ingestRejections', 'areas');
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: { type: 'object', properties: { status: json.string } } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'Readiness: series store, relational store and MQTT are usable' } },
    async (request, reply) => {
      const checks = await app.readiness();
      const failing = Object.entries(checks)
        .filter(([, ok]) => !ok)
        .map(([name]) => name);
      if (failing.length > 0) {
        request.log.warn({ checks }, 'not ready');
        return sendProblem(reply, {
          ...problemOf(503, 'not_ready', `not ready: ${failing.join(', ')}`, request.url),
          ...{ checks },
        });
      }
      return { status: 'ready', checks };
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['health'], summary: 'Prometheus metrics (text exposition format)' } },
    async (_request, reply) => reply.type(app.metrics.contentType).send(await app.metrics.render()),
  );

  app.get(
    '/api/v1/ingest/rejections',
    { schema: { tags: ['health'], summary: 'The last 100 rejected gateway messages, newest last' } },
    async (request) => {
      if (request.user.role !== 'inspector') return { items: app.ingestRejections() };
      // Inspectors: the messages of their areas' gateways only.
      const gateways = app.areas.registryInAreas(request.user.areas).gateways;
      return { items: app.ingestRejections().filter((item) => item.gateway !== null && gateways.has(item.gateway)) };
    },
  );
};
