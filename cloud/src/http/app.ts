/**
 * The HTTP service: Fastify with JSON Schema on every route (unknown fields and wrong
 * types refused, never coerced or dropped, in bodies), problem+json errors, rate
 * limits, OpenAPI at /openapi.json and a docs page at /docs, and secrets redacted
 * from request logs.
 */
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import { Ajv } from 'ajv';
import { validationText } from './validation-text.js';
import type { AlertTypeMeta, Logger } from '@gridsafe/shared';
import type { ApiUserStore } from '../security/api-users.js';
import { domainProblem } from './domain-problem.js';
import { RequestLogController } from './request-log.js';
import { decorateServices, type CoreServices } from './services.js';
import { englishDetail, HttpProblem, problemOf, problemSchema, sendProblem } from './problem.js';
import type { Message } from '@gridsafe/shared';
import { registerAuth } from './auth.js';
import type { LoginThrottle } from '../security/login-throttle.js';
import { requestForLog } from '../security/log-redaction.js';
import { healthRoutes } from './routes/health.js';
import { registryRoutes } from './routes/registry.js';
import { seriesRoutes } from './routes/series.js';
import { alertRoutes } from './routes/alerts.js';
import { caseRoutes } from './routes/cases.js';
import { importRoutes } from './routes/import.js';
import { meterEventRoutes } from './routes/meter-events.js';
import { silenceRoutes } from './routes/silences.js';
import { loadingRoutes } from './routes/loading.js';
import { detectorRoutes } from './routes/detectors.js';
import { messageRoutes } from './routes/messages.js';
import { userRoutes } from './routes/users.js';
import { lineLossRoutes } from './routes/line-loss.js';
import { forecastRoutes } from './routes/forecasts.js';
import { gatewayCommandRoutes } from './routes/gateway-commands.js';
import { isStoreUnavailable } from '../storage/unavailable.js';

const STORE_UNAVAILABLE: Message = { code: 'problem.store_unavailable' };

export interface HttpOptions {
  bodyLimitBytes: number;
  rateLimitPerMinute: number;
  apiAuth: boolean;
  /** Failed logins per address, shared with the MQTT broker. */
  loginThrottle: LoginThrottle;
  /** Alert-type metadata served at /api/v1/detectors (from the detectors' folders, given by the composition root). */
  alertTypes?: readonly AlertTypeMeta[];
  /** Further plugins (the workflow: console, work orders, notifications), registered after the core routes. */
  plugins?: Array<(app: FastifyInstance) => Promise<void>>;
}

// Bodies: exact types, no coercion, unknown fields are errors (additionalProperties:false
// in the schemas). Query strings and path params arrive as text, so they are coerced.
const bodyAjv = new Ajv({
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: true,
  allErrors: true,
  strict: false,
});
const queryAjv = new Ajv({
  coerceTypes: 'array',
  removeAdditional: false,
  useDefaults: true,
  allErrors: true,
  strict: false,
});

export async function buildHttpApp(
  services: CoreServices,
  users: ApiUserStore,
  options: HttpOptions,
  log: Logger,
): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the app's type the plain FastifyInstance.
    loggerInstance: log.child({ component: 'http' }, { serializers: { req: requestForLog } }) as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    ajv: { customOptions: { removeAdditional: false } },
    logController: new RequestLogController(),
  });

  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema));
  app.addSchema(problemSchema);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const instance = request.url.split('?')[0];
    if (error instanceof HttpProblem)
      return sendProblem(reply, problemOf(error.status, error.code, error.message, instance, error.errors, error.text));
    const known = domainProblem(error);
    if (known)
      return sendProblem(reply, problemOf(known.status, known.code, known.message, instance, undefined, known.text));
    if (error.validation) {
      const errors = error.validation.map((v) => {
        const where = `${error.validationContext ?? 'request'}${v.instancePath || ''}`;
        return { where, ...validationText(v, where, 'field') };
      });
      return sendProblem(
        reply,
        problemOf(
          400,
          'validation',
          `the ${error.validationContext ?? 'request'} is not valid: ${errors.map((e) => `${e.where} ${e.message}`).join('; ')}`,
          instance,
          errors,
          errors[0]?.text,
        ),
      );
    }
    if (isStoreUnavailable(error)) {
      request.log.warn({ err: error }, 'a store is unavailable; answered 503');
      return sendProblem(
        reply.header('retry-after', '5'),
        problemOf(503, 'store_unavailable', englishDetail(STORE_UNAVAILABLE), instance, undefined, STORE_UNAVAILABLE),
      );
    }
    const status =
      typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600
        ? error.statusCode
        : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return sendProblem(
        reply,
        problemOf(status, 'internal', 'the server could not complete the request; the error is in its log', instance),
      );
    }
    const code =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'body_too_large'
        : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'unsupported_media_type'
          : status === 429
            ? 'rate_limited'
            : 'bad_request';
    return sendProblem(reply, problemOf(status, code, error.message, instance));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problemOf(
        404,
        'no_route',
        `no route ${request.method} ${request.url.split('?')[0]} (see /docs)`,
        request.url.split('?')[0],
      ),
    ),
  );

  await app.register(rateLimit, {
    max: options.rateLimitPerMinute,
    timeWindow: 60_000,
    // Per token when there is one, else per address; probes are never limited.
    keyGenerator: (request) => request.headers.authorization ?? request.ip,
    allowList: (request) => /^\/(healthz|readyz|metrics)$/.test(request.url.split('?')[0] ?? ''),
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new HttpProblem(
          429,
          'rate_limited',
          `more than ${context.max} requests a minute; try again in ${context.after}`,
        ),
        { statusCode: 429 },
      ),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'gridsafe cloud API',
        version: '1',
        description: 'Registry, series, alerts and cases (shared/CONTRACT.md). Errors are application/problem+json.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: options.apiAuth ? [{ bearer: [] }] : [],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerAuth(app, users, options.apiAuth, options.loginThrottle, services.metrics);
  // The services every route plugin may reach (http/services.ts); each plugin is its own encapsulated scope.
  decorateServices(app, services);
  const plainRoutes = [
    healthRoutes,
    registryRoutes,
    seriesRoutes,
    alertRoutes,
    caseRoutes,
    importRoutes,
    meterEventRoutes,
    silenceRoutes,
    loadingRoutes,
    messageRoutes,
    lineLossRoutes,
    forecastRoutes,
    gatewayCommandRoutes,
  ];
  for (const routes of plainRoutes) await app.register(routes);
  await app.register(detectorRoutes, { alertTypes: options.alertTypes ?? [] });
  await app.register(userRoutes, { users });
  for (const plugin of options.plugins ?? []) await plugin(app);
  return app;
}
