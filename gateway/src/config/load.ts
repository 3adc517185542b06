/**
 * Builds the gateway's configuration: defaults, then the config file (or the embedded
 * demo), then the GRIDSAFE_* overrides. The file is checked against its schema
 * (schema.ts, by the validator every gridsafe program shares), then the rules across
 * fields are checked here. Every problem is reported at once as
 * `file:line:col: field: problem`; nothing starts until the whole config is sound.
 */
import { dirname, resolve } from 'node:path';
import {
  ConfigError,
  ConfigSource,
  DEFAULT_TOPIC_PREFIX,
  isValidTimeZone,
  loadBuiltinProfiles,
  loadProfileDir,
  problemAt,
  schemaProblems,
  toBytes,
  toMs,
  type DeviceProfile,
  type FieldPath,
  type Static,
} from '@gridsafe/shared';
import { validate as validCron } from 'node-cron';
import { demoConfigData } from './demo.js';
import { DEFAULT_BROKER_URL, DEFAULT_DATA_DIR } from './env.js';
import { busSchema, deviceSchema, gatewayFileSchema, pollingSchema } from './schema.js';
import type { BusConfig, DeviceConfig, Dlt645DeviceConfig, GatewayConfig, PollingSettings } from './types.js';

export { ConfigError } from '@gridsafe/shared';

const HEADLINE = 'the gateway configuration is not valid';

export const DEFAULT_POLLING: PollingSettings = {
  timeoutMs: 1000, // FACTS.md: typical response timeout 1 s to several seconds at 9600 baud
  retries: 2,
  retryBackoffMs: 100,
  busyRetries: 3, // FACTS.md: some devices answer exception 6 (busy) and want a retry
  busyBackoffMs: 200,
  gapFill: 10,
  commLostAfter: 3,
  backoffMaxMs: 60_000,
};

/** A device back on the network is read again within this (issue 14 asks for at most 10 s). */
export const DEFAULT_RECONNECT_MAX_MS = 10_000;

type GatewayFile = Static<typeof gatewayFileSchema>;
type BusFile = Static<typeof busSchema>;
type DeviceFile = Static<typeof deviceSchema>;

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
}

/** Loads a config file (YAML or JSON), or the embedded demo when `path` is undefined. */
export function loadConfig(path: string | undefined, options: LoadOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  let source: ConfigSource;
  try {
    source =
      path === undefined
        ? ConfigSource.fromData(demoConfigData(env), 'embedded demo config')
        : ConfigSource.fromFile(resolve(path));
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.problems, HEADLINE);
    throw error;
  }
  return buildConfig(source, env, path === undefined ? process.cwd() : dirname(resolve(path)));
}

const ms = (value: string | undefined, fallback: number) => (value === undefined ? fallback : toMs(value));

export function buildConfig(source: ConfigSource, env: NodeJS.ProcessEnv, baseDir: string): GatewayConfig {
  const data = source.data ?? {};
  const schemaFailures = schemaProblems(gatewayFileSchema, data, source);
  if (schemaFailures.length > 0) throw new ConfigError(schemaFailures, HEADLINE);
  const file = data as GatewayFile;
  const problems: string[] = [];
  const problem = (path: FieldPath, message: string, atKey = false) =>
    problems.push(problemAt(source, path, message, atKey));

  const gatewayId = file.gateway.id;
  const mq = file.mqtt ?? {};
  const url = env['GRIDSAFE_BROKER_URL'] || mq.url || DEFAULT_BROKER_URL;
  const urlProblem = brokerUrlProblem(url);
  if (urlProblem) {
    if (env['GRIDSAFE_BROKER_URL']) problems.push(`environment variable GRIDSAFE_BROKER_URL: ${urlProblem}`);
    else problem(['mqtt', 'url'], urlProblem);
  }
  const mqtt: GatewayConfig['mqtt'] = {
    url,
    username: mq.username ?? gatewayId,
    password: env['GRIDSAFE_GATEWAY_SECRET'] || mq.password,
    clientId: mq.clientId ?? `gridsafe-gw-${gatewayId}`,
    topicPrefix: mq.topicPrefix ?? DEFAULT_TOPIC_PREFIX,
    keepaliveS: Math.round(ms(mq.keepalive, 30_000) / 1000),
    reconnectMinMs: ms(mq.reconnectMin, 1000),
    reconnectMaxMs: ms(mq.reconnectMax, 60_000),
    inflight: mq.inflight ?? 8,
    statusIntervalMs: ms(mq.statusInterval, 30_000),
    encoding: mq.encoding ?? 'json',
  };

  const dataDir = env['GRIDSAFE_DATA_DIR'] || file.dataDir || DEFAULT_DATA_DIR;
  const batch = {
    maxAgeMs: ms(file.batch?.maxAge, 2000),
    maxReadings: file.batch?.maxReadings ?? 500,
    maxBytes: file.batch?.maxBytes === undefined ? 64 * 1024 : toBytes(file.batch.maxBytes),
  };
  const outbox = {
    maxBytes: file.outbox?.maxBytes === undefined ? 256 * 1024 * 1024 : toBytes(file.outbox.maxBytes),
    overflow: file.outbox?.overflow ?? 'drop-oldest',
    synchronous: file.outbox?.synchronous ?? 'full',
  };
  if (outbox.maxBytes < 2 * batch.maxBytes)
    problem(
      ['outbox', 'maxBytes'],
      `${outbox.maxBytes} bytes cannot hold two batches of batch.maxBytes (${batch.maxBytes}); raise it or lower batch.maxBytes`,
    );

  const profileDir = file.profiles?.dir === undefined ? undefined : resolve(baseDir, file.profiles.dir);
  const profiles = loadProfiles(profileDir, problem);
  const defaults = pollingOf(file.polling, DEFAULT_POLLING);

  const buses: BusConfig[] = [];
  file.buses.forEach((raw, i) => {
    const bus = busOf(raw, ['buses', i], defaults, problem);
    if (buses.some((b) => b.id === bus.id))
      problem(['buses', i, 'id'], `"${bus.id}" is used by an earlier bus; bus ids must be unique`);
    buses.push(bus);
  });

  const devices: DeviceConfig[] = [];
  const taken = new Map<string, string>();
  file.devices.forEach((raw, i) => {
    const device = deviceOf(raw, ['devices', i], { buses, profiles, defaults }, problem);
    if (!device) return;
    if (devices.some((d) => d.id === device.id))
      problem(['devices', i, 'id'], `"${device.id}" is used by an earlier device; device ids must be unique`);
    const key = device.dlt645 ? `${device.bus}/dlt645:${device.dlt645.address}` : `${device.bus}/${device.unit}`;
    const other = taken.get(key);
    if (other !== undefined)
      problem(
        ['devices', i, device.dlt645 ? 'address' : 'unit'],
        `${device.dlt645 ? `address ${device.dlt645.address}` : `unit ${device.unit}`} on bus "${device.bus}" is already used by device "${other}"`,
      );
    taken.set(key, device.id);
    devices.push(device);
  });
  defaultDlt645BaudRate(buses, devices, file.buses);
  if (file.devices.length === 0) problem(['devices'], 'lists no device; a gateway needs at least one');

  const me = file.jobs?.midnightEnergy ?? {};
  const jobs = {
    midnightEnergy: { enabled: me.enabled ?? true, cron: me.cron ?? '0 0 * * *', timezone: me.timezone },
  };
  if (!validCron(jobs.midnightEnergy.cron))
    problem(
      ['jobs', 'midnightEnergy', 'cron'],
      `"${jobs.midnightEnergy.cron}" is not a cron expression (minute hour day month weekday, e.g. "0 0 * * *")`,
    );
  if (jobs.midnightEnergy.timezone !== undefined && !isValidTimeZone(jobs.midnightEnergy.timezone))
    problem(
      ['jobs', 'midnightEnergy', 'timezone'],
      `"${jobs.midnightEnergy.timezone}" is not an IANA time zone (e.g. Asia/Shanghai)`,
    );

  if (problems.length > 0) throw new ConfigError(problems, HEADLINE);
  return {
    source: source.name,
    gatewayId,
    mqtt,
    dataDir: resolve(dataDir),
    batch,
    outbox,
    profileDir,
    buses,
    devices,
    jobs,
    shutdownFlushMs: ms(file.shutdownFlush, 5000),
  };
}

type Report = (path: FieldPath, message: string, atKey?: boolean) => void;

function brokerUrlProblem(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (!['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'].includes(parsed.protocol))
      return `"${url}": the scheme must be mqtt://, mqtts://, ws:// or wss://`;
    return undefined;
  } catch {
    return `"${url}" is not a URL (expected for example mqtt://host:1883)`;
  }
}

function loadProfiles(extraDir: string | undefined, problem: Report): Map<string, DeviceProfile> {
  const profiles = loadBuiltinProfiles();
  if (extraDir === undefined) return profiles;
  try {
    for (const [id, profile] of loadProfileDir(extraDir)) profiles.set(id, profile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem(
      ['profiles', 'dir'],
      code ? `the profile folder ${extraDir} cannot be read (${code})` : (error as Error).message,
    );
  }
  return profiles;
}

/** Polling settings over `base` (the defaults, or the bus's for a device). */
function pollingOf(raw: Static<typeof pollingSchema> | undefined, base: PollingSettings): PollingSettings {
  if (!raw) return base;
  return {
    timeoutMs: ms(raw.timeout, base.timeoutMs),
    retries: raw.retries ?? base.retries,
    retryBackoffMs: ms(raw.retryBackoff, base.retryBackoffMs),
    busyRetries: raw.busyRetries ?? base.busyRetries,
    busyBackoffMs: ms(raw.busyBackoff, base.busyBackoffMs),
    gapFill: raw.gapFill ?? base.gapFill,
    commLostAfter: raw.commLostAfter ?? base.commLostAfter,
    backoffMaxMs: ms(raw.backoffMax, base.backoffMaxMs),
  };
}

const TCP_ONLY = ['host', 'port', 'maxInFlight', 'pauseAfterConnect'] as const;
const SERIAL_ONLY = ['path', 'baudRate', 'parity', 'dataBits', 'stopBits', 'pause'] as const;

function busOf(raw: BusFile, path: FieldPath, defaults: PollingSettings, problem: Report): BusConfig {
  const polling = pollingOf(raw.polling, defaults);
  const reconnectMaxMs = ms(raw.reconnectMax, DEFAULT_RECONNECT_MAX_MS);
  for (const key of raw.kind === 'tcp' ? SERIAL_ONLY : TCP_ONLY)
    if (raw[key] !== undefined) problem([...path, key], `does not apply to a ${raw.kind} bus`, true);
  if (raw.kind === 'tcp') {
    if (raw.host === undefined) problem([...path, 'host'], 'is missing');
    return {
      id: raw.id,
      kind: 'tcp',
      host: raw.host ?? '',
      port: raw.port ?? 502,
      maxInFlight: raw.maxInFlight ?? 16,
      pauseAfterConnectMs: ms(raw.pauseAfterConnect, 0),
      reconnectMaxMs,
      polling,
    };
  }
  if (raw.path === undefined) problem([...path, 'path'], 'is missing');
  const parity = raw.parity ?? 'even'; // FACTS.md: even parity is the RTU default
  return {
    id: raw.id,
    kind: 'serial',
    path: raw.path ?? '',
    baudRate: raw.baudRate ?? 9600,
    parity,
    dataBits: raw.dataBits ?? 8,
    // FACTS.md: no parity needs 2 stop bits to keep the 11-bit character (8N1 is off-spec but common).
    stopBits: raw.stopBits ?? (parity === 'none' ? 2 : 1),
    pauseMs: ms(raw.pause, 0),
    reconnectMaxMs,
    polling,
  };
}

interface DeviceContext {
  buses: BusConfig[];
  profiles: Map<string, DeviceProfile>;
  defaults: PollingSettings;
}

function deviceOf(raw: DeviceFile, path: FieldPath, ctx: DeviceContext, problem: Report): DeviceConfig | undefined {
  const bus = ctx.buses.find((b) => b.id === raw.bus);
  if (!bus)
    problem(
      [...path, 'bus'],
      `names bus "${raw.bus}", which is not defined under buses (defined: ${ctx.buses.map((b) => b.id).join(', ') || 'none'})`,
    );
  const profile = ctx.profiles.get(raw.profile);
  if (!profile) {
    problem(
      [...path, 'profile'],
      `"${raw.profile}" is not a known profile (known: ${[...ctx.profiles.keys()].join(', ')})`,
    );
    return undefined;
  }
  const dlt645 = profile.protocol === 'dlt645' ? dlt645Of(raw, path, bus, problem) : undefined;
  if (!dlt645) {
    for (const key of ['address', 'preamble', 'utcOffset'] as const)
      if (raw[key] !== undefined)
        problem([...path, key], `applies to DL/T 645 meters only (profile ${profile.id} is Modbus)`, true);
    if (raw.unit === undefined) problem([...path, 'unit'], 'is missing');
  }
  const cap = raw.maxRegistersPerRequest ?? profile.maxRegistersPerRequest;
  if (cap > profile.maxRegistersPerRequest)
    problem(
      [...path, 'maxRegistersPerRequest'],
      `${cap} is above the profile's limit of ${profile.maxRegistersPerRequest} for ${profile.model}`,
    );
  return {
    id: raw.id,
    bus: raw.bus,
    unit: dlt645 ? 0 : (raw.unit ?? 0),
    profile,
    ctRatio: raw.ctRatio ?? 1,
    ptRatio: raw.ptRatio ?? 1,
    pollIntervalMs: ms(raw.pollInterval, 1000),
    maxRegistersPerRequest: cap,
    polling: pollingOf(raw.polling, bus?.polling ?? ctx.defaults),
    ...(dlt645 ? { dlt645 } : {}),
  };
}

/** The DL/T 645 fields of a device: its meter address, the wake-up preamble and the meter clock's offset. */
function dlt645Of(raw: DeviceFile, path: FieldPath, bus: BusConfig | undefined, problem: Report): Dlt645DeviceConfig {
  if (raw.unit !== undefined) problem([...path, 'unit'], 'a DL/T 645 meter has an address, not a Modbus unit', true);
  if (bus?.kind === 'tcp') problem([...path, 'bus'], `"${bus.id}" is a tcp bus; a DL/T 645 meter needs a serial bus`);
  if (raw.address === undefined) problem([...path, 'address'], 'is missing');
  const offset = /^([+-])(\d{2}):(\d{2})$/.exec(raw.utcOffset ?? '+08:00')!;
  return {
    address: raw.address ?? '000000000000',
    // FACTS.md: masters send 4 wake-up bytes (FE) before a frame.
    preamble: raw.preamble ?? 4,
    utcOffsetMinutes: (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])),
  };
}

/** FACTS.md: 2400 bit/s is the usual DL/T 645 default; a serial bus with only DL/T 645 meters and no baudRate gets it. */
function defaultDlt645BaudRate(buses: BusConfig[], devices: DeviceConfig[], raw: readonly BusFile[]): void {
  buses.forEach((bus, i) => {
    const onBus = devices.filter((d) => d.bus === bus.id);
    if (bus.kind === 'serial' && raw[i]?.baudRate === undefined && onBus.length > 0 && onBus.every((d) => d.dlt645))
      bus.baudRate = 2400;
  });
}
