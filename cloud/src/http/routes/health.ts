/** Probes and metrics: /healthz (the process answers), /readyz (stores and MQTT usable), /metrics (Prometheus). */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { CloudContext } from '../context.js';
import { problemOf, sendProblem } from '../problem.js';

export async function healthRoutes(app: FastifyInstance, ctx: CloudContext): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'Readiness: series store, relational store and MQTT are usable' } },
    async (request, reply) => {
      const checks: Record<string, boolean> = {
        accepting: ctx.isAccepting(),
        series: await ctx.series.ping(),
        relational: await sql`select 1`.execute(ctx.rdb.db).then(
          () => true,
          () => false,
        ),
        mqtt: ctx.mqttReady(),
      };
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
    async (_request, reply) => reply.type(ctx.metrics.contentType).send(await ctx.metrics.render()),
  );

  app.get(
    '/api/v1/ingest/rejections',
    { schema: { tags: ['health'], summary: 'The last 100 rejected gateway messages, newest last' } },
    async () => ({
      items: ctx.pipeline.recentRejections,
    }),
  );
}
