/**
 * Runs a job on a cron schedule. A daily time in the machine's own zone ("M H * * *", as
 * the default "0 0 * * *") is timed with Date alone; any other expression, or a named
 * time zone, goes through node-cron. node-cron reads the wall clock with
 * Intl.DateTimeFormat, whose first use maps about 7 MB of ICU data into the process and
 * keeps it: a tenth of what the gateway may take on a small box (BENCHMARKS.md,
 * bench:footprint), spent on a job that runs once a day.
 */
import type { ScheduledTask } from 'node-cron';

export interface ScheduledJob {
  stop(): Promise<void>;
}

/** The wall clock is looked at again at least this often, so a clock set after boot (NTP) is followed. */
const RECHECK_MS = 60_000;
const DAILY = /^(\d{1,2}) (\d{1,2}) \* \* \*$/;

/** Hour and minute of a "M H * * *" expression, or undefined for anything else. */
export function dailyTime(cron: string): { hour: number; minute: number } | undefined {
  const match = DAILY.exec(cron.trim().replace(/\s+/g, ' '));
  if (!match) return undefined;
  const minute = Number(match[1]);
  const hour = Number(match[2]);
  return minute <= 59 && hour <= 23 ? { hour, minute } : undefined;
}

/** The first local time hour:minute strictly after `now`. */
export function nextDailyRun(now: Date, hour: number, minute: number): Date {
  const next = new Date(now);
  next.setHours(hour, minute, 0, 0);
  if (next.getTime() <= now.getTime()) {
    next.setDate(next.getDate() + 1);
    next.setHours(hour, minute, 0, 0);
  }
  return next;
}

/** Runs `job` (which must not throw) at each time `cron` names; a run still going when the next is due is skipped. */
export function scheduleJob(
  cron: string,
  timezone: string | undefined,
  job: () => Promise<void>,
  name: string,
): ScheduledJob {
  const daily = timezone === undefined ? dailyTime(cron) : undefined;
  if (!daily) {
    const task: Promise<ScheduledTask> = import('node-cron').then(({ schedule }) =>
      schedule(cron, job, { name, noOverlap: true, ...(timezone ? { timezone } : {}) }),
    );
    return { stop: async () => void (await (await task).destroy()) };
  }
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let due = nextDailyRun(new Date(), daily.hour, daily.minute);
  const arm = () => {
    timer = setTimeout(tick, Math.min(RECHECK_MS, Math.max(0, due.getTime() - Date.now())));
  };
  const tick = () => {
    const now = new Date();
    const late = now.getTime() - due.getTime();
    // Far past the time (more than two checks) or more than a day ahead of it, the clock was
    // set (NTP after boot) rather than reached it: aim again from now, as node-cron would not fire.
    if (late >= 0 && late <= 2 * RECHECK_MS && !running) {
      running = true;
      void job().finally(() => (running = false));
    }
    if (late >= 0 || -late > 24 * 3600_000) due = nextDailyRun(now, daily.hour, daily.minute);
    arm();
  };
  arm();
  return {
    stop: async () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
