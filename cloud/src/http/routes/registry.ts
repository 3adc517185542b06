/**
 * Registry CRUD (CONTRACT.md "HTTP API, minimum"): transformers, customers, devices,
 * and gateways with their MQTT credentials. Everyone signed in reads (inspectors only the
 * records of their areas, lists and single records alike); only admins write.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Customer, Device, Message, Transformer } from '@gridsafe/shared';
import { allow, allowSubject } from '../auth.js';
import type { RegistryKind } from '../../registry/areas.js';
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
import { HttpProblem } from '../problem.js';
import { needs } from '../services.js';

/** A PUT whose body names another id than its path. */
const idMismatch = (body: string, path: string): Message => ({ code: 'problem.id_mismatch', params: { body, path } });

type PageQuery = { limit: number; offset: number };
type RegistryRecord = Transformer | Customer | Device;
/** The entities the registry store serves alike (its `entity` names). */
type EntityKind = Exclude<RegistryKind, 'gateways'>;

/** The three entities served alike: their path (also the store's entity name), schema and list filters. */
const resources: Array<{ path: EntityKind; schema: object; extraQuery?: Record<string, object> }> = [
  { path: 'transformers', schema: transformerSchema },
  { path: 'customers', schema: customerSchema },
  {
    path: 'devices',
    schema: deviceSchema,
    extraQuery: {
      gateway: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
      transformer: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
      customer: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
    },
  },
];

export const registryRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'registry', 'auditLog', 'areas');
  const { registry, auditLog, areas } = app;
  /** The ids of this kind an inspector may read (their areas'); undefined for the unscoped roles. */
  const inspectorScope = (request: FastifyRequest, kind: RegistryKind): string[] | undefined =>
    request.user.role === 'inspector' ? [...areas.registryInAreas(request.user.areas)[kind]] : undefined;
  /** Refuses an inspector a record outside their areas (403, logged), registered or not. */
  const allowRecord = (request: FastifyRequest, kind: RegistryKind, id: string): void => {
    if (request.user.role !== 'inspector' || areas.registryInAreas(request.user.areas)[kind].has(id)) return;
    allowSubject(request, undefined, `${kind.slice(0, -1)} "${id}"`);
  };
  for (const resource of resources) {
    const base = `/api/v1/${resource.path}`;
    const tags = ['registry'];
    const entity = registry.entity(resource.path);
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
      async (request) =>
        entity.list(request.query.limit, request.query.offset, request.query, inspectorScope(request, resource.path)),
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
        // The body passed this resource's schema: it is a record of its kind.
        const created = await entity.put(request.body as RegistryRecord, 'create');
        await auditLog.record(request.user.name, 'create', resource.path, created.id, request.body);
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
      async (request) => {
        allowRecord(request, resource.path, request.params.id);
        return entity.get(request.params.id);
      },
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
          throw new HttpProblem(400, 'id_mismatch', idMismatch(request.body.id, request.params.id));
        }
        const replaced = await entity.put(request.body as RegistryRecord, 'replace');
        await auditLog.record(request.user.name, 'replace', resource.path, replaced.id, request.body);
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
        await entity.remove(request.params.id);
        await auditLog.record(request.user.name, 'delete', resource.path, request.params.id, null);
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
    async (request) =>
      registry.listGateways(request.query.limit, request.query.offset, inspectorScope(request, 'gateways')),
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
      const info = await registry.putGateway(request.body.id, request.body.secret);
      await auditLog.record(request.user.name, 'put', 'gateways', info.id, {
        secretSet: request.body.secret !== undefined,
      });
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
    async (request) => {
      allowRecord(request, 'gateways', request.params.id);
      return registry.getGateway(request.params.id);
    },
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
        throw new HttpProblem(400, 'id_mismatch', idMismatch(request.body.id, request.params.id));
      await registry.getGateway(request.params.id);
      const info = await registry.putGateway(request.params.id, request.body.secret);
      await auditLog.record(request.user.name, 'put', 'gateways', info.id, {
        secretSet: request.body.secret !== undefined,
      });
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
      await registry.deleteGateway(request.params.id);
      await auditLog.record(request.user.name, 'delete', 'gateways', request.params.id, null);
      return reply.code(204).send();
    },
  );
};
