/** Capacity-violation cases: list, one case with its audit trail, and moves along the workflow. */
import type { FastifyInstance } from 'fastify';
import { CASE_STATES, type CaseState } from '@gridsafe/shared';
import type { CloudContext } from '../context.js';
import { allow } from '../auth.js';
import { errorResponses, idParam, pageOf, pageQuery, ID_PATTERN } from '../schemas.js';
import { HttpProblem } from '../problem.js';
import { estimatePenalty, type PenaltyRules } from '../../cases/penalty.js';
import { subjectsInAreas } from './alerts.js';
import { audit } from './registry.js';

const caseSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    customer: { type: 'string' },
    state: { type: 'string' },
    contractKva: { type: 'number' },
    maxDemandKw: { type: 'number' },
    excessKva: { type: 'number' },
    firstSeen: { type: 'integer' },
    lastSeen: { type: 'integer' },
    demandSeries: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
    detail: { type: 'object', additionalProperties: true },
    openedAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
    penalty: { type: ['object', 'null'], additionalProperties: true },
    history: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

export async function caseRoutes(
  app: FastifyInstance,
  ctx: CloudContext,
  penaltyRules: PenaltyRules | undefined,
): Promise<void> {
  app.get<{ Querystring: { state?: CaseState; customer?: string; limit: number; offset: number } }>(
    '/api/v1/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Capacity-violation cases, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { enum: [...CASE_STATES] },
            customer: { type: 'string', pattern: ID_PATTERN },
            ...pageQuery,
          },
        },
        response: { 200: pageOf(caseSchema), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const filter: { state?: CaseState; customer?: string; customers?: string[] } = {};
      if (q.state) filter.state = q.state;
      if (q.customer) filter.customer = q.customer;
      if (request.user.role === 'inspector') filter.customers = subjectsInAreas(ctx, request.user.areas);
      const page = await ctx.cases.list(filter, q.limit, q.offset);
      return { ...page, limit: q.limit, offset: q.offset };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'One case with its audit trail',
        params: idParam,
        response: { 200: caseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const record = await ctx.cases.get(request.params.id);
      if (!record) throw new HttpProblem(404, 'not_found', `case "${request.params.id}" does not exist`);
      if (request.user.role === 'inspector' && !subjectsInAreas(ctx, request.user.areas).includes(record.customer)) {
        throw new HttpProblem(403, 'outside_area', `case "${record.id}" is outside your areas`);
      }
      return { ...record, history: await ctx.cases.history(record.id) };
    },
  );

  app.post<{ Params: { id: string }; Body: { to: CaseState; note?: string } }>(
    '/api/v1/cases/:id/transition',
    {
      schema: {
        tags: ['cases'],
        summary: 'Move a case on (refused when the move is not allowed)',
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['to'],
          properties: { to: { enum: [...CASE_STATES] }, note: { type: 'string', maxLength: 4000 } },
        },
        response: { 200: caseSchema, ...errorResponses },
      },
    },
    async (request) => {
      allow(request, 'admin', 'auditor');
      const record = await ctx.cases.get(request.params.id);
      if (!record) throw new HttpProblem(404, 'not_found', `case "${request.params.id}" does not exist`);
      let penalty;
      if (request.body.to === 'confirmed') {
        const customer = ctx.registry.customer(record.customer);
        if (customer)
          penalty = estimatePenalty(
            {
              tariff: customer.tariff,
              contractKva: record.contractKva,
              maxDemandKw: record.maxDemandKw,
              excessKva: record.excessKva,
              firstSeen: record.firstSeen,
              lastSeen: record.lastSeen,
            },
            penaltyRules,
          );
      }
      const moved = await ctx.cases.transition(
        record.id,
        request.body.to,
        request.user.name,
        request.body.note,
        penalty,
      );
      await audit(ctx, request.user.name, 'transition', 'cases', record.id, { to: request.body.to });
      return { ...moved, history: await ctx.cases.history(record.id) };
    },
  );
}
