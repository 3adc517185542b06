/**
 * The forecast and line-loss jobs run on one instance at a time in cluster mode
 * (cluster/job-leader.ts): two CLI instances on one PostgreSQL and InfluxDB, exactly one
 * of them the jobs' leader; SIGKILL it and the other takes over. And a job's pass is
 * skipped on an instance that does not run it (scheduling/cron-job.ts).
 */
import t from 'tap';
import { createLogger } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { startInstance, startSharedStores, type Instance } from './support/cluster.js';
import { startCronJob } from '../src/scheduling/cron-job.js';

const leaderFlag = async (instance: Instance) =>
  (await instance.metric('gridsafe_cluster_jobs_leader')).get('') ?? Number.NaN;

t.test('one instance runs the jobs; another takes over when it is SIGKILLed', async (t) => {
  const { env } = await startSharedStores(t, 'jobs', 2);
  // The first applies the migrations; the second joins it.
  const first = await startInstance(t, 'cloud-1', env('cloud-1'));
  const second = await startInstance(t, 'cloud-2', env('cloud-2'));
  const instances = [first, second];

  const flags = await waitFor(
    'one leader of the jobs',
    async () => {
      const now = await Promise.all(instances.map(leaderFlag));
      return now[0]! + now[1]! === 1 ? now : undefined;
    },
    30_000,
    250,
  );
  const leader = flags[0] === 1 ? first : second;
  const follower = leader === first ? second : first;
  // A few takeover rounds later, still one leader, the same.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  t.same(await Promise.all([leaderFlag(leader), leaderFlag(follower)]), [1, 0], `${leader.name} alone runs the jobs`);

  await leader.proc.kill();
  await waitFor(`${follower.name} to take the jobs over`, async () => (await leaderFlag(follower)) === 1, 30_000, 250);
  t.pass(`${follower.name} runs the jobs after ${leader.name} was SIGKILLed`);
});

t.test('a pass is skipped where the job does not run', async (t) => {
  let passes = 0;
  let here = false;
  const log = createLogger('cron-test', { level: 'silent' });
  const job = startCronJob(
    'test',
    '0 0 1 1 *',
    async () => passes++,
    log,
    () => here,
  );
  t.teardown(() => job.stop());
  await job.runNow();
  t.equal(passes, 0, 'not run while another instance runs the job');
  here = true;
  await job.runNow();
  t.equal(passes, 1, 'run once this instance runs it');
});
