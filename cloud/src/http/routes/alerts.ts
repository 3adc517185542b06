/** Alerts: filtered, paginated listing (inspectors see their areas only), and acknowledge/resolve with a note. */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  ALERT_STATES,
  ALERT_TYPES,
  SEVERITIES,
  type AlertState,
  type AlertType,
  type Severity,
} from '@gridsafe/shared';
import { ALERT_SORTS, type AlertSort } from '../../alerts/types.js';
import { domainProblem } from '../domain-problem.js';
import { allow, allowSubject } from '../auth.js';
import { alertSchema, errorResponses, idParam, noteBody, pageOf, pageAnswer, pagedQuery, json } from '../schemas.js';
import { HttpProblem } from '../problem.js';
import { parseTime } from './series.js';
import { needs } from '../services.js';

const TIME = {
  type: 'string',
  pattern: '^([0-9]{1,16}|[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?)$',
} as const;

export const alertRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'alerts', 'areas', 'auditLog', 'registry');
  const { alerts, areas, auditLog, registry } = app;
  /** A transformer's subjects (itself, its devices, their customers), or a customer's (itself, its devices). */
  const subjectsOf = (kind: 'transformer' | 'customer', id: string): string[] => {
    const devices = kind === 'transformer' ? registry.devicesOnTransformer(id) : registry.devicesOfCustomer(id);
    return [...new Set([id, ...devices.map((d) => d.id), ...devices.flatMap((d) => (d.customer ? [d.customer] : []))])];
  };
  app.get<{
    Querystring: {
      type?: AlertType;
      state?: AlertState | 'active';
      severity?: Severity;
      subject?: string;
      area?: string;
      transformer?: string;
      customer?: string;
      q?: string;
      sort?: AlertSort;
      silenced?: 'exclude' | 'include' | 'only';
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
        summary:
          'Alerts, newest first unless `sort` says otherwise (`triage`: active first, critical first, most recently seen); ' +
          '`state=active` is open and acknowledged; `q` searches subject and alert ids; `area` keeps one area; ' +
          "`transformer` / `customer`: its alerts and those of its devices (a transformer's customers too); " +
          '`from`/`to` select alerts active in that window; alerts a silence hides now are left out unless ' +
          '`silenced=include` (or `only`)',
        querystring: pagedQuery({
          type: { enum: [...ALERT_TYPES] },
          state: { enum: [...ALERT_STATES, 'active'] },
          severity: { enum: [...SEVERITIES] },
          subject: json.id,
          area: json.id,
          transformer: json.id,
          customer: json.id,
          q: { type: 'string', minLength: 1, maxLength: 64 },
          sort: { enum: [...ALERT_SORTS] },
          silenced: { enum: ['exclude', 'include', 'only'], default: 'exclude' },
          from: TIME,
          to: TIME,
        }),
        response: { 200: pageOf(alertSchema), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const filter: Parameters<typeof alerts.list>[0] = {};
      if (q.type) filter.type = q.type;
      if (q.state) filter.state = q.state === 'active' ? ['open', 'acknowledged'] : q.state;
      if (q.severity) filter.severity = q.severity;
      if (q.subject) filter.subject = q.subject;
      if (q.q) filter.search = q.q;
      if (q.silenced && q.silenced !== 'include') filter.silenced = { mode: q.silenced, at: Date.now() };
      const from = parseTime(q.from, 'from');
      const to = parseTime(q.to, 'to');
      if (from !== undefined) filter.from = from;
      if (to !== undefined) filter.to = to;
      // An inspector sees their own areas; `area` narrows further, never widens.
      const scope = request.user.role === 'inspector' ? request.user.areas : undefined;
      const wanted = q.area ? (scope && !scope.includes(q.area) ? [] : [q.area]) : scope;
      if (wanted) filter.subjects = areas.subjectsInAreas(wanted);
      // `transformer` / `customer`: its own alerts and those of its devices (and a transformer's customers).
      for (const kind of ['transformer', 'customer'] as const) {
        const id = q[kind];
        if (!id) continue;
        const own = subjectsOf(kind, id);
        filter.subjects = filter.subjects ? filter.subjects.filter((s) => own.includes(s)) : own;
      }
      return pageAnswer(await alerts.list(filter, q.limit, q.offset, q.sort ?? 'newest'), q);
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
      if (!alert)
        throw new HttpProblem(404, 'not_found', { code: 'problem.alert_not_found', params: { id: request.params.id } });
      allowSubject(request, areas.areaOf(alert.subject), `alert "${alert.id}" (subject "${alert.subject}")`);
      return alert;
    },
  );

  /** Acknowledges or resolves one alert the user may reach (area checked), and audits it. */
  const moveAlert = async (
    request: FastifyRequest,
    id: string,
    to: 'acknowledged' | 'resolved',
    note: string | undefined,
  ) => {
    const existing = await alerts.get(id);
    if (!existing) throw new HttpProblem(404, 'not_found', { code: 'problem.alert_not_found', params: { id } });
    allowSubject(request, areas.areaOf(existing.subject), `alert "${id}" (subject "${existing.subject}")`);
    const alert = await alerts.transition(id, to, request.user.name, note);
    await auditLog.record(request.user.name, to, 'alerts', id, note ? { note } : null);
    return alert;
  };

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
        return moveAlert(request, request.params.id, to, request.body?.note);
      },
    );
  lifecycle('ack', 'acknowledged');
  lifecycle('resolve', 'resolved');

  // Bulk acknowledge from the triage list: each alert is checked and acknowledged on its own,
  // so one refused or already-acknowledged alert does not stop the others; the answer says which.
  app.post<{ Body: { ids: string[]; note?: string } }>(
    '/api/v1/alerts/ack',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge several alerts at once, with one note; a result per alert',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['ids'],
          properties: {
            ids: {
              type: 'array',
              minItems: 1,
              maxItems: 200,
              uniqueItems: true,
              items: json.id,
            },
            note: { type: 'string', maxLength: 2000 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              results: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { id: json.string, status: json.integer, detail: json.string },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      allow(request, 'admin', 'inspector');
      const results: Array<{ id: string; status: number; detail?: string }> = [];
      for (const id of request.body.ids) {
        try {
          await moveAlert(request, id, 'acknowledged', request.body.note);
          results.push({ id, status: 200 });
        } catch (error) {
          const problem = domainProblem(error);
          if (!problem) throw error;
          results.push({ id, status: problem.status, detail: problem.message });
        }
      }
      return { results };
    },
  );
};
