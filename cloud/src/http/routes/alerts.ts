/** Alerts: filtered, paginated listing (inspectors see their areas only), and acknowledge/resolve with a note. */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ALERT_STATES, ALERT_TYPES, type AlertState, type AlertType } from '@gridsafe/shared';
import { allow, allowSubject } from '../auth.js';
import { alertSchema, errorResponses, idParam, noteBody, pageOf, pageQuery, ID_PATTERN } from '../schemas.js';
import { HttpProblem } from '../problem.js';
import { parseTime } from './series.js';
import { needs } from '../services.js';

const TIME = {
  type: 'string',
  pattern: '^([0-9]{1,16}|[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?)$',
} as const;

export const alertRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'alerts', 'areas', 'auditLog');
  const { alerts, areas, auditLog } = app;
  app.get<{
    Querystring: {
      type?: AlertType;
      state?: AlertState;
      subject?: string;
      from?: string;
      to?: string;
      limit: number;
      offset: number;
    };
  }>(
    '/api/v1/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, newest first; `from`/`to` select alerts active in that window',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            type: { enum: [...ALERT_TYPES] },
            state: { enum: [...ALERT_STATES] },
            subject: { type: 'string', pattern: ID_PATTERN },
            from: TIME,
            to: TIME,
            ...pageQuery,
          },
        },
        response: { 200: pageOf(alertSchema), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const filter: Parameters<typeof alerts.list>[0] = {};
      if (q.type) filter.type = q.type;
      if (q.state) filter.state = q.state;
      if (q.subject) filter.subject = q.subject;
      const from = parseTime(q.from, 'from');
      const to = parseTime(q.to, 'to');
      if (from !== undefined) filter.from = from;
      if (to !== undefined) filter.to = to;
      if (request.user.role === 'inspector') filter.subjects = areas.subjectsInAreas(request.user.areas);
      const page = await alerts.list(filter, q.limit, q.offset);
      return { ...page, limit: q.limit, offset: q.offset };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/alerts/:id',
    {
      schema: {
        tags: ['alerts'],
        summary: 'One alert',
        params: idParam,
        response: { 200: alertSchema, ...errorResponses },
      },
    },
    async (request) => {
      const alert = await alerts.get(request.params.id);
      if (!alert) throw new HttpProblem(404, 'not_found', `alert "${request.params.id}" does not exist`);
      allowSubject(request, areas.areaOf(alert.subject), `alert "${alert.id}" (subject "${alert.subject}")`);
      return alert;
    },
  );

  const lifecycle = (action: 'ack' | 'resolve', to: 'acknowledged' | 'resolved') =>
    app.post<{ Params: { id: string }; Body: { note?: string } | undefined }>(
      `/api/v1/alerts/:id/${action}`,
      {
        schema: {
          tags: ['alerts'],
          summary: action === 'ack' ? 'Acknowledge an alert, with a note' : 'Resolve an alert, with a note',
          params: idParam,
          body: noteBody,
          response: { 200: alertSchema, ...errorResponses },
        },
      },
      async (request: FastifyRequest<{ Params: { id: string }; Body: { note?: string } | undefined }>) => {
        allow(request, 'admin', 'inspector');
        const existing = await alerts.get(request.params.id);
        if (!existing) throw new HttpProblem(404, 'not_found', `alert "${request.params.id}" does not exist`);
        allowSubject(request, areas.areaOf(existing.subject), `alert "${existing.id}" (subject "${existing.subject}")`);
        const alert = await alerts.transition(request.params.id, to, request.user.name, request.body?.note);
        await auditLog.record(
          request.user.name,
          to,
          'alerts',
          alert.id,
          request.body?.note ? { note: request.body.note } : null,
        );
        return alert;
      },
    );
  lifecycle('ack', 'acknowledged');
  lifecycle('resolve', 'resolved');
};
