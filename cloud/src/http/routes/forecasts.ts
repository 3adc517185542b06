/** Forecast API (a Fastify plugin): the latest forecast of a transformer's load or a customer's demand, with its interval. */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { allowSubject } from '../auth.js';
import { errorResponses, idParam } from '../schemas.js';
import { HttpProblem, notFound } from '../problem.js';
import { needs } from '../services.js';
import type { ForecastKind } from '../../forecast/forecast-store.js';

export const forecastRoutes: FastifyPluginAsync = async (app) => {
  needs(app, 'forecasts', 'registry', 'areas');
  const read = async (kind: ForecastKind, request: FastifyRequest<{ Params: { id: string } }>) => {
    const id = request.params.id;
    const known = kind === 'transformer' ? app.registry.transformer(id) : app.registry.customer(id);
    if (!known) throw new HttpProblem(404, 'not_found', notFound(kind, id));
    allowSubject(request, app.areas.areaOf(id), `${kind} "${id}"`);
    const forecast = await app.forecasts.get(kind, id);
    if (!forecast)
      throw new HttpProblem(
        404,
        'no_forecast',
        `no forecast for ${kind} "${id}" yet: it needs about four weeks of stored readings, and forecasts are refreshed hourly`,
      );
    return forecast;
  };
  for (const kind of ['transformer', 'customer'] as const) {
    app.get<{ Params: { id: string } }>(
      `/api/v1/forecasts/${kind}s/:id`,
      {
        schema: {
          tags: ['forecasts'],
          summary:
            kind === 'transformer'
              ? "A transformer's load forecast (kVA, hourly means) with its prediction interval"
              : "A customer's demand forecast (kW, hourly means) with its prediction interval",
          params: idParam,
          response: { ...errorResponses },
        },
      },
      (request) => read(kind, request),
    );
  }
};
