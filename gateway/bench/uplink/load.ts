/**
 * The benchmark's load: N DTSU666 meters of the firmware-sim model, read every 15 s for
 * an hour, each reading holding 20 quantities as a gateway reports them: the 18 the
 * profile serves (float32 registers, tidied to float32's 7 significant digits the way
 * gateway/src/poll/decode.ts does) plus apparent power and demand, which the model meters.
 */
import { DeviceRegisters, FleetModel, parseScenarioText } from '@gridsafe/firmware-sim';
import { loadBuiltinProfiles, type Reading, type ReadingValues, type TelemetryBatch } from '@gridsafe/shared';

export interface LoadOptions {
  devices: number;
  everyMs: number;
  durationMs: number;
  t0: number;
  gateway: string;
}

/** float32 carries ~7 significant digits; the gateway prints no more (decode.ts `tidy`). */
const tidy = (value: number) => (value === 0 ? 0 : Number(value.toPrecision(7)));

/** One telemetry batch per poll cycle, as a gateway that seals a batch per cycle sends them live. */
export function simulatedCycles(options: LoadOptions): TelemetryBatch[] {
  const scenario = parseScenarioText(
    `name: bench-uplink
seed: 2026
buses: [{ id: tcp-a, kind: tcp, port: 0 }]
devices:
  - id: "m-{n}"
    count: ${options.devices}
    pad: 3
    profile: dtsu666
    bus: tcp-a
    unit: 1
    ctRatio: 40
    load: { baseKva: 30, daily: residential, noise: 0.03, dailyVariation: 0.05 }
`,
    'bench-uplink.yaml',
  );
  const fleet = new FleetModel(scenario, options.t0);
  const profile = loadBuiltinProfiles().get('dtsu666');
  if (!profile) throw new Error('the dtsu666 profile is missing from shared/profiles');
  const devices = scenario.devices.map((spec) => ({
    id: spec.id,
    timeline: fleet.timelines.get(spec.id)!,
    registers: new DeviceRegisters(profile, spec.ctRatio, spec.ptRatio),
  }));
  const batches: TelemetryBatch[] = [];
  const cycles = Math.round(options.durationMs / options.everyMs);
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    const start = options.t0 + cycle * options.everyMs;
    const readings: Reading[] = devices.map(({ id, timeline, registers }, index) => {
      // A poll cycle reads the devices one after another, a few ms apart.
      const ts = start + index * 7;
      const snapshot = timeline.valuesAt(ts);
      const values: ReadingValues = {};
      for (const [quantity, value] of Object.entries(registers.update(snapshot)))
        values[quantity as keyof ReadingValues] = tidy(value);
      values.s_kva = tidy(snapshot.values.s_kva ?? 0);
      values.demand_kw = tidy(snapshot.values.demand_kw ?? 0);
      return { device: id, ts, values, quality: 'good' };
    });
    batches.push({ gateway: options.gateway, seq: cycle + 1, sentAt: start + options.everyMs - 1, readings });
  }
  return batches;
}

export function valueCount(batches: readonly TelemetryBatch[]): number {
  return batches.reduce((n, b) => n + b.readings.reduce((m, r) => m + Object.keys(r.values).length, 0), 0);
}
