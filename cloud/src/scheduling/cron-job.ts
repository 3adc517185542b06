/**
 * A named periodic job on node-cron for the analytics (line loss, forecasts). noOverlap:
 * a slow pass is never run twice at once; a failed pass is logged and the next one
 * retries, since every pass works from what is stored, not from what the last pass did.
 * `runNow` gives the catch-up pass at start-up (the job missed its times while down).
 * `runsHere`: whether this instance runs the job now (cluster mode: the jobs' leader);
 * a pass elsewhere is skipped.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '@gridsafe/shared';

export interface CronJob {
  /** One pass now, outside the schedule (waits for it). */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export function startCronJob(
  name: string,
  schedule: string,
  pass: () => Promise<unknown>,
  log: Logger,
  runsHere: () => boolean = () => true,
): CronJob {
  if (!cron.validate(schedule)) throw new Error(`${name}: schedule "${schedule}" is not a valid cron expression`);
  let running: Promise<void> | null = null;
  const once = (trigger: string): Promise<void> => {
    if (!runsHere()) {
      log.debug({ job: name, trigger }, 'pass skipped: another instance runs this job');
      return Promise.resolve();
    }
    running ??= (async () => {
      try {
        await pass();
      } catch (error) {
        log.error({ err: error, job: name, trigger }, 'scheduled pass failed; the next pass retries');
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const task: ScheduledTask = cron.schedule(schedule, () => once('schedule'), {
    name,
    noOverlap: true,
    timezone: 'UTC',
  });
  return {
    runNow: () => once('now'),
    async stop() {
      await task.stop();
      await task.destroy();
      await running;
    },
  };
}
