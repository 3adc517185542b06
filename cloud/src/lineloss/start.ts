/**
 * Line loss in the running cloud: its store, the daily pass on node-cron (and one pass
 * at start-up, which catches up the days missed while the cloud was down); its routes are
 * http/routes/line-loss.ts.
 */
import type { Logger } from '@gridsafe/shared';
import type { RelationalDb } from '../storage/relational/db.js';
import type { SeriesStore } from '../storage/series/types.js';
import type { AlertStore } from '../detector-kit/types.js';
import { startCronJob, type CronJob } from '../scheduling/cron-job.js';
import { LineLossAnalyzer, type AreaRegistry } from './analyzer.js';
import { LineLossStore } from './day-store.js';
import type { LineLossSettings } from './settings.js';

export interface LineLossHandle {
  analyzer: LineLossAnalyzer;
  store: LineLossStore;
  job: CronJob;
  settings: LineLossSettings;
}

export function startLineLoss(
  deps: {
    rdb: RelationalDb;
    series: SeriesStore;
    registry: AreaRegistry;
    alerts: AlertStore;
    log: Logger;
    /** Whether this instance runs the daily pass (cluster mode: the jobs' leader). */
    runsHere?: () => boolean;
  },
  /** The config file's `lineLoss` section, checked (config/load.ts). */
  settings: LineLossSettings,
): LineLossHandle {
  const store = new LineLossStore(deps.rdb);
  const log = deps.log.child({ component: 'lineloss' });
  const analyzer = new LineLossAnalyzer({ ...deps, store, settings, log });
  const job = startCronJob('line-loss', settings.cron, () => analyzer.pass(), log, deps.runsHere);
  void job.runNow();
  return { analyzer, store, job, settings };
}
