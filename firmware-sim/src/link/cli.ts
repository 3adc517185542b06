#!/usr/bin/env node
/**
 * gridsafe-link: the link emulator as a program. Logs are JSON lines on stdout; the
 * `listening` line carries the port, `stats` lines the byte counts, so a test or a
 * benchmark can drive it as a child process. Commands on stdin: cut, restore, stats, quit.
 */
import { createLogger, parseDuration } from '@gridsafe/shared';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { LinkEmulator } from './emulator.js';
import { LINK_ENV, LinkSettingsError, parseLinkSettings, type RawLinkSettings } from './options.js';

const HELP = `gridsafe-link: a TCP proxy that behaves like a cellular uplink (bandwidth, latency, cuts)

Usage: gridsafe-link --target <host:port> [options]

Put it between a gateway and its MQTT broker: point the gateway at the listen port.

Options (each also settable by the environment variable shown):
  --target <host:port>     the broker (required)                  GRIDSAFE_LINK_TARGET
  --listen <[host:]port>   where to listen (default 127.0.0.1:0,  GRIDSAFE_LINK_LISTEN
                           0 = any free port; see the listening log line)
  --bps <rate>             bandwidth each way, e.g. 40k           GRIDSAFE_LINK_BPS
  --up-bps <rate>          gateway -> broker bandwidth            GRIDSAFE_LINK_UP_BPS
  --down-bps <rate>        broker -> gateway bandwidth            GRIDSAFE_LINK_DOWN_BPS
  --latency <duration>     one-way delay each way, e.g. 250ms     GRIDSAFE_LINK_LATENCY
  --burst <bytes>          token-bucket depth (default 1500)      GRIDSAFE_LINK_BURST
  --cut-at <list>          cuts as start+length, e.g. 30s+10m,1h+5m   GRIDSAFE_LINK_CUT_AT
  --cut-every <duration>   periodic cuts ...                      GRIDSAFE_LINK_CUT_EVERY
  --cut-for <duration>     ... lasting this long                  GRIDSAFE_LINK_CUT_FOR
  --cut-first <duration>   first periodic cut (default: one period)   GRIDSAFE_LINK_CUT_FIRST
  --random-cuts <up/down>  random cuts, mean up/down time, e.g. 5m/30s  GRIDSAFE_LINK_RANDOM_CUTS
  --seed <integer>         seed of the random cuts (default 1)    GRIDSAFE_LINK_SEED
  --mode <reset|stall>     reset: connections are reset and refused;   GRIDSAFE_LINK_MODE
                           stall: nothing moves, connections hang (default reset)
  --stats-every <duration> how often to log the byte counts (default 10s)  GRIDSAFE_LINK_STATS_EVERY
  --help                   this text

stdin commands: "cut [reset|stall] [duration]", "restore", "stats", "quit".
SIGINT or SIGTERM logs the final counts and exits 0. GRIDSAFE_LOG_LEVEL sets the log level.
`;

const log = createLogger('link');
const flags = Object.keys(LINK_ENV) as (keyof RawLinkSettings)[];

function usageError(message: string): never {
  log.fatal(message);
  process.stderr.write(`gridsafe-link: ${message}\n\nRun gridsafe-link --help for the options.\n`);
  process.exit(2);
}

let parsed: RawLinkSettings & { help?: boolean };
try {
  parsed = parseArgs({
    options: {
      ...Object.fromEntries(flags.map((flag) => [flag, { type: 'string' as const }])),
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }).values as RawLinkSettings & { help?: boolean };
} catch (error) {
  usageError((error as Error).message);
}
if (parsed.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const raw: RawLinkSettings = {};
for (const flag of flags) {
  const value = parsed[flag] ?? process.env[LINK_ENV[flag]];
  if (value !== undefined && value !== '') raw[flag] = value;
}
let settings: ReturnType<typeof parseLinkSettings>;
try {
  settings = parseLinkSettings(raw);
} catch (error) {
  if (error instanceof LinkSettingsError) usageError(error.message);
  throw error;
}

const emulator = new LinkEmulator(settings.emulator);
emulator.on('cut', (mode: string) => log.info({ mode, stats: emulator.stats() }, 'link cut'));
emulator.on('restore', () => log.info({ stats: emulator.stats() }, 'link restored'));

let port: number;
try {
  port = await emulator.start();
} catch (error) {
  usageError(
    `cannot listen on ${settings.emulator.listen?.host}:${settings.emulator.listen?.port}: ${(error as Error).message}`,
  );
}
const { upBitsPerSecond, downBitsPerSecond, latencyMs, target } = settings.emulator;
log.info(
  {
    port,
    host: settings.emulator.listen?.host,
    target,
    upBitsPerSecond,
    downBitsPerSecond,
    latencyMs,
    schedule: settings.emulator.schedule ?? null,
  },
  'listening',
);

const statsTimer =
  settings.statsEveryMs > 0
    ? setInterval(() => log.info({ stats: emulator.stats() }, 'stats'), settings.statsEveryMs)
    : null;

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (statsTimer) clearInterval(statsTimer);
  log.info({ stats: emulator.stats() }, 'stats');
  await emulator.close();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const commands = createInterface({ input: process.stdin, terminal: false });
commands.on('line', (line) => {
  const [verb, ...args] = line.trim().split(/\s+/);
  if (verb === undefined || verb === '') return;
  if (verb === 'cut') {
    const mode = args.find((a) => a === 'reset' || a === 'stall') ?? 'reset';
    const forText = args.find((a) => a !== 'reset' && a !== 'stall');
    const forMs = forText === undefined ? undefined : parseDuration(forText);
    if (forText !== undefined && forMs === undefined)
      log.warn({ command: line }, `"${forText}" is not a duration; cut ignored`);
    else emulator.cut(mode as 'reset' | 'stall', forMs);
  } else if (verb === 'restore') emulator.restore();
  else if (verb === 'stats') log.info({ stats: emulator.stats() }, 'stats');
  else if (verb === 'quit') void stop();
  else log.warn({ command: line }, 'unknown command; use cut [reset|stall] [duration], restore, stats or quit');
});
// stdin closing (e.g. a parent that does not use it) is not a reason to stop.
commands.on('close', () => undefined);
