/**
 * Time compression: a scenario's readings for a stretch of simulated time, written as
 * contract-shaped readings without any server or waiting (for labelled data sets).
 */
import type { Reading } from '@gridsafe/shared';
import { FleetModel, type TruthRecord } from '../model/fleet.js';
import { hashString, uniformAt } from '../model/random.js';

export interface GenerateOptions {
  fleet: FleetModel;
  /** How much simulated time from the fleet's t0, ms. */
  durationMs: number;
  /** One reading per device every step, ms. */
  stepMs: number;
  /** Receives the readings of each step. */
  write: (readings: Reading[]) => void;
}

export interface GenerateSummary {
  readings: number;
  /** Reads lost to comm faults (no reading is produced, as a gateway would get none). */
  lost: number;
  truth: TruthRecord[];
}

export function generateReadings({ fleet, durationMs, stepMs, write }: GenerateOptions): GenerateSummary {
  const ids = fleet.scenario.devices.map((d) => d.id);
  const streams = new Map(ids.map((id) => [id, hashString(`${id}/generate-faults`)]));
  let readings = 0;
  let lost = 0;
  const end = fleet.t0 + durationMs;
  for (let ts = fleet.t0, step = 0; ts < end; ts += stepMs, step++) {
    const batch: Reading[] = [];
    for (const id of ids) {
      const served = fleet.servedAt(id, ts);
      const fault = served.commFault ? fleet.timelines.get(id)!.commFaultAt(ts) : null;
      if (
        fault &&
        (fault.probability >= 1 || uniformAt(fleet.scenario.seed, streams.get(id)!, step) < fault.probability) &&
        fault.fault !== 'slow_reply'
      ) {
        lost++;
        continue;
      }
      batch.push({ device: id, ts, values: served.values, quality: 'good' });
    }
    readings += batch.length;
    write(batch);
  }
  return { readings, lost, truth: fleet.truth().filter((e) => e.start < end) };
}
