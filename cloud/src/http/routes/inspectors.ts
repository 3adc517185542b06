/**
 * Inspector profiles that work-order routing chooses from: list, and set skills, lead
 * flag and duty state (admin). Registered inside the workflow's scope.
 */
import type { FastifyPluginAsync } from 'fastify';
import { allow } from '../auth.js';
import { errorResponses, idParam, json } from '../schemas.js';
import { needs } from '../services.js';

const skill = { type: 'string', pattern: '^[a-z0-9_-]{1,40}$' } as const;

export const inspectorRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'inspectors');
  const { inspectors } = app;
  const tags = ['work orders'];

  const inspectorSchema = {
    type: 'object',
    properties: {
      id: json.string,
      name: json.string,
      areas: json.strings,
      skills: json.strings,
      lead: json.boolean,
      active: json.boolean,
    },
  } as const;
  app.get(
    '/api/v1/inspectors',
    {
      schema: {
        tags,
        summary: 'Inspectors routing chooses from (API users with the inspector role, with their profiles)',
        response: { 200: { type: 'array', items: inspectorSchema }, ...errorResponses },
      },
    },
    async () => inspectors.list(),
  );
  app.put<{ Params: { id: string }; Body: { name?: string; skills: string[]; lead?: boolean; active?: boolean } }>(
    '/api/v1/inspectors/:id',
    {
      schema: {
        tags,
        summary: "Set an inspector's skills, lead flag and duty state (admin)",
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['skills'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            skills: { type: 'array', maxItems: 20, items: skill },
            lead: json.boolean,
            active: json.boolean,
          },
        },
        response: { 200: inspectorSchema, ...errorResponses },
      },
    },
    async (request) => {
      allow(request, 'admin');
      const body = request.body;
      const profile: Parameters<typeof inspectors.put>[1] = {
        skills: body.skills,
        lead: body.lead ?? false,
        active: body.active ?? true,
      };
      if (body.name) profile.name = body.name;
      await inspectors.put(request.params.id, profile);
      const found = (await inspectors.list()).find((i) => i.id === request.params.id);
      if (!found) {
        return {
          id: request.params.id,
          name: body.name ?? request.params.id,
          areas: [],
          skills: body.skills,
          lead: profile.lead,
          active: profile.active,
        };
      }
      return found;
    },
  );
};
