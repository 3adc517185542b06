/**
 * The escalation clock: a node-cron job that asks the work-order service to escalate
 * what is overdue. noOverlap: a slow pass is never run twice at once; the service's
 * conditional update makes each escalation happen once even across instances.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '@gridsafe/shared';

export interface EscalationJob {
  stop(): Promise<void>;
}

export function startEscalationJob(schedule: string, escalate: () => Promise<unknown>, log: Logger): EscalationJob {
  if (!cron.validate(schedule)) throw new Error(`escalation schedule "${schedule}" is not a valid cron expression`);
  const task: ScheduledTask = cron.schedule(
    schedule,
    async () => {
      try {
        await escalate();
      } catch (error) {
        log.error({ err: error }, 'escalation pass failed; next pass will retry');
      }
    },
    { name: 'workorder-escalation', noOverlap: true },
  );
  return {
    async stop() {
      await task.stop();
      await task.destroy();
    },
  };
}
