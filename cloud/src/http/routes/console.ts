/**
 * The web console, served by the cloud: the page at /console/, its scripts and styles
 * (built and shipped with the project: nothing comes from the internet), and
 * GET /api/v1/me, which tells the console who is signed in and how to show times.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { DemoUser, DemoUsers, Me } from '@gridsafe/shared';
import { HttpProblem } from '../problem.js';
import { errorResponses, json } from '../schemas.js';
import { needs } from '../services.js';
import { loadAssets } from '../../console/assets.js';

// The console's own scripts and styles only; API calls to this origin.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/**
 * `apiAuth`: whether the API asks for tokens (the console then shows its sign-in page);
 * `demoUsers`: demo mode's users, whose tokens the sign-in page lists (public by design).
 */
export const consoleRoutes: FastifyPluginAsync<{ apiAuth: boolean; demoUsers: readonly DemoUser[] }> = async (
  app,
  options,
) => {
  needs(app, 'workflowSettings');
  const settings = app.workflowSettings;
  const { assets, missing } = loadAssets();
  if (missing.length)
    app.log.warn({ missing }, 'console files are missing: run `npx tsc -b cloud` to build the console');

  app.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['console'],
        summary: 'Who is signed in, and the time zones times are shown in',
        response: { 200: json.object, ...errorResponses },
      },
    },
    async (request): Promise<Me> => ({
      user: request.user,
      apiAuth: options.apiAuth,
      timeZone: settings.timeZone,
      siteTimeZones: settings.siteTimeZones,
    }),
  );

  app.get(
    '/api/v1/demo',
    {
      schema: {
        tags: ['console'],
        summary: 'Demo mode: the demo users of each role and their (public) tokens; none outside demo mode',
        security: [],
        response: { 200: json.object },
      },
    },
    async (): Promise<DemoUsers> => ({
      demo: options.demoUsers.length > 0,
      users: options.demoUsers.map(({ name, role, areas, token }) => ({ name, role, areas, token })),
    }),
  );

  const page = (name: string) => {
    const asset = assets.get(name);
    if (!asset)
      throw new HttpProblem(
        503,
        'console_not_built',
        `the console file ${name} is not built; run \`npx tsc -b cloud\``,
      );
    return asset;
  };
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  // ignoreTrailingSlash: this also answers /console.
  app.get('/console/', { schema: { hide: true } }, async (_request, reply) => {
    const asset = page('index.html');
    return reply
      .type(asset.type)
      .header('content-security-policy', CSP)
      .header('cache-control', 'no-cache')
      .send(asset.body);
  });
  app.get<{ Params: { '*': string } }>('/console/assets/*', { schema: { hide: true } }, async (request, reply) => {
    const name = request.params['*'];
    // A lookup in the fixed list: a request path never reaches the file system.
    const asset = name === 'index.html' ? undefined : assets.get(name);
    if (!asset) throw new HttpProblem(404, 'not_found', `the console has no file "${name}"`);
    return reply
      .type(asset.type)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(asset.body);
  });
};
