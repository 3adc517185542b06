#!/usr/bin/env -S node --max-semi-space-size=1 --no-turbo-inlining --no-concurrent-recompilation
/**
 * gridsafe-gateway: polls Modbus devices and relays their readings over MQTT.
 * Exit codes: 0 clean stop, 1 failure at run time, 2 bad configuration or arguments.
 */
import { parseArgs } from 'node:util';
// Deep imports, not the package index: the index also loads the config validator and the codecs.
import { createLogger } from '@gridsafe/shared/util/logger.js';
import { stopOnSignals } from '@gridsafe/shared/util/stop-on-signals.js';
import { ConfigError } from '@gridsafe/shared/config/error.js';
import { loadConfigIsolated } from './config/load-isolated.js';
import { ENVIRONMENT } from './config/env.js';
import { GATEWAY_VERSION } from './version.js';

const HELP = `gridsafe-gateway ${GATEWAY_VERSION}: the gridsafe field gateway

Usage: gridsafe-gateway [--config <file.yaml|file.json>] [--check]

Polls Modbus RTU (serial) and Modbus TCP devices, decodes their registers to canonical
quantities in primary units, keeps every batch in a durable outbox and publishes it over
MQTT (QoS 1) until the broker acknowledges it.

Options:
  -c, --config <file>  configuration file (YAML or JSON); without it the embedded demo
                       config runs: gateway gw-001 polling the simulator's m-001
                       (DTSU666, unit 1, CT 60) and t-001 (RCM-4, unit 2) every second
      --check          check the configuration, print a summary and exit (0 ok, 2 not)
  -v, --version        print the version
  -h, --help           print this help

Environment:
${ENVIRONMENT.map(([name, meaning]) => `  ${name.padEnd(26)}${meaning}`).join('\n')}

Exit codes: 0 stopped cleanly (SIGINT/SIGTERM), 1 failed while running, 2 bad configuration.
See gateway/README.md for the configuration reference.
`;

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`gridsafe-gateway: ${(error as Error).message}\nTry --help.\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  if (args.version) {
    process.stdout.write(`${GATEWAY_VERSION}\n`);
    return;
  }

  let config;
  try {
    config = await loadConfigIsolated(args.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`gridsafe-gateway: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (args.check) {
    process.stdout.write(
      `${config.source}: ok: gateway ${config.gatewayId}, ${config.buses.length} bus(es), ${config.devices.length} device(s): ${config.devices.map((d) => `${d.id} (${d.profile.id} on ${d.bus}/${d.dlt645?.address ?? d.unit})`).join(', ')}\n`,
    );
    return;
  }

  const log = createLogger('gateway');
  // Loaded only now, after the config thread has ended, so the two never take memory at once.
  const { Gateway } = await import('./gateway.js');
  let gateway: InstanceType<typeof Gateway>;
  try {
    gateway = new Gateway({ config, configPath: args.config, logger: log });
    gateway.start();
  } catch (error) {
    log.fatal({ err: error }, 'the gateway could not start');
    process.exit(1);
  }

  // No deadline: the stop flushes the outbox for up to shutdownFlush, as configured.
  stopOnSignals({ log, stop: () => gateway.stop() });
}

await main();
