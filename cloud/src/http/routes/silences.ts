/**
 * Silences and maintenance windows (issue 15): create one on a transformer (its whole
 * site) or a device, list them, end one early. Admins and the area's inspectors create and
 * end; everyone reads what their areas allow. Every change is audited.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { allow, allowSubject } from '../auth.js';
import { errorResponses, idParam, pageOf, pageAnswer, pagedQuery, ID_PATTERN, json } from '../schemas.js';
import { HttpProblem, notFound } from '../problem.js';
import { needs } from '../services.js';
import { SILENCE_KINDS, type Silence, type SilenceKind } from '../../silences/types.js';

/** A silence is for a visit or a known fault, not for ever: at most 30 days. */
const LONGEST_MS = 30 * 86_400_000;

const silenceSchema = {
  type: 'object',
  properties: {
    id: json.string,
    kind: json.string,
    target: json.string,
    targetKind: json.string,
    startsAt: json.integer,
    endsAt: json.integer,
    reason: json.string,
    createdBy: json.string,
    createdAt: json.integer,
    endedAt: json.integerOrNull,
    endedBy: json.stringOrNull,
  },
} as const;

interface SilenceBody {
  kind?: SilenceKind;
  target: string;
  startsAt?: number;
  endsAt: number;
  reason: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export const silenceRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'silences', 'registry', 'areas', 'auditLog');
  const { silences, registry, areas, auditLog } = app;

  /** The target's kind; refuses one that is not registered, or outside an inspector's areas. */
  const targetKind = (request: FastifyRequest, target: string): Silence['targetKind'] => {
    const kind = registry.transformer(target) ? 'transformer' : registry.device(target) ? 'device' : undefined;
    if (!kind)
      throw new HttpProblem(
        400,
        'bad_request',
        `target "${target}" is neither a registered transformer nor a registered device`,
      );
    allowSubject(request, areas.areaOf(target), `${kind} "${target}"`);
    return kind;
  };

  app.get<{ Querystring: { target?: string; active?: boolean; limit: number; offset: number } }>(
    '/api/v1/silences',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Silences and maintenance windows, latest start first; `active=true`: those in force now',
        querystring: pagedQuery({
          target: json.id,
          active: json.boolean,
        }),
        response: { 200: pageOf(silenceSchema), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const scope = request.user.role === 'inspector' ? areas.subjectsInAreas(request.user.areas) : undefined;
      const targets = q.target ? (scope && !scope.includes(q.target) ? [] : [q.target]) : scope;
      const page = await silences.list(
        { ...(targets ? { targets } : {}), ...(q.active ? { activeAt: Date.now() } : {}) },
        q.limit,
        q.offset,
      );
      return pageAnswer(page, q);
    },
  );

  app.post<{ Body: SilenceBody }>(
    '/api/v1/silences',
    {
      schema: {
        tags: ['alerts'],
        summary:
          'Silence a transformer (its site: the transformer, its devices and their customers) or a device for a while: ' +
          'alerts raised then are stored but hidden, with no work order and no notification',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['target', 'endsAt', 'reason'],
          properties: {
            kind: { enum: [...SILENCE_KINDS], default: 'silence' },
            target: { type: 'string', pattern: ID_PATTERN, description: 'a transformer or device id' },
            startsAt: { type: 'integer', description: 'ms since 1970; now when absent' },
            endsAt: { type: 'integer', description: 'ms since 1970; after the start, at most 30 days later' },
            reason: { type: 'string', minLength: 1, maxLength: 500 },
          },
        },
        response: { 201: silenceSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      allow(request, 'admin', 'inspector');
      const body = request.body;
      const kind = targetKind(request, body.target);
      const now = Date.now();
      const startsAt = body.startsAt ?? now;
      if (body.endsAt <= Math.max(startsAt, now))
        throw new HttpProblem(
          400,
          'bad_request',
          `endsAt (${iso(body.endsAt)}) must be after the start (${iso(startsAt)}) and after now (${iso(now)})`,
        );
      if (body.endsAt - startsAt > LONGEST_MS)
        throw new HttpProblem(
          400,
          'bad_request',
          `a silence lasts at most 30 days; ${iso(startsAt)} to ${iso(body.endsAt)} is ${Math.ceil((body.endsAt - startsAt) / 86_400_000)} days`,
        );
      const silence = await silences.create({
        kind: body.kind ?? 'silence',
        target: body.target,
        targetKind: kind,
        startsAt,
        endsAt: body.endsAt,
        reason: body.reason.trim(),
        createdBy: request.user.name,
        createdAt: now,
      });
      await auditLog.record(request.user.name, 'create', 'silences', silence.id, body);
      reply.code(201);
      return silence;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/silences/:id/end',
    {
      schema: {
        tags: ['alerts'],
        summary: 'End a silence now: alerts it hid show again, new alerts are not silenced',
        params: idParam,
        response: { 200: silenceSchema, ...errorResponses },
      },
    },
    async (request) => {
      allow(request, 'admin', 'inspector');
      const existing = await silences.get(request.params.id);
      if (!existing) throw new HttpProblem(404, 'not_found', notFound('silence', request.params.id));
      allowSubject(request, areas.areaOf(existing.target), `silence "${existing.id}" (on "${existing.target}")`);
      const now = Date.now();
      if (existing.endedAt !== null || existing.endsAt <= now)
        throw new HttpProblem(
          409,
          'conflict',
          `silence "${existing.id}" has already ended (${iso(existing.endedAt ?? existing.endsAt)})`,
        );
      const ended = await silences.end(existing.id, request.user.name, now);
      await auditLog.record(request.user.name, 'end', 'silences', existing.id, null);
      return ended;
    },
  );
};
