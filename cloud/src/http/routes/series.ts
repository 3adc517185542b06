/**
 * Stored readings of a device: raw, or aggregated per interval (`every`), plus the
 * latest values and 15-minute demand. Times are ms since the epoch or ISO 8601.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { isQuantity, type Quantity } from '@gridsafe/shared';
import { allowSubject } from '../auth.js';
import { errorResponses, idParam, json } from '../schemas.js';
import { HttpProblem } from '../problem.js';
import { needs } from '../services.js';
import { AGGREGATES, DEMAND_WINDOW_MS, type Aggregate } from '../../series/types.js';

const TIME_PATTERN = '^([0-9]{1,16}|[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?)$';
const DURATION_PATTERN = '^[0-9]{1,10}(ms|s|m|h|d)?$';
const MAX_RAW = 100_000;
const MAX_BUCKETS = 20_000;

const seriesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: {
      type: 'string',
      pattern: TIME_PATTERN,
      description: 'start, inclusive (ms or ISO 8601); default: `to` minus one hour',
    },
    to: { type: 'string', pattern: TIME_PATTERN, description: 'end, exclusive (ms or ISO 8601); default: now' },
    every: {
      type: 'string',
      pattern: DURATION_PATTERN,
      description: 'aggregate per interval: 30s, 1m, 15m, 1h, 1d or ms; raw readings when absent',
    },
    fields: {
      type: 'string',
      pattern: '^[a-z0-9_]{1,16}(,[a-z0-9_]{1,16}){0,40}$',
      description: 'comma-separated canonical quantities; all when absent',
    },
    agg: { enum: [...AGGREGATES], default: 'mean', description: 'aggregate used with `every`' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_RAW, default: 10_000 },
  },
} as const;

export function parseTime(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^[0-9]+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value))
    throw new HttpProblem(400, 'bad_time', { code: 'problem.bad_time', params: { name, raw } });
  return value;
}

export function parseDuration(raw: string, name: string): number {
  const match = /^([0-9]+)(ms|s|m|h|d)?$/.exec(raw);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const value = match ? Number(match[1]) * (units[match[2] ?? 'ms'] as number) : NaN;
  if (!Number.isFinite(value) || value <= 0)
    throw new HttpProblem(400, 'bad_duration', { code: 'problem.bad_duration', params: { name, raw } });
  return value;
}

export function parseFields(raw: string | undefined): Quantity[] | undefined {
  if (raw === undefined) return undefined;
  const names = [...new Set(raw.split(','))];
  const unknown = names.filter((name) => !isQuantity(name));
  if (unknown.length > 0)
    throw new HttpProblem(
      400,
      'unknown_quantity',
      `fields: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length > 1 ? 'are not canonical quantities' : 'is not a canonical quantity'}`,
    );
  return names as Quantity[];
}

function timeRange(query: { from?: string; to?: string }, defaultSpanMs: number): { from: number; to: number } {
  const to = parseTime(query.to, 'to') ?? Date.now();
  const from = parseTime(query.from, 'from') ?? to - defaultSpanMs;
  if (from >= to)
    throw new HttpProblem(
      400,
      'bad_range',
      `from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})`,
    );
  return { from, to };
}

async function knownDevice(app: FastifyInstance, request: FastifyRequest, id: string): Promise<void> {
  // Throws not_found for an unregistered device: series of unknown ids are not served.
  await app.registry.getDevice(id);
  allowSubject(request, app.areas.areaOf(id), `device "${id}"`);
}

export const seriesRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'series', 'registry', 'areas');
  const { series } = app;
  app.get<{
    Params: { id: string };
    Querystring: { from?: string; to?: string; every?: string; fields?: string; agg: Aggregate; limit: number };
  }>(
    '/api/v1/devices/:id/series',
    {
      schema: {
        tags: ['series'],
        summary: 'Stored readings of a device, raw or aggregated per interval',
        params: idParam,
        querystring: seriesQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              device: json.string,
              from: json.integer,
              to: json.integer,
              every: json.integerOrNull,
              aggregate: json.stringOrNull,
              truncated: json.boolean,
              points: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    ts: json.integer,
                    quality: json.string,
                    values: { type: 'object', additionalProperties: json.number },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      await knownDevice(app, request, id);
      const { from, to } = timeRange(request.query, 3_600_000);
      const fields = parseFields(request.query.fields);
      const limit = request.query.limit;
      if (request.query.every === undefined) {
        const points = await series.raw({ device: id, from, to, limit: limit + 1, ...(fields ? { fields } : {}) });
        const truncated = points.length > limit;
        return {
          device: id,
          from,
          to,
          every: null,
          aggregate: null,
          truncated,
          points: truncated ? points.slice(0, limit) : points,
        };
      }
      const everyMs = parseDuration(request.query.every, 'every');
      if ((to - from) / everyMs > MAX_BUCKETS) {
        throw new HttpProblem(
          400,
          'too_many_buckets',
          `from..to holds ${Math.ceil((to - from) / everyMs)} intervals of ${request.query.every}; the limit is ${MAX_BUCKETS}: widen "every" or narrow the range`,
        );
      }
      const points = await series.aggregate({
        device: id,
        from,
        to,
        everyMs,
        aggregate: request.query.agg,
        ...(fields ? { fields } : {}),
      });
      return { device: id, from, to, every: everyMs, aggregate: request.query.agg, truncated: false, points };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { fields?: string } }>(
    '/api/v1/devices/:id/latest',
    {
      schema: {
        tags: ['series'],
        summary: 'Latest stored value of each quantity of a device',
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { fields: seriesQuery.properties.fields },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              device: json.string,
              values: {
                type: 'object',
                additionalProperties: {
                  type: 'object',
                  properties: { ts: json.integer, value: json.number },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      await knownDevice(app, request, id);
      const latest = await series.latest([id], parseFields(request.query.fields));
      return { device: id, values: latest.get(id) ?? {} };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string; field?: string } }>(
    '/api/v1/devices/:id/demand',
    {
      schema: {
        tags: ['series'],
        summary: '15-minute block demand (mean active power per block) of a device',
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: seriesQuery.properties.from,
            to: seriesQuery.properties.to,
            field: { enum: ['p_kw', 's_kva'], default: 'p_kw' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              device: json.string,
              windowMs: json.integer,
              points: {
                type: 'array',
                items: { type: 'object', properties: { ts: json.integer, demandKw: json.number } },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      await knownDevice(app, request, id);
      const { from, to } = timeRange(request.query, 86_400_000);
      if ((to - from) / DEMAND_WINDOW_MS > MAX_BUCKETS)
        throw new HttpProblem(400, 'too_many_buckets', {
          code: 'problem.too_many_buckets',
          params: { limit: MAX_BUCKETS },
        });
      const points = await series.demand({
        device: id,
        from,
        to,
        field: (request.query.field ?? 'p_kw') as Quantity,
      });
      return { device: id, windowMs: DEMAND_WINDOW_MS, points };
    },
  );
};
