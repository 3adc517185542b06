/**
 * Registry CRUD (CONTRACT.md "HTTP API, minimum"): transformers, customers, devices,
 * and gateways with their MQTT credentials. Everyone signed in reads; only admins write.
 */
import type { FastifyInstance } from 'fastify';
import type { Customer, Device, Transformer } from '@gridsafe/shared';
import type { CloudContext } from '../context.js';
import { allow } from '../auth.js';
import {
  customerSchema,
  deviceSchema,
  errorResponses,
  gatewayBodySchema,
  gatewayInfoSchema,
  idParam,
  pageOf,
  pageQuery,
  transformerSchema,
} from '../schemas.js';
import type { Page } from '../../storage/relational/registry-store.js';
import { HttpProblem } from '../problem.js';

type PageQuery = { limit: number; offset: number };

interface Resource<T extends { id: string }> {
  path: string;
  tag: string;
  schema: object;
  list(ctx: CloudContext, limit: number, offset: number, query: Record<string, string | undefined>): Promise<Page<T>>;
  get(ctx: CloudContext, id: string): Promise<T>;
  put(ctx: CloudContext, value: T, mode: 'create' | 'replace'): Promise<T>;
  remove(ctx: CloudContext, id: string): Promise<void>;
  extraQuery?: Record<string, object>;
}

const resources = [
  {
    path: 'transformers',
    tag: 'registry',
    schema: transformerSchema,
    list: (ctx, limit, offset) => ctx.registry.listTransformers(limit, offset),
    get: (ctx, id) => ctx.registry.getTransformer(id),
    put: (ctx, value, mode) => ctx.registry.putTransformer(value, mode),
    remove: (ctx, id) => ctx.registry.deleteTransformer(id),
  } satisfies Resource<Transformer>,
  {
    path: 'customers',
    tag: 'registry',
    schema: customerSchema,
    list: (ctx, limit, offset) => ctx.registry.listCustomers(limit, offset),
    get: (ctx, id) => ctx.registry.getCustomer(id),
    put: (ctx, value, mode) => ctx.registry.putCustomer(value, mode),
    remove: (ctx, id) => ctx.registry.deleteCustomer(id),
  } satisfies Resource<Customer>,
  {
    path: 'devices',
    tag: 'registry',
    schema: deviceSchema,
    extraQuery: {
      gateway: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
      transformer: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
      customer: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
    },
    list: (ctx, limit, offset, query) => {
      const filter: { gateway?: string; transformer?: string; customer?: string } = {};
      if (query['gateway']) filter.gateway = query['gateway'];
      if (query['transformer']) filter.transformer = query['transformer'];
      if (query['customer']) filter.customer = query['customer'];
      return ctx.registry.listDevices(limit, offset, filter);
    },
    get: (ctx, id) => ctx.registry.getDevice(id),
    put: (ctx, value, mode) => ctx.registry.putDevice(value, mode),
    remove: (ctx, id) => ctx.registry.deleteDevice(id),
  } satisfies Resource<Device>,
] as Array<Resource<{ id: string }>>;

export async function registryRoutes(app: FastifyInstance, ctx: CloudContext): Promise<void> {
  for (const resource of resources) {
    const base = `/api/v1/${resource.path}`;
    const tags = [resource.tag];
    app.get<{ Querystring: PageQuery & Record<string, string | undefined> }>(
      base,
      {
        schema: {
          tags,
          summary: `List ${resource.path}`,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...pageQuery, ...(resource.extraQuery ?? {}) },
          },
          response: { 200: pageOf(resource.schema), ...errorResponses },
        },
      },
      async (request) => resource.list(ctx, request.query.limit, request.query.offset, request.query),
    );
    app.post<{ Body: { id: string } }>(
      base,
      {
        schema: {
          tags,
          summary: `Register a ${resource.path.slice(0, -1)}`,
          body: resource.schema,
          response: { 201: resource.schema, ...errorResponses },
        },
      },
      async (request, reply) => {
        allow(request, 'admin');
        const created = await resource.put(ctx, request.body, 'create');
        await audit(ctx, request.user.name, 'create', resource.path, created.id, request.body);
        return reply
          .code(201)
          .header('location', `${base}/${encodeURIComponent(created.id)}`)
          .send(created);
      },
    );
    app.get<{ Params: { id: string } }>(
      `${base}/:id`,
      {
        schema: {
          tags,
          summary: `One ${resource.path.slice(0, -1)}`,
          params: idParam,
          response: { 200: resource.schema, ...errorResponses },
        },
      },
      async (request) => resource.get(ctx, request.params.id),
    );
    app.put<{ Params: { id: string }; Body: { id: string } }>(
      `${base}/:id`,
      {
        schema: {
          tags,
          summary: `Replace a ${resource.path.slice(0, -1)}`,
          params: idParam,
          body: resource.schema,
          response: { 200: resource.schema, ...errorResponses },
        },
      },
      async (request) => {
        allow(request, 'admin');
        if (request.body.id !== request.params.id) {
          throw new HttpProblem(
            400,
            'id_mismatch',
            `the body's id "${request.body.id}" differs from the path's "${request.params.id}"; ids cannot be changed`,
          );
        }
        const replaced = await resource.put(ctx, request.body, 'replace');
        await audit(ctx, request.user.name, 'replace', resource.path, replaced.id, request.body);
        return replaced;
      },
    );
    app.delete<{ Params: { id: string } }>(
      `${base}/:id`,
      {
        schema: {
          tags,
          summary: `Delete a ${resource.path.slice(0, -1)}`,
          params: idParam,
          response: { 204: { type: 'null' }, ...errorResponses },
        },
      },
      async (request, reply) => {
        allow(request, 'admin');
        await resource.remove(ctx, request.params.id);
        await audit(ctx, request.user.name, 'delete', resource.path, request.params.id, null);
        return reply.code(204).send();
      },
    );
  }

  // Gateways: credentials are write-only (stored hashed); reads show status and whether a secret is set.
  const gatewayTags = ['registry'];
  app.get<{ Querystring: PageQuery }>(
    '/api/v1/gateways',
    {
      schema: {
        tags: gatewayTags,
        summary: 'List gateways with their last status',
        querystring: { type: 'object', additionalProperties: false, properties: pageQuery },
        response: { 200: pageOf(gatewayInfoSchema), ...errorResponses },
      },
    },
    async (request) => ctx.registry.listGateways(request.query.limit, request.query.offset),
  );
  app.post<{ Body: { id: string; secret?: string } }>(
    '/api/v1/gateways',
    {
      schema: {
        tags: gatewayTags,
        summary: 'Register a gateway (and set its MQTT secret)',
        body: gatewayBodySchema,
        response: { 201: gatewayInfoSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      allow(request, 'admin');
      const info = await ctx.registry.putGateway(request.body.id, request.body.secret);
      await audit(ctx, request.user.name, 'put', 'gateways', info.id, { secretSet: request.body.secret !== undefined });
      return reply.code(201).send(info);
    },
  );
  app.get<{ Params: { id: string } }>(
    '/api/v1/gateways/:id',
    {
      schema: {
        tags: gatewayTags,
        summary: 'One gateway',
        params: idParam,
        response: { 200: gatewayInfoSchema, ...errorResponses },
      },
    },
    async (request) => ctx.registry.getGateway(request.params.id),
  );
  app.put<{ Params: { id: string }; Body: { id: string; secret?: string } }>(
    '/api/v1/gateways/:id',
    {
      schema: {
        tags: gatewayTags,
        summary: "Replace a gateway's secret",
        params: idParam,
        body: gatewayBodySchema,
        response: { 200: gatewayInfoSchema, ...errorResponses },
      },
    },
    async (request) => {
      allow(request, 'admin');
      if (request.body.id !== request.params.id)
        throw new HttpProblem(
          400,
          'id_mismatch',
          `the body's id "${request.body.id}" differs from the path's "${request.params.id}"`,
        );
      await ctx.registry.getGateway(request.params.id);
      const info = await ctx.registry.putGateway(request.params.id, request.body.secret);
      await audit(ctx, request.user.name, 'put', 'gateways', info.id, { secretSet: request.body.secret !== undefined });
      return info;
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/api/v1/gateways/:id',
    {
      schema: {
        tags: gatewayTags,
        summary: 'Delete a gateway (it can no longer log in)',
        params: idParam,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      allow(request, 'admin');
      await ctx.registry.deleteGateway(request.params.id);
      await audit(ctx, request.user.name, 'delete', 'gateways', request.params.id, null);
      return reply.code(204).send();
    },
  );
}

/** Appends to the audit trail (who changed what, when). */
export async function audit(
  ctx: CloudContext,
  actor: string,
  action: string,
  kind: string,
  id: string,
  detail: unknown,
): Promise<void> {
  await ctx.rdb.db
    .insertInto('audit_log')
    .values({
      at: Date.now(),
      actor,
      action,
      target_kind: kind,
      target_id: id,
      detail: detail === null ? null : JSON.stringify(detail),
    })
    .execute();
}
