/**
 * GET /api/v1/users: who may use the API (name, role, areas), for the console's
 * administration page. Admins only; tokens are never shown (only their hashes are kept).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ApiUserStore } from '../../security/api-users.js';
import { allow } from '../auth.js';
import { errorResponses, json } from '../schemas.js';

export const userRoutes: FastifyPluginAsync<{ users: ApiUserStore }> = async (app, { users }) => {
  app.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['administration'],
        summary: 'API users: name, role and areas (admin); never their tokens',
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              properties: {
                name: json.string,
                role: json.string,
                areas: json.strings,
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      allow(request, 'admin');
      return (await users.list()).map(({ name, role, areas }) => ({ name, role, areas }));
    },
  );
};
