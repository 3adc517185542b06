/**
 * bench:detect — readings per CPU-second through every built-in detector, and detector
 * state per monitored device (issue 13), in one process, with the engine, its state
 * cache and its SQL state store as the cloud runs them (detect-run.ts).
 *
 * Passes, each on a fresh store:
 *  - baseline: the same fleet and readings through the engine with one detector that does
 *    nothing but keep an empty state per device (the engine, the state path, the stores);
 *  - throughput: the fleet live, a reading per device every 15 s, every detector;
 *  - steady state: a smaller fleet over 29 days of event time (a reading every 5 minutes),
 *    so the seasonal baselines are full (4 weeks), then an hour at 15 s, for the state a
 *    device keeps for good: the bytes of every row saved in detector_state (each detector's
 *    own state and the shared areas), over the fleet's devices.
 * Then the scale figures (detect-scale.ts). The last line is one JSON object.
 *
 * Options (environment): BENCH_SITES (20), BENCH_COMMERCIAL (per site, 8),
 * BENCH_HOUSEHOLDS (per site, 40), BENCH_STEPS (240), BENCH_STATE_SITES (1), BENCH_STATE_DAYS (29).
 */
import type { AnyDetector } from '../src/detector-kit/detector.js';
import { defineSettings } from '../src/detector-kit/settings.js';
import { BUILTIN_DETECTORS } from '../src/detectors/index.js';
import { buildFleet, type FleetShape } from './detect-fleet.js';
import { runPass, type PassResult } from './detect-run.js';
import { measureScale } from './detect-scale.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SHAPE: FleetShape = {
  sites: env('BENCH_SITES', 20),
  commercialPerSite: env('BENCH_COMMERCIAL', 8),
  householdsPerSite: env('BENCH_HOUSEHOLDS', 40),
};
const STEPS = env('BENCH_STEPS', 240);
const STATE_SITES = env('BENCH_STATE_SITES', 1);
const STATE_DAYS = env('BENCH_STATE_DAYS', 29);
/** Targets of issue 13. */
const TARGET_READINGS_PER_CPU_SECOND = 30_000;
const TARGET_STATE_BYTES_PER_DEVICE = 4096;

const out = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en');

/** Keeps an empty state per device and asks nothing: what the engine and the state path cost alone. */
const noop: AnyDetector = {
  name: 'noop',
  stateVersion: 1,
  settings: defineSettings({}),
  subjectsOfReading: (input) => [{ subject: input.reading.device, kind: 'device' }],
  initialState: () => ({}),
  onReading: () => [],
};

// Monday 2026-01-05 00:00 UTC+8.
const START = Date.UTC(2026, 0, 4, 16);
const fleet = buildFleet(SHAPE);
const stateFleet = buildFleet({ ...SHAPE, sites: STATE_SITES });

out(
  `bench:detect — ${SHAPE.sites} sites, each 1 transformer (own meter + safety terminal), ` +
    `${SHAPE.commercialPerSite} CT-connected and ${SHAPE.householdsPerSite} household meters: ${fleet.devices.length} devices`,
);
out(`detectors: ${BUILTIN_DETECTORS.map((d) => d.name).join(', ')}`);

const live = { fleet, start: START, phases: [{ stepMs: 15_000, steps: STEPS }] };
const baseline = await runPass({ ...live, name: 'baseline', detectors: [noop] });
const full = await runPass({ ...live, name: 'throughput', detectors: BUILTIN_DETECTORS });
const everyStep = await runPass({ ...live, name: 'every-step', detectors: BUILTIN_DETECTORS, saveEveryStep: true });
const steady = await runPass({
  name: 'steady',
  fleet: stateFleet,
  detectors: BUILTIN_DETECTORS,
  start: START,
  // Days at a reading every 5 minutes (the baselines fill), then an hour at 15 s (the
  // windows that hold every reading, such as the power factor's minute buckets, fill).
  phases: [
    { stepMs: 5 * 60_000, steps: (STATE_DAYS * 86_400_000) / (5 * 60_000) },
    { stepMs: 15_000, steps: 240 },
  ],
});

const rate = (r: PassResult) => r.readings / r.cpuSeconds;
const perDevice = (bytes: number, devices: number) => bytes / devices;
out('');
out(
  'pass           devices   readings   CPU s   wall s   readings/CPU-s   vs baseline   state B/device   heap B/device   alerts opened',
);
const row = (name: string, r: PassResult, devices: number) =>
  out(
    `${name.padEnd(13)} ${String(devices).padStart(8)} ${fmt(r.readings).padStart(10)} ${r.cpuSeconds.toFixed(2).padStart(7)} ` +
      `${r.wallSeconds.toFixed(2).padStart(8)} ${fmt(rate(r)).padStart(16)} ${(rate(r) / rate(baseline)).toFixed(2).padStart(13)} ` +
      `${fmt(perDevice(r.stateBytes, devices)).padStart(16)} ${fmt(perDevice(r.heapDeltaBytes, devices)).padStart(15)} ${
        Object.entries(r.alertsByType)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ') || 'none'
      }`,
  );
row('baseline', baseline, fleet.devices.length);
row('throughput', full, fleet.devices.length);
row('saved a step', everyStep, fleet.devices.length);
row(`steady ${STATE_DAYS} d`, steady, stateFleet.devices.length);
out('');
out('stored state per device after the steady-state pass, by detector or shared area (bytes saved):');
for (const [name, bytes] of Object.entries(steady.stateBytesByDetector).sort((a, b) => b[1] - a[1]))
  out(`  ${name.padEnd(24)} ${fmt(perDevice(bytes, stateFleet.devices.length)).padStart(7)}`);
out('  (seasonal_baseline:…: one per meter, shared by consumption_anomaly and suspected_tamper)');

const readingsPerCpuSecond = Math.round(rate(full));
const stateBytesPerDevice = Math.round(perDevice(steady.stateBytes, stateFleet.devices.length));
out('');
out(
  `targets: ${readingsPerCpuSecond >= TARGET_READINGS_PER_CPU_SECOND ? 'met' : 'MISSED'} ≥ ${fmt(TARGET_READINGS_PER_CPU_SECOND)} readings/CPU-s; ` +
    `${stateBytesPerDevice <= TARGET_STATE_BYTES_PER_DEVICE ? 'met' : 'MISSED'} ≤ ${fmt(TARGET_STATE_BYTES_PER_DEVICE)} B of state per device`,
);
const scale = await measureScale();
if (scale.missing) out(`scale: not measured: ${scale.missing}`);
out(
  JSON.stringify({
    bench: 'detect',
    readingsPerCpuSecond,
    stateBytesPerDevice,
    scale: { instances1: scale.instances1, instances3: scale.instances3, ratio: scale.ratio },
  }),
);
