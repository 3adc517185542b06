/**
 * Carries out what a detector asks, through the alert and case stores: raise (continuing
 * an episode waiting out its quiet period), clear (pausing the alert for the type's quiet
 * period, or resolving it at once when that is 0), and open or update a capacity case.
 */
import type { AlertType, Logger } from '@gridsafe/shared';
import type { DetectorOutput } from '../detector-kit/detector.js';
import type { AlertStore, CaseStore } from '../detector-kit/types.js';
import type { QuietEpisodes } from './quiet-episodes.js';

export class OutputApplier {
  constructor(
    private readonly alerts: AlertStore,
    private readonly cases: CaseStore,
    private readonly quiet: QuietEpisodes,
    /** Quiet period of each alert type, seconds. */
    private readonly quietSeconds: Partial<Record<AlertType, number>>,
  ) {}

  /** `gateway`: whose event time ends a quiet period started here. */
  async apply(outputs: DetectorOutput[], gateway: string, log: Logger): Promise<void> {
    for (const out of outputs) {
      switch (out.kind) {
        case 'raise': {
          this.quiet.resume(out.signal.type, out.signal.subject);
          const { opened, alert } = await this.alerts.raise(out.signal);
          if (opened)
            log.info(
              { alert: alert.id, type: alert.type, subject: alert.subject, severity: alert.severity },
              'alert opened',
            );
          break;
        }
        case 'clear': {
          const quietMs = (this.quietSeconds[out.type] ?? 0) * 1000;
          if (quietMs === 0) {
            const alert = await this.alerts.clear(out.type, out.subject, out.ts, out.evidence);
            if (alert) log.info({ alert: alert.id, type: alert.type, subject: alert.subject }, 'alert resolved');
            break;
          }
          const alert = await this.alerts.pause(out.type, out.subject, out.ts, out.evidence);
          if (alert) {
            this.quiet.start({
              type: out.type,
              subject: out.subject,
              gateway,
              clearedAt: out.ts,
              due: out.ts + quietMs,
            });
            log.debug({ alert: alert.id, type: alert.type, subject: alert.subject }, 'alert paused');
          }
          break;
        }
        case 'case': {
          const id = await this.cases.openOrUpdate(out.evidence);
          log.info(
            { case: id, customer: out.evidence.customer, excessKva: out.evidence.excessKva },
            'capacity case opened or updated',
          );
          break;
        }
      }
    }
  }
}
