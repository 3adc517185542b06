/**
 * The case workflow beyond the core's list/read/transition routes: comments (kept in the
 * append-only trail), the penalty estimate (as it stands, or as stored at confirmation),
 * and the printable report.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CaseState, Tariff } from '@gridsafe/shared';
import { allow } from '../http/auth.js';
import type { CloudContext } from '../http/context.js';
import { HttpProblem } from '../http/problem.js';
import { errorResponses, idParam } from '../http/schemas.js';
import { subjectsInAreas } from '../http/routes/alerts.js';
import type { LiveBus } from '../notifications/live-bus.js';
import { estimatePenalty, type PenaltyRules } from './penalty.js';
import { renderCaseReport } from './report.js';
import { CASE_TRANSITIONS, NOTE_REQUIRED_FOR } from './state-machine.js';
import type { CaseComment, CaseRecord } from './types.js';

export interface CaseRouteOptions {
  penalty: PenaltyRules;
  timeZone: (customer: string) => string;
  areaOf: (subject: string) => string | null;
  bus: LiveBus;
}

export async function caseWorkflowRoutes(
  app: FastifyInstance,
  ctx: CloudContext,
  options: CaseRouteOptions,
): Promise<void> {
  const tags = ['cases'];

  const load = async (request: FastifyRequest, id: string): Promise<CaseRecord> => {
    const record = await ctx.cases.get(id);
    if (!record) throw new HttpProblem(404, 'not_found', `case "${id}" does not exist`);
    if (request.user.role === 'inspector' && !subjectsInAreas(ctx, request.user.areas).includes(record.customer)) {
      throw new HttpProblem(403, 'outside_area', `case "${record.id}" is outside your areas`);
    }
    return record;
  };
  const comments = async (id: string): Promise<CaseComment[]> =>
    (await ctx.cases.history(id))
      .filter((h) => h.action === 'comment')
      .map((h) => ({ id: h.id, caseId: h.caseId, at: h.at, author: h.actor, text: h.note ?? '' }));

  app.get(
    '/api/v1/cases/workflow',
    {
      schema: {
        tags,
        summary: 'The case workflow: allowed moves from each state, and the moves that need a note',
        response: {
          200: {
            type: 'object',
            properties: {
              transitions: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
              noteRequired: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    async () => ({ transitions: CASE_TRANSITIONS, noteRequired: NOTE_REQUIRED_FOR }),
  );

  const commentSchema = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      caseId: { type: 'string' },
      at: { type: 'integer' },
      author: { type: 'string' },
      text: { type: 'string' },
    },
  } as const;
  app.get<{ Params: { id: string } }>(
    '/api/v1/cases/:id/comments',
    {
      schema: {
        tags,
        summary: 'Comments on a case, oldest first',
        params: idParam,
        response: { 200: { type: 'array', items: commentSchema }, ...errorResponses },
      },
    },
    async (request) => {
      await load(request, request.params.id);
      return comments(request.params.id);
    },
  );
  app.post<{ Params: { id: string }; Body: { text: string } }>(
    '/api/v1/cases/:id/comments',
    {
      schema: {
        tags,
        summary: 'Comment on a case (kept in its append-only trail)',
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['text'],
          properties: { text: { type: 'string', minLength: 1, maxLength: 4000 } },
        },
        response: { 201: commentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      allow(request, 'admin', 'auditor');
      const record = await load(request, request.params.id);
      const text = request.body.text.trim();
      if (!text) throw new HttpProblem(400, 'empty_comment', 'a comment needs some text');
      const at = Date.now();
      const inserted = await ctx.rdb.db
        .insertInto('case_history')
        .values({
          case_id: record.id,
          at,
          actor: request.user.name,
          action: 'comment',
          from_state: null,
          to_state: null,
          note: text,
          detail: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const comment: CaseComment = { id: Number(inserted.id), caseId: record.id, at, author: request.user.name, text };
      options.bus.publish({
        type: 'case',
        action: 'comment',
        area: options.areaOf(record.customer),
        data: { case: { id: record.id, customer: record.customer, state: record.state }, comment },
      });
      return reply.code(201).send(comment);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/cases/:id/penalty',
    {
      schema: {
        tags,
        summary:
          'Penalty estimate: the one stored when the case was confirmed, else what it would be now under the configured rules',
        params: idParam,
        response: {
          200: {
            type: 'object',
            properties: { stored: { type: 'boolean' }, estimate: { type: 'object', additionalProperties: true } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const record = await load(request, request.params.id);
      if (record.penalty) return { stored: true, estimate: record.penalty };
      return { stored: false, estimate: estimatePenalty(penaltyInput(ctx, record), options.penalty) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/cases/:id/report',
    { schema: { tags, summary: 'Printable case report (HTML, self-contained)', params: idParam } },
    async (request, reply) => {
      const record = await load(request, request.params.id);
      const customer = ctx.registry.customer(record.customer);
      const history = await ctx.cases.history(record.id);
      const html = renderCaseReport({
        record,
        customer: customer ? { id: customer.id, name: customer.name, tariff: customer.tariff } : null,
        history: history.filter((h) => h.action !== 'comment'),
        comments: await comments(record.id),
        penalty:
          record.state === ('confirmed' satisfies CaseState)
            ? (record.penalty ?? estimatePenalty(penaltyInput(ctx, record), options.penalty))
            : null,
        timeZone: options.timeZone(record.customer),
        generatedAt: Date.now(),
        generatedBy: request.user.name,
      });
      return reply
        .type('text/html; charset=utf-8')
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline'",
        )
        .send(html);
    },
  );
}

function penaltyInput(ctx: CloudContext, record: CaseRecord) {
  const tariff: Tariff = ctx.registry.customer(record.customer)?.tariff ?? 'single';
  return {
    tariff,
    contractKva: record.contractKva,
    maxDemandKw: record.maxDemandKw,
    excessKva: record.excessKva,
    firstSeen: record.firstSeen,
    lastSeen: record.lastSeen,
  };
}
