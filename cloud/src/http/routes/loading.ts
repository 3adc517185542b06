/**
 * Loading over a chosen time range, for the transformer and customer pages of the console:
 * a transformer's load against its rating with its thermal state (top-oil, hot-spot), and a
 * customer's block demand against its contract. Scoped by area like the records themselves.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { allowSubject } from '../auth.js';
import { errorResponses, idParam, json, timeRangeQuery } from '../schemas.js';
import { HttpProblem, notFound } from '../problem.js';
import { needs } from '../services.js';
import { parseTime } from './series.js';

/** A quarter of a year at most: enough to see a season, little enough to compute at once. */
const LONGEST_MS = 92 * 86_400_000;
const DAY_MS = 86_400_000;

const rangeQuery = timeRangeQuery(
  'ms since 1970 or ISO 8601; default a day before `to`',
  'ms since 1970 or ISO 8601; default now',
);

type RangeRoute = { Params: { id: string }; Querystring: { from?: string; to?: string } };
type RangeRequest = FastifyRequest<RangeRoute>;

function rangeOf(request: RangeRequest): { from: number; to: number } {
  const to = parseTime(request.query.to, 'to') ?? Date.now();
  const from = parseTime(request.query.from, 'from') ?? to - DAY_MS;
  if (from >= to)
    throw new HttpProblem(
      400,
      'bad_request',
      `from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})`,
    );
  if (to - from > LONGEST_MS)
    throw new HttpProblem(
      400,
      'bad_request',
      `a range of at most 92 days is charted; ${Math.ceil((to - from) / DAY_MS)} days were asked for`,
    );
  return { from, to };
}

export const loadingRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'loading', 'registry', 'areas');
  const { loading, registry, areas } = app;

  /** A chart over a time range, for a transformer or a customer: its OpenAPI description. */
  const chartSchema = (summary: string) => ({
    schema: {
      tags: ['registry'],
      summary,
      params: idParam,
      querystring: rangeQuery,
      response: { 200: json.object, ...errorResponses },
    },
  });
  /** Its handler: the subject registered and within the asker's areas, the range checked, then the chart computed. */
  const chartOf =
    (
      kind: 'transformer' | 'customer',
      registered: (id: string) => boolean,
      compute: (id: string, from: number, to: number) => Promise<unknown>,
    ) =>
    async (request: RangeRequest) => {
      const id = request.params.id;
      if (!registered(id)) throw new HttpProblem(404, 'not_found', notFound(kind, id));
      allowSubject(request, areas.areaOf(id), `${kind} "${id}"`);
      const { from, to } = rangeOf(request);
      return compute(id, from, to);
    };

  app.get<RangeRoute>(
    '/api/v1/transformers/:id/loading',
    chartSchema(
      "A transformer's apparent load (kVA) against its rating, with top-oil and hot-spot temperatures through " +
        "the overload detector's IEC 60076-7 model and its loading mode's limits",
    ),
    chartOf(
      'transformer',
      (id) => registry.transformer(id) !== undefined,
      (id, from, to) => loading.transformer(id, from, to),
    ),
  );
  app.get<RangeRoute>(
    '/api/v1/customers/:id/demand',
    chartSchema(
      "A customer's 15-minute block demand over its meters, apparent (kVA, against the contract capacity) and active (kW)",
    ),
    chartOf(
      'customer',
      (id) => registry.customer(id) !== undefined,
      (id, from, to) => loading.customer(id, from, to),
    ),
  );
};
