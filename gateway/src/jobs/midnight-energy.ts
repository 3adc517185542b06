/**
 * The midnight energy reading: at a fixed wall-clock time (default 00:00, a cron expression) every
 * meter is read at once, so the day's energy counters are captured at the day boundary
 * rather than whenever the regular poll happens to fall. The reading goes out as normal
 * telemetry, and an `energy_snapshot` event names the figures.
 */
import type { Logger, Reading } from '@gridsafe/shared';
import { scheduleJob, type ScheduledJob } from './wall-clock-schedule.js';

export interface EnergySnapshotOptions {
  cron: string;
  timezone: string | undefined;
  /** Reads the given devices at once; resolves with what was read. */
  readNow: () => Promise<Reading[]>;
  emit: (device: string, detail: Record<string, unknown>) => void;
  log: Logger;
}

export function startEnergySnapshots(options: EnergySnapshotOptions): ScheduledJob {
  return scheduleJob(
    options.cron,
    options.timezone,
    async () => {
      try {
        const readings = await options.readNow();
        for (const reading of readings) {
          const { e_imp_kwh, e_exp_kwh } = reading.values;
          if (e_imp_kwh === undefined && e_exp_kwh === undefined) continue;
          const detail: Record<string, unknown> = { readAt: reading.ts, quality: reading.quality };
          if (e_imp_kwh !== undefined) detail['e_imp_kwh'] = e_imp_kwh;
          if (e_exp_kwh !== undefined) detail['e_exp_kwh'] = e_exp_kwh;
          options.emit(reading.device, detail);
        }
        options.log.info({ devices: readings.length }, 'energy snapshot taken');
      } catch (error) {
        options.log.error({ err: (error as Error).message }, 'energy snapshot failed');
      }
    },
    'midnight-energy',
  );
}
