/**
 * /api/v1/cases, all of it. The core's routes (caseRoutes): list, one case with its audit
 * trail, moves along the workflow. The workflow's (caseWorkflowRoutes, registered in the
 * workflow's scope): the allowed moves, comments (kept in the append-only trail), the
 * penalty estimate (as it stands, or as stored at confirmation), and the printable report.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { toCsv } from '../csv-write.js';
import { CASE_STATES, type CaseRecord, type CaseState, formatSiteTime } from '@gridsafe/shared';
import { allow } from '../auth.js';
import { errorResponses, idParam, pageOf, pageAnswer, pagedQuery, json, textBody } from '../schemas.js';
import { HttpProblem } from '../problem.js';
import { needs } from '../services.js';
import type { CaseFilter } from '../../cases/service.js';
import { renderCaseReportPdf, reportFont, ReportFontMissing } from '../../cases/report-pdf.js';
import { CASE_TRANSITIONS, NOTE_REQUIRED_FOR } from '../../cases/state-machine.js';

const caseSchema = {
  type: 'object',
  properties: {
    id: json.string,
    customer: json.string,
    state: json.string,
    contractKva: json.number,
    maxDemandKw: json.number,
    maxDemandKva: { type: ['number', 'null'], description: 'highest apparent 15-minute demand' },
    excessKva: json.number,
    firstSeen: json.integer,
    lastSeen: json.integer,
    demandSeries: { type: 'array', items: { type: 'array', items: json.number } },
    detail: json.object,
    openedAt: json.integer,
    updatedAt: json.integer,
    penalty: json.objectOrNull,
    equipment: {
      type: ['object', 'null'],
      description: 'what the field check found: nameplate kVA, description, photo reference, who and when',
      additionalProperties: true,
    },
    history: { type: 'array', items: json.object },
  },
} as const;

/** The case, when it exists and the caller may see it (inspectors: their areas only). */
async function visibleCase(
  app: Parameters<FastifyPluginAsync>[0],
  request: FastifyRequest,
  id: string,
): Promise<CaseRecord> {
  const record = await app.cases.get(id);
  if (!record) throw new HttpProblem(404, 'not_found', { code: 'problem.case_not_found', params: { id } });
  if (request.user.role === 'inspector' && !app.areas.subjectsInAreas(request.user.areas).includes(record.customer)) {
    throw new HttpProblem(403, 'outside_area', {
      code: 'problem.outside_area',
      params: { what: `case "${record.id}"`, areas: request.user.areas.join(', ') },
    });
  }
  return record;
}

export const caseRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'cases', 'areas', 'auditLog');
  const { cases, areas, auditLog } = app;
  app.get<{ Querystring: { state?: CaseState; customer?: string; limit: number; offset: number } }>(
    '/api/v1/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Capacity-violation cases, newest first',
        querystring: pagedQuery({
          state: { enum: [...CASE_STATES] },
          customer: json.id,
        }),
        response: { 200: pageOf(caseSchema), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const filter: CaseFilter = {};
      if (q.state) filter.state = q.state;
      if (q.customer) filter.customer = q.customer;
      if (request.user.role === 'inspector') filter.customers = areas.subjectsInAreas(request.user.areas);
      return pageAnswer(await cases.list(filter, q.limit, q.offset), q);
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
      const record = await visibleCase(app, request, request.params.id);
      return { ...record, history: await cases.history(record.id) };
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
      const record = await cases.get(request.params.id);
      if (!record)
        throw new HttpProblem(404, 'not_found', { code: 'problem.case_not_found', params: { id: request.params.id } });
      const moved = await cases.transition(record.id, request.body.to, request.user.name, request.body.note);
      await auditLog.record(request.user.name, 'transition', 'cases', record.id, { to: request.body.to });
      return { ...moved, history: await cases.history(record.id) };
    },
  );
};

/** The workflow's case routes; `timeZone` gives the zone a customer's report is written in. */
export const caseWorkflowRoutes: FastifyPluginAsync<{ timeZone: (customer: string) => string }> = async (
  app,
  options,
) => {
  needs(app, 'cases', 'areas', 'registry');
  const { cases, registry } = app;
  const tags = ['cases'];
  const load = (request: FastifyRequest, id: string) => visibleCase(app, request, id);

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
              transitions: { type: 'object', additionalProperties: json.strings },
              noteRequired: json.strings,
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
      id: json.integer,
      caseId: json.string,
      at: json.integer,
      author: json.string,
      text: json.string,
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
      return cases.comments(request.params.id);
    },
  );
  app.post<{ Params: { id: string }; Body: { text: string } }>(
    '/api/v1/cases/:id/comments',
    {
      schema: {
        tags,
        summary: 'Comment on a case (kept in its append-only trail)',
        params: idParam,
        body: textBody,
        response: { 201: commentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      allow(request, 'admin', 'auditor');
      const record = await load(request, request.params.id);
      const text = request.body.text.trim();
      if (!text) throw new HttpProblem(400, 'empty_comment', { code: 'problem.empty_comment' });
      const comment = await cases.addComment(record, request.user.name, text);
      return reply.code(201).send(comment);
    },
  );

  app.post<{ Params: { id: string }; Body: { nameplateKva: number; description?: string; photo?: string } }>(
    '/api/v1/cases/:id/equipment',
    {
      schema: {
        tags,
        summary:
          'Record the equipment the field check found (case in field_check): its nameplate kVA then sets the added capacity of the penalty',
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['nameplateKva'],
          properties: {
            nameplateKva: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
            description: { type: 'string', maxLength: 2000 },
            photo: {
              type: 'string',
              maxLength: 2000,
              description: 'reference to a photo, e.g. a work-order photo URL',
            },
          },
        },
        response: { 200: caseSchema, ...errorResponses },
      },
    },
    async (request) => {
      allow(request, 'admin', 'auditor', 'inspector');
      const record = await load(request, request.params.id);
      return cases.recordEquipment(record.id, request.user.name, request.body);
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
            properties: { stored: json.boolean, estimate: json.object },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const record = await load(request, request.params.id);
      if (record.penalty) return { stored: true, estimate: record.penalty };
      return { stored: false, estimate: cases.estimateNow(record) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/cases/:id/evidence.csv',
    {
      schema: {
        tags,
        summary: "The case's demand series as CSV (UTC and the site's local time, kW), for a spreadsheet or the file",
        params: idParam,
      },
    },
    async (request, reply) => {
      const record = await load(request, request.params.id);
      const zone = options.timeZone(record.customer);
      const csv = toCsv(
        ['time_utc', `time_local_${zone}`, 'demand_kw', 'contract_kva'],
        record.demandSeries.map(([ts, kw]) => [
          new Date(ts).toISOString(),
          formatSiteTime(ts, zone),
          kw,
          record.contractKva,
        ]),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${record.id}-demand.csv"`)
        .send(csv);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/cases/:id/report',
    {
      schema: {
        tags,
        summary:
          'The case report as a PDF (facts, evidence, demand series in local time, penalty, trail, comments; 中文 and English)',
        params: idParam,
      },
    },
    async (request, reply) => {
      const record = await load(request, request.params.id);
      let font: string;
      try {
        font = reportFont();
      } catch (error) {
        if (error instanceof ReportFontMissing) throw new HttpProblem(503, 'report_font_missing', error.message);
        throw error;
      }
      const customer = registry.customer(record.customer);
      const history = await cases.history(record.id);
      const pdf = await renderCaseReportPdf(
        {
          record,
          customer: customer ? { id: customer.id, name: customer.name, tariff: customer.tariff } : null,
          history: history.filter((h) => h.action !== 'comment'),
          comments: await cases.comments(record.id),
          penalty: record.penalty
            ? { estimate: record.penalty, stored: true }
            : { estimate: cases.estimateNow(record), stored: false },
          timeZone: options.timeZone(record.customer),
          generatedAt: Date.now(),
          generatedBy: request.user.name,
        },
        font,
      );
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${record.id}-report.pdf"`)
        .send(pdf);
    },
  );
};
