/**
 * Commands to gateways (CONTRACT.md topic `gridsafe/v1/gw/{gw}/cmd/{name}`): ask one
 * (admins, and inspectors of the gateway's area; audited) and list a gateway's commands
 * with their state. Delivery is the command service's: whichever instance holds the
 * gateway's connection publishes it, now or when the gateway connects.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { allow, allowSubject } from '../auth.js';
import { errorResponses, idParam, pageOf, pagedQuery, json } from '../schemas.js';
import { HttpProblem, notFound } from '../problem.js';
import { needs } from '../services.js';
import { GATEWAY_COMMAND_NAMES, GATEWAY_COMMAND_STATES, type GatewayCommandName } from '../../commands/types.js';

const commandSchema = {
  type: 'object',
  properties: {
    id: json.string,
    gateway: json.string,
    name: json.string,
    args: json.objectOrNull,
    requestedBy: json.string,
    requestedAt: json.integer,
    state: { type: 'string', enum: [...GATEWAY_COMMAND_STATES] },
    sentAt: json.integerOrNull,
    finishedAt: json.integerOrNull,
    result: json.objectOrNull,
  },
} as const;

const isCommandName = (name: string): name is GatewayCommandName =>
  (GATEWAY_COMMAND_NAMES as readonly string[]).includes(name);

export const gatewayCommandRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'commands', 'registry', 'areas', 'auditLog');
  const { commands, registry, areas, auditLog } = app;

  /** Refuses an inspector a gateway outside their areas (registered or not, as the registry routes do); 404 for others. */
  const knownGateway = async (request: FastifyRequest, id: string): Promise<void> => {
    if (request.user.role === 'inspector' && !areas.registryInAreas(request.user.areas).gateways.has(id))
      allowSubject(request, undefined, `gateway "${id}"`);
    if (!(await registry.gatewayExists(id))) throw new HttpProblem(404, 'not_found', notFound('gateway', id));
  };

  app.get<{ Params: { id: string }; Querystring: { limit: number; offset: number } }>(
    '/api/v1/gateways/:id/commands',
    {
      schema: {
        tags: ['registry'],
        summary: "A gateway's commands, newest first, with their state (queued, sent, done, failed)",
        params: idParam,
        querystring: pagedQuery(),
        response: { 200: pageOf(commandSchema), ...errorResponses },
      },
    },
    async (request) => {
      await knownGateway(request, request.params.id);
      const { limit, offset } = request.query;
      return { ...(await commands.list(request.params.id, limit, offset)), limit, offset };
    },
  );

  app.post<{ Params: { id: string }; Body: { name: string; args?: Record<string, unknown> } }>(
    '/api/v1/gateways/:id/commands',
    {
      schema: {
        tags: ['registry'],
        summary:
          'Send a command to a gateway (published by the instance its MQTT connection is on, or when it next connects); ' +
          'done or failed when the gateway answers',
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 64, description: GATEWAY_COMMAND_NAMES.join(', ') },
            args: { type: 'object', additionalProperties: true, description: "the command's JSON payload" },
          },
        },
        response: { 202: commandSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      allow(request, 'admin', 'inspector');
      const { id } = request.params;
      await knownGateway(request, id);
      const { name, args } = request.body;
      if (!isCommandName(name))
        throw new HttpProblem(
          400,
          'bad_request',
          `unknown command "${name}" for gateway "${id}"; the gateway knows: ${GATEWAY_COMMAND_NAMES.join(', ')}`,
        );
      const command = await commands.request(id, name, args ?? null, request.user.name);
      await auditLog.record(request.user.name, 'command', 'gateways', id, { command: command.id, name, args });
      reply.code(202);
      return command;
    },
  );
};
