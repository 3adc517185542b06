/** Reads the simulator's served-values log and checks readings against it, register precision allowed for. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenarioText, startSimulator, type SimulatorHandle } from '@gridsafe/firmware-sim';
import { createLogger, loadBuiltinProfiles, type Reading } from '@gridsafe/shared';
import { ratioFor } from '../../src/poll/decode.js';

export interface Served {
  ts: number;
  device: string;
  values: Record<string, number>;
}

/** Starts the simulator on a scenario text, writing its served-values log to `dir`/served.jsonl. */
export function startServedSimulator(text: string, name: string, dir: string): Promise<SimulatorHandle> {
  return startSimulator(parseScenarioText(text, name), {
    servedLogPath: join(dir, 'served.jsonl'),
    logger: createLogger('sim', { level: 'warn' }),
  });
}

export function readServed(path: string): Map<string, Served[]> {
  const byDevice = new Map<string, Served[]>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const record = JSON.parse(line) as Served;
    const list = byDevice.get(record.device) ?? [];
    list.push(record);
    byDevice.set(record.device, list);
  }
  return byDevice;
}

const profiles = loadBuiltinProfiles();

/**
 * How far a decoded value may sit from the served one: float32 keeps ~7 digits; an integer
 * register rounds to its scale step (times the ratio applied after it).
 */
export function tolerance(
  profileId: string,
  quantity: string,
  ratios: { ctRatio: number; ptRatio: number },
  value: number,
): number {
  const item = profiles.get(profileId)?.dlt645?.items.find((i) => i.quantity === quantity);
  // A DL/T 645 value is rounded to its format's last decimal.
  if (item) return (10 ** -item.format.decimals * ratioFor(item, ratios)) / 2 + 1e-9;
  const register = profiles.get(profileId)?.registers.find((r) => r.quantity === quantity);
  if (!register) throw new Error(`no register for ${quantity} in ${profileId}`);
  if (register.type === 'float32') return Math.abs(value) * 1e-6 + 1e-9;
  return (register.scale * ratioFor(register, ratios)) / 2 + 1e-9;
}

/**
 * Checks each value against the served states around the reading: the one current when
 * the poll's first request went out, or the next (a poll of several requests may span a
 * simulator tick, so each value may come from either). Returns the mismatches.
 */
export function compareReading(
  reading: Reading,
  served: Served[],
  profileId: string,
  ratios: { ctRatio: number; ptRatio: number },
): string[] {
  const at = served.findLastIndex((s) => s.ts <= reading.ts);
  const candidates = [served[at], served[at + 1]].filter((s): s is Served => s !== undefined);
  if (candidates.length === 0) return [`no served state of ${reading.device} at ${reading.ts}`];
  const problems: string[] = [];
  for (const [quantity, value] of Object.entries(reading.values)) {
    const matches = candidates.some(
      (c) =>
        c.values[quantity] !== undefined &&
        Math.abs(value - c.values[quantity]!) <= tolerance(profileId, quantity, ratios, c.values[quantity]!),
    );
    if (!matches)
      problems.push(
        `${reading.device} ${quantity}: read ${value} at ${reading.ts}, served ${candidates.map((c) => `${c.values[quantity]} at ${c.ts}`).join(' / ')}`,
      );
  }
  return problems;
}
