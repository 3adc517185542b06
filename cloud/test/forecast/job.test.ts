/**
 * The refresh job: node-cron runs it on its schedule (and never two passes at once), a
 * failed pass is logged and the next one runs; after a restart the forecasts catch up at
 * once when the last refresh is over an hour old, and not otherwise.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@gridsafe/shared';
import { startCronJob } from '../../src/scheduling/cron-job.js';
import { startForecasting } from '../../src/forecast/start.js';
import { startTestCloud } from '../support/cloud.js';
import { H, SEED, storeLoad } from './history.js';

const log = createLogger('forecast-job-test', { level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('runs on its schedule, one pass at a time, and goes on after a failed pass', async (t) => {
  let passes = 0;
  let running = 0;
  let overlapped = false;
  const job = startCronJob(
    'test-every-second',
    '* * * * * *',
    async () => {
      passes++;
      running++;
      if (running > 1) overlapped = true;
      await sleep(1500); // longer than the period: the next tick must not start a second pass
      running--;
      if (passes === 1) throw new Error('first pass fails');
    },
    log,
  );
  await sleep(4200);
  await job.stop();
  const seen = passes;
  t.ok(seen >= 2, `${seen} passes in 4 s, the second after the first one failed`);
  t.equal(overlapped, false, 'never two passes at once');
  await sleep(1500);
  t.equal(passes, seen, 'none after stop');
  t.throws(
    () => startCronJob('forecast', 'every hour', async () => undefined, log),
    /forecast: schedule "every hour" is not a valid cron expression/,
  );
});

t.test('after a restart: caught up at once when the last refresh is over an hour old, not before', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-forecast-restart-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const end = Math.floor(Date.now() / H) * H;
  {
    const cloud = await startTestCloud(t, { seed: SEED, dir });
    await storeLoad(cloud.ctx.series, end - 35 * 24 * H, end);
    await cloud.forecast.job.runNow();
    t.ok(await cloud.forecast.store.get('transformer', 'tx-1'), 'a forecast stored');
    await cloud.close();
  }
  const cloud = await startTestCloud(t, { seed: SEED, dir });
  await cloud.forecast.caughtUp;
  const before = (await cloud.forecast.store.get('transformer', 'tx-1'))!.madeAt;
  t.ok(Date.now() - before < H, 'restarted within the hour: the stored forecast is kept');

  // The same store an hour and a half later (as after a long stop): the start-up refresh runs.
  const later = Date.now() + 1.5 * H;
  const again = startForecasting(
    {
      rdb: cloud.ctx.rdb,
      series: cloud.ctx.series,
      registry: cloud.ctx.registry,
      alerts: cloud.ctx.alerts,
      log,
      overloadSettings: undefined,
    },
    cloud.config.forecast,
    () => later,
  );
  await again.caughtUp;
  await again.job.stop();
  t.equal((await cloud.forecast.store.get('transformer', 'tx-1'))!.madeAt, later, 'refreshed at start-up');
});
