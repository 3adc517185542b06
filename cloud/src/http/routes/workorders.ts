/**
 * Work-order API: list and read (inspectors see their areas), move on, notes, reassign,
 * photo upload and download. Registered inside the
 * workflow's scope, whose error handler turns WorkflowError into problem+json.
 */
import { WORK_ORDER_STATES, type WorkOrderState } from '@gridsafe/shared';
import { createReadStream } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { HttpProblem } from '../problem.js';
import { errorResponses, idParam, pageOf, pageAnswer, pagedQuery, json, textBody } from '../schemas.js';
import { needs } from '../services.js';

const workOrderSchema = {
  type: 'object',
  properties: {
    id: json.string,
    alertId: json.string,
    alertType: json.string,
    severity: json.string,
    subject: json.string,
    area: json.stringOrNull,
    site: json.stringOrNull,
    skill: json.string,
    assignee: json.stringOrNull,
    routing: json.string,
    routingMessage: {
      type: ['object', 'null'],
      properties: { code: json.string, params: json.object },
    },
    state: json.string,
    createdAt: json.integer,
    acknowledgedAt: json.integerOrNull,
    onSiteAt: json.integerOrNull,
    resolvedAt: json.integerOrNull,
    timeToAckMs: json.integerOrNull,
    timeToResolveMs: json.integerOrNull,
    ackDeadlineAt: json.integer,
    escalatedAt: json.integerOrNull,
    escalatedTo: json.stringOrNull,
    resolution: json.stringOrNull,
    updatedAt: json.integer,
  },
} as const;

const eventSchema = json.object;
const attachmentSchema = {
  type: 'object',
  properties: {
    id: json.string,
    workOrderId: json.string,
    at: json.integer,
    author: json.string,
    fileName: json.string,
    mime: json.string,
    size: json.integer,
    sha256: json.string,
  },
} as const;

const moreErrors = { 413: { $ref: 'Problem#' }, 415: { $ref: 'Problem#' }, 422: { $ref: 'Problem#' } } as const;

export const workOrderRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'workOrders', 'workflowSettings');
  const service = app.workOrders;
  const maxPhotoBytes = app.workflowSettings.workorders.attachments.maxBytes;
  const tags = ['work orders'];

  app.get<{
    Querystring: {
      state?: WorkOrderState;
      assignee?: string;
      alert?: string;
      alerts?: string;
      area?: string;
      limit: number;
      offset: number;
    };
  }>(
    '/api/v1/workorders',
    {
      schema: {
        tags,
        summary: 'Work orders, newest first (inspectors: their areas only)',
        querystring: pagedQuery({
          state: { enum: [...WORK_ORDER_STATES] },
          assignee: json.id,
          alert: json.id,
          // Up to 100 alert ids, comma-separated: the orders of one page of the alert list in one call.
          alerts: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}(,[A-Za-z0-9_.:-]{1,64}){0,99}$' },
          area: { type: 'string', minLength: 1, maxLength: 64 },
        }),
        response: { 200: pageOf(workOrderSchema), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const filter: Parameters<typeof service.list>[1] = {};
      if (q.state) filter.state = q.state;
      if (q.assignee) filter.assignee = q.assignee;
      if (q.alert) filter.alertId = q.alert;
      if (q.alerts) filter.alertIds = q.alerts.split(',');
      if (q.area) filter.area = q.area;
      return pageAnswer(await service.list(request.user, filter, q.limit, q.offset), q);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/workorders/:id',
    {
      schema: {
        tags,
        summary: 'One work order with its log and photos',
        params: idParam,
        response: {
          200: {
            type: 'object',
            properties: {
              workOrder: workOrderSchema,
              events: { type: 'array', items: eventSchema },
              attachments: { type: 'array', items: attachmentSchema },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => service.get(request.user, request.params.id),
  );

  app.post<{ Params: { id: string }; Body: { to: WorkOrderState; note?: string } }>(
    '/api/v1/workorders/:id/transition',
    {
      schema: {
        tags,
        summary: 'Move a work order on: acknowledged, on_site, resolved (a note is needed to resolve)',
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['to'],
          properties: {
            to: { enum: ['acknowledged', 'on_site', 'resolved'] },
            note: { type: 'string', maxLength: 4000 },
          },
        },
        response: { 200: workOrderSchema, ...errorResponses, ...moreErrors },
      },
    },
    async (request) => service.transition(request.user, request.params.id, request.body.to, request.body.note),
  );

  app.post<{ Params: { id: string }; Body: { text: string } }>(
    '/api/v1/workorders/:id/notes',
    {
      schema: {
        tags,
        summary: 'Add a note to a work order',
        params: idParam,
        body: textBody,
        response: { 201: eventSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.addNote(request.user, request.params.id, request.body.text)),
  );

  app.post<{ Params: { id: string }; Body: { to: string; note?: string } }>(
    '/api/v1/workorders/:id/reassign',
    {
      schema: {
        tags,
        summary: 'Give a work order to another inspector of its area (admin or area lead)',
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['to'],
          properties: { to: json.id, note: { type: 'string', maxLength: 4000 } },
        },
        response: { 200: workOrderSchema, ...errorResponses },
      },
    },
    async (request) => service.reassign(request.user, request.params.id, request.body.to, request.body.note),
  );

  // Photos arrive as the raw request body (image/* or application/octet-stream); what they
  // are is decided from their bytes, so the content type only has to get them here.
  const parser = { parseAs: 'buffer' as const, bodyLimit: maxPhotoBytes };
  app.addContentTypeParser(/^image\/[a-z0-9.+-]+$/i, parser, (_request, body, done) => done(null, body));
  app.addContentTypeParser('application/octet-stream', parser, (_request, body, done) => done(null, body));
  app.post<{ Params: { id: string }; Querystring: { name?: string } }>(
    '/api/v1/workorders/:id/attachments',
    {
      bodyLimit: maxPhotoBytes,
      schema: {
        tags,
        summary: `Upload a photo (JPEG, PNG, WebP or HEIC; at most ${maxPhotoBytes} bytes) as the raw body`,
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { name: { type: 'string', maxLength: 200 } },
        },
        response: { 201: attachmentSchema, ...errorResponses, ...moreErrors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body)) {
        throw new HttpProblem(
          415,
          'unsupported_type',
          `send the photo as the raw body with Content-Type image/jpeg, image/png, image/webp, image/heic or application/octet-stream (got ${request.headers['content-type'] ?? 'none'})`,
        );
      }
      return reply
        .code(201)
        .send(await service.addAttachment(request.user, request.params.id, body, request.query.name));
    },
  );

  app.get<{ Params: { id: string; attachment: string } }>(
    '/api/v1/workorders/:id/attachments/:attachment',
    {
      schema: {
        tags,
        summary: 'Download a photo',
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'attachment'],
          properties: {
            id: json.id,
            attachment: json.id,
          },
        },
      },
    },
    async (request, reply) => {
      const file = await service.attachmentFile(request.user, request.params.id, request.params.attachment);
      return reply
        .type(file.mime)
        .header('content-disposition', `inline; filename="${encodeURIComponent(file.fileName)}"`)
        .header('x-content-type-options', 'nosniff')
        .send(createReadStream(file.path));
    },
  );
};
