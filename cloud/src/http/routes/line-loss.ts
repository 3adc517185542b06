/**
 * Line-loss API (a Fastify plugin): an area's days and months, the qualification band
 * of each area, and audit leads: from a `line_loss_abnormal` alert an auditor opens a
 * case on one of its candidate customers.
 */
import type { FastifyPluginAsync } from 'fastify';
import { allow, allowSubject } from '../auth.js';
import { errorResponses, idParam, json, timeRangeQuery } from '../schemas.js';
import { HttpProblem, notFound } from '../problem.js';
import { needs } from '../services.js';
import { parseTime } from './series.js';
import { monthlyBalances } from '../../lineloss/monthly.js';
import { DAY_MS } from '../../lineloss/local-day.js';
import type { Candidate } from '../../lineloss/causes.js';
import type { AreaDay } from '../../lineloss/area-day.js';

const rangeQuery = timeRangeQuery(
  'first day (ms or ISO 8601); default: 31 days before `to`',
  'end, exclusive (ms or ISO 8601); default: now',
);

const bandBody = {
  type: 'object',
  additionalProperties: false,
  required: ['lowPct', 'highPct', 'source'],
  properties: {
    lowPct: { type: 'number', minimum: -100, maximum: 100 },
    highPct: { type: 'number', minimum: -100, maximum: 100 },
    source: { type: 'string', minLength: 1, maxLength: 500, description: 'the rule or decision the band comes from' },
  },
} as const;

const leadBody = {
  type: 'object',
  additionalProperties: false,
  required: ['customer'],
  properties: { customer: json.id, note: { type: 'string', maxLength: 2000 } },
} as const;

function range(query: { from?: string; to?: string }): { from: number; to: number } {
  const to = parseTime(query.to, 'to') ?? Date.now();
  const from = parseTime(query.from, 'from') ?? to - 31 * DAY_MS;
  if (from >= to) throw new HttpProblem(400, 'bad_range', { code: 'problem.range_backwards' });
  if (to - from > 400 * DAY_MS)
    throw new HttpProblem(400, 'bad_range', { code: 'problem.range_too_long', params: { days: 400 } });
  return { from, to };
}

export const lineLossRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'lineLoss', 'registry', 'alerts', 'cases');
  const { store, settings } = app.lineLoss;
  const knownTransformer = (id: string, request: Parameters<typeof allowSubject>[0]) => {
    const tx = app.registry.transformer(id);
    if (!tx) throw new HttpProblem(404, 'not_found', notFound('transformer', id));
    allowSubject(request, tx.area, `transformer "${id}"`);
  };

  /** A read of one area's stored days over a range, shaped by `view`. */
  const areaRoute = (path: string, summary: string, view: (days: AreaDay[]) => unknown[]) =>
    app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string } }>(
      path,
      {
        schema: {
          tags: ['line loss'],
          summary,
          params: idParam,
          querystring: rangeQuery,
          response: { ...errorResponses },
        },
      },
      async (request) => {
        knownTransformer(request.params.id, request);
        const { from, to } = range(request.query);
        return { items: view(await store.days(request.params.id, from, to)) };
      },
    );
  areaRoute(
    '/api/v1/lineloss/:id/days',
    "A transformer area's daily line loss: supplied, sold, loss, rate, coverage, band, status, meters",
    (days) => days,
  );
  areaRoute('/api/v1/lineloss/:id/months', "A transformer area's monthly line loss from its stored days", (days) =>
    monthlyBalances(days, settings.utcOffsetMinutes),
  );

  app.get(
    '/api/v1/lineloss/bands',
    { schema: { tags: ['line loss'], summary: 'Qualification bands per area' } },
    async () => ({
      default: settings.defaultBand,
      // From the config file (lineLoss.bands); a band set here (items) takes precedence.
      configured: settings.bands,
      items: await store.bands(),
    }),
  );

  app.put<{ Params: { id: string }; Body: { lowPct: number; highPct: number; source: string } }>(
    '/api/v1/lineloss/bands/:id',
    {
      schema: {
        tags: ['line loss'],
        summary: "Sets an area's qualification band (applies to days computed from now on)",
        params: idParam,
        body: bandBody,
        response: { ...errorResponses },
      },
    },
    async (request) => {
      allow(request, 'admin');
      const { lowPct, highPct, source } = request.body;
      if (!(lowPct < highPct))
        throw new HttpProblem(400, 'bad_band', { code: 'problem.bad_band', params: { lowPct, highPct } });
      return store.putBand(request.params.id, { lowPct, highPct }, source);
    },
  );

  app.post<{ Params: { id: string }; Body: { customer: string; note?: string } }>(
    '/api/v1/alerts/:id/leads',
    {
      schema: {
        tags: ['line loss'],
        summary: 'Opens an audit case on a candidate customer of a line_loss_abnormal alert',
        params: idParam,
        body: leadBody,
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      allow(request, 'admin', 'auditor');
      const alert = await app.alerts.get(request.params.id);
      if (!alert) throw new HttpProblem(404, 'not_found', notFound('alert', request.params.id));
      if (alert.type !== 'line_loss_abnormal')
        throw new HttpProblem(409, 'not_line_loss', {
          code: 'problem.not_line_loss',
          params: { id: alert.id, type: alert.type },
        });
      const candidates = (alert.evidence['candidates'] ?? []) as Candidate[];
      const lead = candidates.find((c) => c.customer === request.body.customer);
      if (!lead)
        throw new HttpProblem(
          422,
          'not_a_candidate',
          `customer "${request.body.customer}" is not a candidate of alert "${alert.id}" (candidates: ${candidates.map((c) => c.customer).join(', ') || 'none'})`,
        );
      const customer = app.registry.customer(lead.customer);
      const caseId = await app.cases.openOrUpdate({
        customer: lead.customer,
        contractKva: customer?.contractKva ?? 0,
        maxDemandKw: 0,
        excessKva: 0,
        firstSeen: alert.openedAt,
        lastSeen: alert.lastSeenAt,
        demandSeries: [],
        detail: {
          origin: 'line_loss_abnormal',
          alert: alert.id,
          transformer: alert.subject,
          cause: alert.evidence['cause'],
          lead,
          openedBy: request.user.name,
          ...(request.body.note ? { note: request.body.note } : {}),
        },
      });
      return reply.code(201).send({ case: caseId, customer: lead.customer, alert: alert.id });
    },
  );
};
