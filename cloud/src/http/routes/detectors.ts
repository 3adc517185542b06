/**
 * GET /api/v1/detectors: how people read each alert type (names in both languages,
 * default skill, charted quantities, evidence labels and units). The data lives in each
 * detector's folder (meta.ts); the console, reports and work-order routing read it here.
 * Every signed-in role may read it: it says nothing about any subject.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AlertTypeMeta } from '@gridsafe/shared';
import { problemOf, sendProblem } from '../problem.js';

export interface DetectorRoutesOptions {
  alertTypes: readonly AlertTypeMeta[];
}

export const detectorRoutes: FastifyPluginAsync<DetectorRoutesOptions> = async (app, { alertTypes }) => {
  const byType = new Map(alertTypes.map((meta) => [meta.type, meta]));

  app.get(
    '/api/v1/detectors',
    { schema: { tags: ['detectors'], summary: 'Every alert type with its labels, skill, charts and evidence fields' } },
    async () => ({ items: alertTypes, total: alertTypes.length }),
  );

  app.get<{ Params: { type: string } }>(
    '/api/v1/detectors/:type',
    {
      schema: {
        tags: ['detectors'],
        summary: "One alert type's labels, skill, charts and evidence fields",
        params: { type: 'object', properties: { type: { type: 'string', pattern: '^[a-z_]{1,64}$' } } },
      },
    },
    async (request, reply) => {
      const meta = byType.get(request.params.type);
      if (!meta)
        return sendProblem(
          reply,
          problemOf(404, 'not_found', `no alert type "${request.params.type}"`, request.url.split('?')[0] ?? ''),
        );
      return meta;
    },
  );
};
