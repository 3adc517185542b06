/**
 * One instance at a time runs the analytics jobs (forecast, line loss) in cluster mode:
 * the leader is the holder of one advisory lock, leased like the detection partitions
 * (leases.ts) on a session of its own, so it frees when the holder dies and another
 * instance takes it at its next round (every `takeoverSeconds`). A new leader runs the
 * jobs' catch-up passes at once; the others skip their scheduled passes.
 */
import type { Logger } from '@gridsafe/shared';
import type { CloudMetrics } from '../metrics/metrics.js';
import { PartitionLeases, type LeaseKind } from './leases.js';

/** Lock space "jobs" in ASCII; its own application_name, so these sessions do not count as detection instances. */
const JOB_LEASES: LeaseKind = { applicationPrefix: 'gridsafe-jobs:', lockSpace: 0x6a6f6273 };
const LEADER_KEY = 0;

export class JobLeader {
  private readonly leases: PartitionLeases;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> = Promise.resolve();

  constructor(
    url: string,
    instanceId: string,
    private readonly takeoverSeconds: number,
    metrics: CloudMetrics,
    private readonly log: Logger,
    /** Runs when this instance becomes the leader: the jobs' catch-up passes. */
    private readonly onLeader: () => void,
  ) {
    this.leases = new PartitionLeases(url, instanceId, log, () => undefined, JOB_LEASES);
    metrics.gauge('gridsafe_cluster_jobs_leader', '1 while this instance runs the forecast and line-loss jobs', () =>
      this.isLeader() ? 1 : 0,
    );
  }

  isLeader(): boolean {
    return this.leases.holds(LEADER_KEY);
  }

  /** Tries at once, then every takeoverSeconds. */
  async start(): Promise<void> {
    await this.tryLead();
    this.timer = setInterval(() => {
      this.round = this.round.then(() => this.tryLead());
    }, this.takeoverSeconds * 1000);
  }

  private async tryLead(): Promise<void> {
    try {
      if (this.isLeader() || !(await this.leases.connect())) return;
      if (!(await this.leases.tryAcquire(LEADER_KEY))) return;
      this.log.info('this instance now runs the forecast and line-loss jobs');
      this.onLeader();
    } catch (error) {
      this.log.warn({ err: error }, 'could not try the jobs lease; trying again next round');
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.round;
    await this.leases.close();
  }
}
