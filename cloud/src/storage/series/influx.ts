/** InfluxDB series backend (placeholder until the implementation lands in this file). */
import type { Logger } from '@gridsafe/shared';
import type { InfluxConfig } from '../../config/types.js';
import type { SeriesStore } from './types.js';

export async function createInfluxSeriesStore(config: InfluxConfig, _log: Logger): Promise<SeriesStore> {
  throw new Error(`InfluxDB series storage (${config.url}) is not available in this build yet; unset GRIDSAFE_INFLUX_URL to use the embedded SQLite store`);
}
