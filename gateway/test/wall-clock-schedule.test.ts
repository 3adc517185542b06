/**
 * The wall-clock schedule of the midnight energy job: a daily time in the machine zone is
 * timed with Date (no Intl, see wall-clock-schedule.ts), anything else by node-cron.
 */
import t from 'tap';
import { dailyTime, nextDailyRun, scheduleJob } from '../src/jobs/wall-clock-schedule.js';

t.test('a daily time in the machine zone is read from "M H * * *"; anything else is left to node-cron', async (t) => {
  t.same(dailyTime('0 0 * * *'), { hour: 0, minute: 0 });
  t.same(dailyTime(' 30  2 * * * '), { hour: 2, minute: 30 });
  t.equal(dailyTime('*/5 * * * *'), undefined);
  t.equal(dailyTime('0 0 * * 1'), undefined);
  t.equal(dailyTime('0 0 1 * *'), undefined);
  t.equal(dailyTime('60 0 * * *'), undefined, 'minute out of range');
  t.equal(dailyTime('0 24 * * *'), undefined, 'hour out of range');
  t.equal(dailyTime('0 0 * * * *'), undefined, 'six fields (seconds) are not a daily time');
});

t.test('the next run is the first local hour:minute strictly after now', async (t) => {
  const at = (y: number, mo: number, d: number, h: number, mi: number, s = 0) => new Date(y, mo - 1, d, h, mi, s);
  t.same(nextDailyRun(at(2026, 3, 10, 13, 5), 0, 0), at(2026, 3, 11, 0, 0), 'midnight after an afternoon');
  t.same(nextDailyRun(at(2026, 3, 10, 0, 0), 0, 0), at(2026, 3, 11, 0, 0), 'exactly at the time: the next day');
  t.same(nextDailyRun(at(2026, 3, 10, 1, 59, 59), 2, 0), at(2026, 3, 10, 2, 0), 'later the same day');
  t.same(nextDailyRun(at(2026, 12, 31, 23, 30), 0, 0), at(2027, 1, 1, 0, 0), 'across the year end');
});

t.test('any other expression runs through node-cron', async (t) => {
  let runs = 0;
  const job = scheduleJob('* * * * * *', undefined, async () => void (runs += 1), 'test-every-second');
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await job.stop();
  const seen = runs;
  t.ok(seen >= 1, `ran ${seen} time(s) in 2.5 s on a once-a-second schedule`);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.equal(runs, seen, 'no run after stop');
});

t.test('a daily job waits for its time and stops cleanly', async (t) => {
  let runs = 0;
  const now = new Date();
  // The minute that has just passed: due again only tomorrow.
  const past = new Date(now.getTime() - 60_000);
  const job = scheduleJob(
    `${past.getMinutes()} ${past.getHours()} * * *`,
    undefined,
    async () => void (runs += 1),
    'x',
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  await job.stop();
  t.equal(runs, 0, 'nothing ran before its time');
});
