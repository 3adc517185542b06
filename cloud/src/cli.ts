#!/usr/bin/env node
/**
 * gridsafe-cloud: the cloud service. `--help` lists options and environment variables.
 * Exit codes: 0 stopped cleanly, 2 configuration problem, 1 failed to start or crashed.
 */
import { createLogger, stopOnSignals } from '@gridsafe/shared';
import { checkDetectorSettings } from './config/detector-settings.js';
import { checkWorkflowSettings } from './config/workflow-settings.js';
import { ConfigError, ENVIRONMENT, loadConfig } from './config/load.js';
import { startCloud } from './service.js';
import { parseWorkflowSettings, type WorkflowSettings } from './workflow-plugin/settings.js';
import { workflowStartOptions } from './workflow-plugin/start.js';

const USAGE = `gridsafe-cloud: MQTT ingest, series storage, detection, alerts, cases, HTTP API

usage: gridsafe-cloud [--config <file.yaml|file.json>] [--help]

  --config <file>   YAML or JSON configuration (see cloud/README.md); environment
                    variables override it
  --help            this text

environment:
${ENVIRONMENT.map(([name, meaning]) => `  ${name.padEnd(27)} ${meaning}`).join('\n')}

HTTP: /healthz /readyz /metrics /docs /api/v1/...   MQTT: gridsafe/v1/gw/{gw}/telemetry
`;

function parseArgs(argv: string[]): { configFile?: string; help: boolean } {
  const result: { configFile?: string; help: boolean } = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') result.help = true;
    else if (arg === '--config' || arg === '-c') {
      const value = argv[++i];
      if (!value) throw new ConfigError(['--config needs a file name']);
      result.configFile = value;
    } else if (arg.startsWith('--config=')) result.configFile = arg.slice('--config='.length);
    else throw new ConfigError([`unknown argument "${arg}" (see --help)`]);
  }
  return result;
}

async function main(): Promise<void> {
  let config;
  let workflow: WorkflowSettings;
  try {
    const args = parseArgs(process.argv.slice(2));
    if (args.help) {
      process.stdout.write(USAGE);
      return;
    }
    // Detector settings are checked with the rest of the file, before any store opens.
    config = loadConfig({
      ...(args.configFile ? { configFile: args.configFile } : {}),
      checks: [checkDetectorSettings, checkWorkflowSettings],
    });
    workflow = parseWorkflowSettings(config.workflow);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`gridsafe-cloud: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger('cloud', { level: config.logLevel });
  let cloud;
  try {
    cloud = await startCloud(config, { log, ...workflowStartOptions(config, workflow) });
  } catch (error) {
    // A user's mistake found late is still a clear message and exit 2, with no stack trace.
    if (error instanceof ConfigError) {
      log.fatal({ problems: error.problems }, 'the configuration is not valid');
      process.stderr.write(`gridsafe-cloud: ${config.source ? `${config.source}: ` : ''}${error.message}\n`);
      process.exit(2);
    }
    log.fatal({ err: error }, 'the cloud could not start');
    process.stderr.write(`gridsafe-cloud: ${(error as Error).message}\n`);
    process.exit(1);
  }
  stopOnSignals({ log, stop: () => cloud.close(), deadlineMs: 20_000 });
}

await main();
