/**
 * Recorded meter events (issue 11): a technician's meter replacement or register reset,
 * with the register before and after. suspected_tamper takes a register step at a
 * recorded time as explained; an unrecorded one is the tamper signal.
 * Admins and inspectors (in their areas) record; everyone who may see the device reads.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { allow, allowSubject } from '../auth.js';
import { errorResponses, idParam, json } from '../schemas.js';
import { HttpProblem } from '../problem.js';
import { needs } from '../services.js';
import type { MeterEvent } from '../../detector-kit/types.js';

/** Meter events are dated between 2000 and a day ahead of the server's clock (clock skew of a handheld). */
const EARLIEST = Date.UTC(2000, 0, 1);
const AHEAD_MS = 86_400_000;

const meterEventSchema = {
  type: 'object',
  properties: {
    device: json.string,
    kind: json.string,
    at: json.integer,
    oldReadingKwh: json.number,
    newReadingKwh: json.number,
    by: json.string,
    note: json.string,
    recordedBy: json.string,
    recordedAt: json.integer,
  },
} as const;

interface MeterEventBody {
  kind: MeterEvent['kind'];
  at: number;
  oldReadingKwh: number;
  newReadingKwh: number;
  by: string;
  note?: string;
}

async function visibleDevice(app: FastifyInstance, request: FastifyRequest, id: string): Promise<void> {
  await app.registry.getDevice(id); // not_found for an unregistered device
  allowSubject(request, app.areas.areaOf(id), `device "${id}"`);
}

export const meterEventRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'registry', 'areas', 'auditLog');
  const { registry, auditLog } = app;
  app.get<{ Params: { id: string } }>(
    '/api/v1/devices/:id/meter-events',
    {
      schema: {
        tags: ['registry'],
        summary: "A meter's recorded replacements and register resets, oldest first",
        params: idParam,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: meterEventSchema } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      await visibleDevice(app, request, request.params.id);
      return { items: registry.meterEvents(request.params.id) };
    },
  );

  app.post<{ Params: { id: string }; Body: MeterEventBody }>(
    '/api/v1/devices/:id/meter-events',
    {
      schema: {
        tags: ['registry'],
        summary: 'Record a meter replacement or register reset (old and new import register, time, who)',
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'at', 'oldReadingKwh', 'newReadingKwh', 'by'],
          properties: {
            kind: { enum: ['replacement', 'register_reset'] },
            at: { type: 'integer', description: 'when it was done, ms since 1970 (UTC)' },
            oldReadingKwh: { type: 'number', minimum: 0, description: 'import register before, kWh' },
            newReadingKwh: { type: 'number', minimum: 0, description: 'import register after, kWh' },
            by: { type: 'string', minLength: 1, maxLength: 200, description: 'who did it' },
            note: { type: 'string', maxLength: 4000 },
          },
        },
        response: { 201: meterEventSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      allow(request, 'admin', 'inspector');
      const device = request.params.id;
      await visibleDevice(app, request, device);
      const body = request.body;
      const now = Date.now();
      if (body.at < EARLIEST || body.at > now + AHEAD_MS)
        throw new HttpProblem(
          400,
          'bad_request',
          `at (${body.at}) must be a time in ms since 1970 between 2000-01-01 and a day from now; got ${Number.isFinite(body.at) ? new Date(body.at).toISOString() : body.at}`,
        );
      if (registry.device(device)?.kind !== 'meter')
        throw new HttpProblem(
          400,
          'bad_request',
          `device "${device}" is not a meter: only meters have energy registers`,
        );
      const event: MeterEvent = {
        device,
        kind: body.kind,
        at: body.at,
        oldReadingKwh: body.oldReadingKwh,
        newReadingKwh: body.newReadingKwh,
        by: body.by,
        ...(body.note !== undefined ? { note: body.note } : {}),
        recordedBy: request.user.name,
        recordedAt: now,
      };
      await registry.recordMeterEvent(event);
      await auditLog.record(request.user.name, 'record', 'meter-events', device, body);
      reply.code(201);
      return event;
    },
  );
};
