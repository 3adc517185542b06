/**
 * GET /api/v1/messages: the catalogue of server texts for people (messages/catalog.ts)
 * in 中文 and English, so the console shows routing reasons, refusals and notes in the
 * reader's language. Needs no token: the sign-in page shows refusals too, and the
 * catalogue says nothing about any subject.
 */
import type { FastifyPluginAsync } from 'fastify';
import { MESSAGES, VALUE_LABELS } from '../../messages/catalog.js';

export const messageRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/api/v1/messages',
    {
      schema: {
        tags: ['console'],
        summary: 'Server texts for people, each code as [中文, English] templates with {value} names',
        security: [],
      },
    },
    async () => ({ messages: MESSAGES, values: VALUE_LABELS }),
  );
};
