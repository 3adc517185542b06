/**
 * Forecasting in the running cloud: its store, the refresh on node-cron (hourly by
 * default), a refresh at start-up when the last one is older than an hour (the cloud was
 * down: forecasts and overload_forecast catch up at once); its routes are
 * http/routes/forecasts.ts.
 */
import type { Logger } from '@gridsafe/shared';
import type { RelationalDb } from '../storage/relational/db.js';
import type { SeriesStore } from '../storage/series/types.js';
import type { SqlAlertStore } from '../storage/relational/alert-store.js';
import { parseDetectorSettings } from '../detector-kit/settings.js';
import { overload as overloadDetector } from '../detectors/overload/index.js';
import { startCronJob, type CronJob } from '../scheduling/cron-job.js';
import { ForecastStore } from './forecast-store.js';
import { ForecastRefresher, type ForecastRegistry } from './refresher.js';
import { HOUR_MS } from './models.js';
import type { ForecastSettings } from './settings.js';

export interface ForecastHandle {
  refresher: ForecastRefresher;
  store: ForecastStore;
  job: CronJob;
  /** The start-up catch-up (resolved at once when none was due). */
  caughtUp: Promise<void>;
}

export function startForecasting(
  deps: {
    rdb: RelationalDb;
    series: SeriesStore;
    registry: ForecastRegistry;
    alerts: SqlAlertStore;
    log: Logger;
    /** The overload detector's settings (`detectors.overload`): thermal constants, loading mode, ambient. */
    overloadSettings: Record<string, unknown> | undefined;
    /** Whether this instance runs the hourly refresh (cluster mode: the jobs' leader). */
    runsHere?: () => boolean;
  },
  /** The config file's `forecast` section, checked (config/load.ts). */
  settings: ForecastSettings,
  now: () => number = Date.now,
): ForecastHandle {
  const store = new ForecastStore(deps.rdb);
  const log = deps.log.child({ component: 'forecast' });
  const refresher = new ForecastRefresher({
    ...deps,
    store,
    settings,
    overload: parseDetectorSettings(overloadDetector, deps.overloadSettings),
    log,
  });
  const job = startCronJob('forecast', settings.cron, () => refresher.pass(now()), log, deps.runsHere);
  const caughtUp = (async () => {
    const last = await store.lastMadeAt();
    if (last !== null && now() - last < HOUR_MS) return;
    log.info({ lastRefresh: last }, 'forecasts are older than an hour: refreshing now');
    await job.runNow();
  })().catch((error: unknown) => log.error({ err: error }, 'start-up forecast refresh failed'));
  return { refresher, store, job, caughtUp };
}
