#!/usr/bin/env node
/** gridsafe-sim: runs the demo fleet or a scenario file's fleet until Ctrl-C. */
import { createLogger, parseDuration, stopOnSignals } from '@gridsafe/shared';
import { parseArgs } from 'node:util';
import { demoScenario } from './scenario/demo.js';
import { loadScenarioFile } from './scenario/parse.js';
import { startSimulator, type SimulatorHandle } from './runtime/simulator.js';
import { generateReadings } from './runtime/generate.js';
import { JsonlFile } from './runtime/jsonl-file.js';
import { FleetModel } from './model/fleet.js';

const HELP = `gridsafe-sim: simulated meters and monitoring terminals over Modbus TCP and RTU

Usage: gridsafe-sim [--scenario <file.yaml|json>] [--served-log <path>] [--truth <path>] [--tick <duration>]
       gridsafe-sim --scenario <file> --generate <duration> --out <path> [--step <duration>] [--start <iso>] [--truth <path>]

Without --scenario it runs the embedded demo fleet: meter m-001 (CHINT DTSU666, unit 1,
CT 300/5, PT 1) on transformer tx-001 (100 kVA) at about 60 kVA, ramped to 1.3 x the
rating from 10 s to 30 s after start, and terminal t-001 (gridsafe-rcm4, unit 2), both on
Modbus TCP GRIDSAFE_SIM_HOST:GRIDSAFE_SIM_TCP_PORT.

Options:
  --scenario <file>    scenario file (YAML or JSON); see firmware-sim/README.md
  --served-log <path>  write every served state as JSON lines {ts, device, values} (primary units)
  --truth <path>       write the labelled ground truth of injected events as JSON lines
  --tick <duration>    how often the served state changes (default 1s; e.g. 500ms, 2s)
  --generate <dur>     no servers: write readings for this much simulated time (e.g. 10d) as
                       fast as possible (time compression), then exit
  --out <path>         with --generate: the readings, JSON lines {device, ts, values, quality}
  --step <duration>    with --generate: one reading per device every step (default: the tick)
  --start <iso>        with --generate: t0 (default: the scenario's start, or now)
  --help               this text

Environment:
  GRIDSAFE_SIM_HOST         listen address of the demo's TCP bus, and of scenario TCP buses
                            that name no host (default 127.0.0.1)
  GRIDSAFE_SIM_TCP_PORT     TCP port of the demo fleet (default 5020; 0 = any free port)
  GRIDSAFE_SIM_RS485_PATH   the demo's serial line (one end of a socat pair): adds its DL/T 645 meter
  GRIDSAFE_SIM_SCENARIO     scenario file, when --scenario is not given
  GRIDSAFE_SIM_SERVED_LOG   as --served-log
  GRIDSAFE_SIM_TRUTH        as --truth
  GRIDSAFE_LOG_LEVEL        pino log level (default info); logs are JSON on stdout

Ctrl-C (SIGINT) or SIGTERM closes the ports and exits 0.
`;

const log = createLogger('firmware-sim');

function fail(message: string): never {
  log.fatal(message);
  process.stderr.write(`gridsafe-sim: ${message}\n`);
  process.exit(2);
}

type Options = {
  scenario?: string;
  'served-log'?: string;
  truth?: string;
  tick?: string;
  generate?: string;
  out?: string;
  step?: string;
  start?: string;
  help?: boolean;
};
let values: Options;
try {
  values = parseArgs({
    options: {
      scenario: { type: 'string' },
      'served-log': { type: 'string' },
      truth: { type: 'string' },
      tick: { type: 'string' },
      generate: { type: 'string' },
      out: { type: 'string' },
      step: { type: 'string' },
      start: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (error) {
  process.stderr.write(`gridsafe-sim: ${(error as Error).message}\n\n${HELP}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const env = process.env;
const host = env['GRIDSAFE_SIM_HOST'] || '127.0.0.1';
const portText = env['GRIDSAFE_SIM_TCP_PORT'] || '5020';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535)
  fail(`GRIDSAFE_SIM_TCP_PORT must be a TCP port number (0-65535), got "${portText}"`);
/** A duration option in the shared grammar (500ms, 2s, 1h30m, 10d); a bare number has no unit and is refused. */
function durationOption(name: string, text: string | undefined, minMs: number): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) fail(`--${name} ${text} has no unit: say ${text}s or ${text}ms, whichever you mean`);
  const ms = parseDuration(text);
  if (ms === undefined || ms < minMs)
    fail(`--${name} must be a duration of at least ${minMs} ms (such as 500ms, 2s, 10d), got "${text}"`);
  return ms;
}
const tickMs = durationOption('tick', values.tick, 10);

const scenarioPath = values.scenario ?? env['GRIDSAFE_SIM_SCENARIO'];
if (values.generate !== undefined) {
  const durationMs = durationOption('generate', values.generate, 1)!;
  if (!values.out) fail('--generate needs --out <path> for the readings');
  let t0: number | undefined;
  if (values.start !== undefined) {
    t0 = Date.parse(values.start);
    if (Number.isNaN(t0))
      fail(`--start must be an ISO 8601 timestamp such as 2025-03-03T00:00:00+08:00, got "${values.start}"`);
  }
  try {
    const scenario = scenarioPath
      ? loadScenarioFile(scenarioPath, { defaultHost: host })
      : demoScenario({ host, port, rs485Path: env['GRIDSAFE_SIM_RS485_PATH'] || undefined });
    const fleet = new FleetModel(
      tickMs !== undefined ? { ...scenario, tickMs } : scenario,
      t0 ?? scenario.startMs ?? Date.now(),
    );
    const stepMs = durationOption('step', values.step, 1) ?? fleet.scenario.tickMs;
    const out = new JsonlFile(values.out);
    const started = Date.now();
    const summary = generateReadings({ fleet, durationMs, stepMs, write: (readings) => out.write(readings) });
    out.close();
    if (values.truth) {
      const truth = new JsonlFile(values.truth);
      truth.write(summary.truth);
      truth.close();
    }
    log.info(
      {
        readings: summary.readings,
        lost: summary.lost,
        events: summary.truth.length,
        t0: new Date(fleet.t0).toISOString(),
        stepMs,
        seconds: (Date.now() - started) / 1000,
        out: values.out,
      },
      'readings generated',
    );
  } catch (error) {
    fail((error as Error).message);
  }
  process.exit(0);
}
let handle: SimulatorHandle;
try {
  const scenario = scenarioPath
    ? loadScenarioFile(scenarioPath, { defaultHost: host })
    : demoScenario({ host, port, rs485Path: env['GRIDSAFE_SIM_RS485_PATH'] || undefined });
  const servedLogPath = values['served-log'] ?? env['GRIDSAFE_SIM_SERVED_LOG'];
  const truthPath = values.truth ?? env['GRIDSAFE_SIM_TRUTH'];
  handle = await startSimulator(scenario, {
    logger: log,
    ...(servedLogPath ? { servedLogPath } : {}),
    ...(truthPath ? { truthPath } : {}),
    ...(tickMs !== undefined ? { tickMs } : {}),
  });
} catch (error) {
  fail((error as Error).message);
}

// A port that will not close must not keep the process alive: the simulator has stopped serving by then.
stopOnSignals({ log, stop: () => handle.stop(), deadlineMs: 3000, deadlineExitCode: 0 });
