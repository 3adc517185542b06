#!/usr/bin/env node
/** gridsafe-sim: runs the demo fleet or a scenario file's fleet until Ctrl-C. */
import { createLogger } from '@gridsafe/shared';
import { parseArgs } from 'node:util';
import { demoScenario } from './scenario/demo.js';
import { parseDuration } from './scenario/fields.js';
import { loadScenarioFile } from './scenario/parse.js';
import { startSimulator, type SimulatorHandle } from './runtime/simulator.js';

const HELP = `gridsafe-sim: simulated meters and monitoring terminals over Modbus TCP and RTU

Usage: gridsafe-sim [--scenario <file.yaml|json>] [--served-log <path>] [--truth <path>] [--tick <duration>]

Without --scenario it runs the embedded demo fleet: meter m-001 (CHINT DTSU666, unit 1,
CT 300/5, PT 1) on transformer tx-001 (100 kVA) at about 60 kVA, ramped to 1.3 x the
rating from 10 s to 30 s after start, and terminal t-001 (gridsafe-rcm4, unit 2), both on
Modbus TCP GRIDSAFE_SIM_HOST:GRIDSAFE_SIM_TCP_PORT.

Options:
  --scenario <file>    scenario file (YAML or JSON); see firmware-sim/README.md
  --served-log <path>  write every served state as JSON lines {ts, device, values} (primary units)
  --truth <path>       write the labelled ground truth of injected events as JSON lines
  --tick <duration>    how often the served state changes (default 1s; e.g. 500ms, 2s)
  --help               this text

Environment:
  GRIDSAFE_SIM_HOST         listen address of the demo's TCP bus, and of scenario TCP buses
                            that name no host (default 127.0.0.1)
  GRIDSAFE_SIM_TCP_PORT     TCP port of the demo fleet (default 5020; 0 = any free port)
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

let values: { scenario?: string; 'served-log'?: string; truth?: string; tick?: string; help?: boolean };
try {
  values = parseArgs({
    options: { scenario: { type: 'string' }, 'served-log': { type: 'string' }, truth: { type: 'string' }, tick: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
if (!/^\d+$/.test(portText) || port > 65535) fail(`GRIDSAFE_SIM_TCP_PORT must be a TCP port number (0-65535), got "${portText}"`);
let tickMs: number | undefined;
if (values.tick !== undefined) {
  tickMs = parseDuration(/^\d+(\.\d+)?$/.test(values.tick) ? Number(values.tick) : values.tick);
  if (tickMs === undefined || tickMs < 10) fail(`--tick must be a duration of at least 10ms (such as 500ms or 2s), got "${values.tick}"`);
}

const scenarioPath = values.scenario ?? env['GRIDSAFE_SIM_SCENARIO'];
let handle: SimulatorHandle;
try {
  const scenario = scenarioPath ? loadScenarioFile(scenarioPath, { defaultHost: host }) : demoScenario({ host, port });
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

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  // A port that will not close must not keep the process alive.
  setTimeout(() => process.exit(0), 3000).unref();
  void handle.stop().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
