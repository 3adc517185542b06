/**
 * Builds the gateway's configuration: defaults, then the config file (or the embedded
 * demo), then the GRIDSAFE_* overrides. Every problem is collected and reported at once
 * as `file:line:col: field: problem`; nothing starts until the whole config is sound.
 */
import { dirname, resolve } from 'node:path';
import {
  DEFAULT_TOPIC_PREFIX,
  GATEWAY_ID_PATTERN,
  MAX_BATCH_BYTES,
  isMeterAddress,
  loadBuiltinProfiles,
  loadProfileDir,
  type DeviceProfile,
} from '@gridsafe/shared';
import { validate as validCron } from 'node-cron';
import { OVERFLOW_POLICIES } from '../outbox/overflow/index.js';
import { demoConfigData } from './demo.js';
import { DEFAULT_BROKER_URL, DEFAULT_DATA_DIR } from './env.js';
import { FieldReader } from './fields.js';
import { ConfigError, ConfigSource, type FieldPath } from './source.js';
import type { BusConfig, DeviceConfig, Dlt645DeviceConfig, GatewayConfig, PollingSettings } from './types.js';

export { ConfigError } from './source.js';

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const ID_TEXT = 'must be 1 to 64 letters, digits or _ . : -';

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

const POLLING_KEYS = [
  'timeout',
  'retries',
  'retryBackoff',
  'busyRetries',
  'busyBackoff',
  'gapFill',
  'commLostAfter',
  'backoffMax',
] as const;

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
}

/** Loads a config file (YAML or JSON), or the embedded demo when `path` is undefined. */
export function loadConfig(path: string | undefined, options: LoadOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const source =
    path === undefined
      ? ConfigSource.fromData(demoConfigData(env), 'embedded demo config')
      : ConfigSource.fromFile(resolve(path));
  return buildConfig(source, env, path === undefined ? process.cwd() : dirname(resolve(path)));
}

export function buildConfig(source: ConfigSource, env: NodeJS.ProcessEnv, baseDir: string): GatewayConfig {
  const r = new FieldReader(source);
  const root =
    r.object(
      source.data,
      [],
      [
        'gateway',
        'mqtt',
        'dataDir',
        'batch',
        'outbox',
        'profiles',
        'polling',
        'buses',
        'devices',
        'jobs',
        'shutdownFlush',
      ],
      true,
    ) ?? {};

  const gw = r.object(root['gateway'], ['gateway'], ['id'], true);
  const gatewayId =
    r.string(
      gw,
      'id',
      ['gateway'],
      undefined,
      GATEWAY_ID_PATTERN,
      'must be 1 to 64 letters, digits, _ or - (CONTRACT.md gateway id)',
    ) ?? 'invalid';

  const mq = r.object(
    root['mqtt'],
    ['mqtt'],
    [
      'url',
      'username',
      'password',
      'clientId',
      'topicPrefix',
      'keepalive',
      'reconnectMin',
      'reconnectMax',
      'inflight',
      'statusInterval',
      'encoding',
    ],
  );
  let url = r.string(mq, 'url', ['mqtt'], DEFAULT_BROKER_URL) ?? DEFAULT_BROKER_URL;
  if (env['GRIDSAFE_BROKER_URL']) url = env['GRIDSAFE_BROKER_URL'];
  checkBrokerUrl(r, url, env['GRIDSAFE_BROKER_URL'] ? undefined : ['mqtt', 'url']);
  const password = env['GRIDSAFE_GATEWAY_SECRET'] || r.optionalString(mq, 'password', ['mqtt']);
  const mqtt: GatewayConfig['mqtt'] = {
    url,
    username: r.string(mq, 'username', ['mqtt'], gatewayId) ?? gatewayId,
    password,
    clientId: r.string(mq, 'clientId', ['mqtt'], `gridsafe-gw-${gatewayId}`) ?? `gridsafe-gw-${gatewayId}`,
    topicPrefix: r.string(mq, 'topicPrefix', ['mqtt'], DEFAULT_TOPIC_PREFIX) ?? DEFAULT_TOPIC_PREFIX,
    keepaliveS: Math.round(r.duration(mq, 'keepalive', ['mqtt'], 30_000, { min: 1000, max: 3_600_000 }) / 1000),
    reconnectMinMs: r.duration(mq, 'reconnectMin', ['mqtt'], 1000, { min: 10 }),
    reconnectMaxMs: r.duration(mq, 'reconnectMax', ['mqtt'], 60_000, { min: 10 }),
    inflight: r.number(mq, 'inflight', ['mqtt'], 8, { integer: true, min: 1, max: 1000 }),
    statusIntervalMs: r.duration(mq, 'statusInterval', ['mqtt'], 30_000, { min: 100 }),
    encoding: r.oneOf(mq, 'encoding', ['mqtt'], ['json', 'compact'] as const, 'json'),
  };

  let dataDir = r.string(root, 'dataDir', [], DEFAULT_DATA_DIR) ?? DEFAULT_DATA_DIR;
  if (env['GRIDSAFE_DATA_DIR']) dataDir = env['GRIDSAFE_DATA_DIR'];

  const b = r.object(root['batch'], ['batch'], ['maxAge', 'maxReadings', 'maxBytes']);
  const batch = {
    maxAgeMs: r.duration(b, 'maxAge', ['batch'], 2000, { min: 10, max: 3_600_000 }),
    maxReadings: r.number(b, 'maxReadings', ['batch'], 500, { integer: true, min: 1, max: 20_000 }),
    // Well under the contract's 256 KiB so an estimate off by a little never makes a batch the cloud rejects.
    maxBytes: r.size(b, 'maxBytes', ['batch'], 64 * 1024, { min: 1024, max: MAX_BATCH_BYTES / 2 }),
  };

  const o = r.object(root['outbox'], ['outbox'], ['maxBytes', 'overflow', 'synchronous']);
  const outbox = {
    maxBytes: r.size(o, 'maxBytes', ['outbox'], 256 * 1024 * 1024, { min: 64 * 1024 }),
    overflow: r.oneOf(o, 'overflow', ['outbox'], Object.keys(OVERFLOW_POLICIES), 'drop-oldest'),
    synchronous: r.oneOf(o, 'synchronous', ['outbox'], ['full', 'normal'] as const, 'full'),
  };

  const p = r.object(root['profiles'], ['profiles'], ['dir']);
  const profileDirRaw = r.optionalString(p, 'dir', ['profiles']);
  const profileDir = profileDirRaw === undefined ? undefined : resolve(baseDir, profileDirRaw);
  const profiles = loadProfiles(r, profileDir);

  const defaults = readPolling(r, root['polling'], ['polling'], DEFAULT_POLLING);

  const busIds = new Set<string>();
  const buses: BusConfig[] = [];
  r.array(root['buses'], ['buses'], true).forEach((raw, i) => {
    const bus = readBus(r, raw, ['buses', i], defaults);
    if (!bus) return;
    if (busIds.has(bus.id))
      r.problem(['buses', i, 'id'], `"${bus.id}" is used by an earlier bus; bus ids must be unique`);
    busIds.add(bus.id);
    buses.push(bus);
  });

  const deviceIds = new Set<string>();
  const devices: DeviceConfig[] = [];
  const unitsOnBus = new Map<string, string>();
  r.array(root['devices'], ['devices'], true).forEach((raw, i) => {
    const path = ['devices', i];
    const d = r.object(raw, path, [
      'id',
      'bus',
      'unit',
      'profile',
      'ctRatio',
      'ptRatio',
      'pollInterval',
      'maxRegistersPerRequest',
      'polling',
      'address',
      'preamble',
      'utcOffset',
    ]);
    if (!d) return;
    const id = r.string(d, 'id', path, undefined, ID, ID_TEXT);
    const busId = r.string(d, 'bus', path);
    const bus = buses.find((x) => x.id === busId);
    if (busId !== undefined && !bus)
      r.problem(
        [...path, 'bus'],
        `names bus "${busId}", which is not defined under buses (defined: ${[...busIds].join(', ') || 'none'})`,
      );
    const profileId = r.string(d, 'profile', path);
    const profile = profileId === undefined ? undefined : profiles.get(profileId);
    if (profileId !== undefined && !profile)
      r.problem(
        [...path, 'profile'],
        `"${profileId}" is not a known profile (known: ${[...profiles.keys()].join(', ')})`,
      );
    const dlt645 = profile?.protocol === 'dlt645' ? readDlt645Device(r, d, path, bus) : undefined;
    if (!dlt645 && profile)
      for (const key of ['address', 'preamble', 'utcOffset'])
        if (d[key] !== undefined)
          r.problem([...path, key], `applies to DL/T 645 meters only (profile ${profile.id} is Modbus)`, true);
    // Modbus unit 0 is broadcast (no reply), 248..255 reserved: 1..247 address a slave.
    const unit = dlt645 ? 0 : r.number(d, 'unit', path, undefined, { integer: true, min: 1, max: 247 });
    const cap = r.number(d, 'maxRegistersPerRequest', path, profile?.maxRegistersPerRequest ?? 125, {
      integer: true,
      min: 2,
      max: 125,
    });
    if (profile && cap > profile.maxRegistersPerRequest) {
      r.problem(
        [...path, 'maxRegistersPerRequest'],
        `${cap} is above the profile's limit of ${profile.maxRegistersPerRequest} for ${profile.model}`,
      );
    }
    const device: DeviceConfig = {
      id: id ?? `devices[${i}]`,
      bus: busId ?? '',
      unit,
      profile: profile ?? {
        id: '?',
        model: '?',
        kind: 'meter',
        protocol: 'modbus',
        source: '',
        maxRegistersPerRequest: 125,
        registers: [],
        settings: [],
        holes: [],
      },
      ctRatio: r.number(d, 'ctRatio', path, 1, { min: 0, exclusiveMin: true, max: 100_000 }),
      ptRatio: r.number(d, 'ptRatio', path, 1, { min: 0, exclusiveMin: true, max: 100_000 }),
      pollIntervalMs: r.duration(d, 'pollInterval', path, 1000, { min: 10, max: 86_400_000 }),
      maxRegistersPerRequest: cap,
      polling: readPolling(r, d['polling'], [...path, 'polling'], bus?.polling ?? defaults),
      ...(dlt645 ? { dlt645 } : {}),
    };
    if (id !== undefined) {
      if (deviceIds.has(id))
        r.problem([...path, 'id'], `"${id}" is used by an earlier device; device ids must be unique`);
      deviceIds.add(id);
    }
    if (bus && (dlt645 || Number.isInteger(unit))) {
      const key = dlt645 ? `${bus.id}/dlt645:${dlt645.address}` : `${bus.id}/${unit}`;
      const other = unitsOnBus.get(key);
      if (other !== undefined)
        r.problem(
          [...path, dlt645 ? 'address' : 'unit'],
          `${dlt645 ? `address ${dlt645.address}` : `unit ${unit}`} on bus "${bus.id}" is already used by device "${other}"`,
        );
      unitsOnBus.set(key, device.id);
    }
    devices.push(device);
  });
  defaultDlt645BaudRate(buses, devices, Array.isArray(root['buses']) ? root['buses'] : []);
  if (Array.isArray(root['devices']) && devices.length === 0 && r.problems.length === 0)
    r.problem(['devices'], 'lists no device; a gateway needs at least one');

  const j = r.object(root['jobs'], ['jobs'], ['midnightEnergy']);
  const me = r.object(j?.['midnightEnergy'], ['jobs', 'midnightEnergy'], ['enabled', 'cron', 'timezone']);
  const jobs = {
    midnightEnergy: {
      enabled: r.boolean(me, 'enabled', ['jobs', 'midnightEnergy'], true),
      cron: r.string(me, 'cron', ['jobs', 'midnightEnergy'], '0 0 * * *') ?? '0 0 * * *',
      timezone: r.optionalString(me, 'timezone', ['jobs', 'midnightEnergy']),
    },
  };

  if (!validCron(jobs.midnightEnergy.cron))
    r.problem(
      ['jobs', 'midnightEnergy', 'cron'],
      `"${jobs.midnightEnergy.cron}" is not a cron expression (minute hour day month weekday, e.g. "0 0 * * *")`,
    );
  if (jobs.midnightEnergy.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: jobs.midnightEnergy.timezone });
    } catch {
      r.problem(
        ['jobs', 'midnightEnergy', 'timezone'],
        `"${jobs.midnightEnergy.timezone}" is not an IANA time zone (e.g. Asia/Shanghai)`,
      );
    }
  }
  if (outbox.maxBytes < 2 * batch.maxBytes)
    r.problem(
      ['outbox', 'maxBytes'],
      `${outbox.maxBytes} bytes cannot hold two batches of batch.maxBytes (${batch.maxBytes}); raise it or lower batch.maxBytes`,
    );

  const shutdownFlushMs = r.duration(root, 'shutdownFlush', [], 5000, { min: 0, max: 600_000 });

  if (r.problems.length > 0) throw new ConfigError(r.problems);
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
    shutdownFlushMs,
  };
}

const UTC_OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/** The DL/T 645 fields of a device: its meter address, the wake-up preamble and the meter clock's offset. */
function readDlt645Device(
  r: FieldReader,
  d: Record<string, unknown>,
  path: FieldPath,
  bus: BusConfig | undefined,
): Dlt645DeviceConfig {
  if (d['unit'] !== undefined) r.problem([...path, 'unit'], 'a DL/T 645 meter has an address, not a Modbus unit', true);
  if (bus?.kind === 'tcp') r.problem([...path, 'bus'], `"${bus.id}" is a tcp bus; a DL/T 645 meter needs a serial bus`);
  const address = r.string(d, 'address', path) ?? '000000000000';
  if (!isMeterAddress(address))
    r.problem([...path, 'address'], `"${address}" must be the meter's 12-digit address, e.g. "000000001234"`);
  const offset = r.string(d, 'utcOffset', path, '+08:00') ?? '+08:00';
  const match = UTC_OFFSET.exec(offset);
  if (!match) r.problem([...path, 'utcOffset'], `"${offset}" must be an offset from UTC such as +08:00`);
  return {
    address,
    // FACTS.md: masters send 4 wake-up bytes (FE) before a frame.
    preamble: r.number(d, 'preamble', path, 4, { integer: true, min: 0, max: 16 }),
    utcOffsetMinutes: match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 480,
  };
}

/** FACTS.md: 2400 bit/s is the usual DL/T 645 default; a serial bus with only DL/T 645 meters and no baudRate gets it. */
function defaultDlt645BaudRate(buses: BusConfig[], devices: DeviceConfig[], raw: unknown[]): void {
  buses.forEach((bus, i) => {
    const given = (raw[i] as Record<string, unknown> | undefined)?.['baudRate'] !== undefined;
    const onBus = devices.filter((d) => d.bus === bus.id);
    if (bus.kind === 'serial' && !given && onBus.length > 0 && onBus.every((d) => d.dlt645)) bus.baudRate = 2400;
  });
}

function checkBrokerUrl(r: FieldReader, url: string, path: FieldPath | undefined): void {
  let problem: string | undefined;
  try {
    const parsed = new URL(url);
    if (!['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'].includes(parsed.protocol))
      problem = `"${url}": the scheme must be mqtt://, mqtts://, ws:// or wss://`;
  } catch {
    problem = `"${url}" is not a URL (expected for example mqtt://host:1883)`;
  }
  if (!problem) return;
  if (path) r.problem(path, problem);
  else r.problems.push(`environment variable GRIDSAFE_BROKER_URL: ${problem}`);
}

function loadProfiles(r: FieldReader, extraDir: string | undefined): Map<string, DeviceProfile> {
  const profiles = loadBuiltinProfiles();
  if (extraDir === undefined) return profiles;
  try {
    for (const [id, profile] of loadProfileDir(extraDir)) profiles.set(id, profile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    r.problem(
      ['profiles', 'dir'],
      code ? `the profile folder ${extraDir} cannot be read (${code})` : (error as Error).message,
    );
  }
  return profiles;
}

function readPolling(r: FieldReader, raw: unknown, path: FieldPath, base: PollingSettings): PollingSettings {
  const p = r.object(raw, path, POLLING_KEYS);
  if (!p) return base;
  return {
    timeoutMs: r.duration(p, 'timeout', path, base.timeoutMs, { min: 10, max: 60_000 }),
    retries: r.number(p, 'retries', path, base.retries, { integer: true, min: 0, max: 10 }),
    retryBackoffMs: r.duration(p, 'retryBackoff', path, base.retryBackoffMs, { max: 60_000 }),
    busyRetries: r.number(p, 'busyRetries', path, base.busyRetries, { integer: true, min: 0, max: 20 }),
    busyBackoffMs: r.duration(p, 'busyBackoff', path, base.busyBackoffMs, { max: 60_000 }),
    gapFill: r.number(p, 'gapFill', path, base.gapFill, { integer: true, min: 0, max: 123 }),
    commLostAfter: r.number(p, 'commLostAfter', path, base.commLostAfter, { integer: true, min: 1, max: 1000 }),
    backoffMaxMs: r.duration(p, 'backoffMax', path, base.backoffMaxMs, { min: 100, max: 86_400_000 }),
  };
}

function readBus(r: FieldReader, raw: unknown, path: FieldPath, defaults: PollingSettings): BusConfig | undefined {
  const kindObj = r.object(raw, path, [
    'id',
    'kind',
    'host',
    'port',
    'maxInFlight',
    'pauseAfterConnect',
    'path',
    'baudRate',
    'parity',
    'dataBits',
    'stopBits',
    'pause',
    'reconnectMax',
    'polling',
  ]);
  if (!kindObj) return undefined;
  const id = r.string(kindObj, 'id', path, undefined, ID, ID_TEXT) ?? '';
  const kind = r.oneOf(kindObj, 'kind', path, ['tcp', 'serial'] as const, undefined);
  const polling = readPolling(r, kindObj['polling'], [...path, 'polling'], defaults);
  const reconnectMaxMs = r.duration(kindObj, 'reconnectMax', path, DEFAULT_RECONNECT_MAX_MS, {
    min: 500,
    max: 600_000,
  });
  const notFor = (keys: string[], what: string) => {
    for (const key of keys)
      if (kindObj[key] !== undefined) r.problem([...path, key], `does not apply to a ${what} bus`, true);
  };
  if (kind === 'tcp') {
    notFor(['path', 'baudRate', 'parity', 'dataBits', 'stopBits', 'pause'], 'tcp');
    return {
      id,
      kind,
      host: r.string(kindObj, 'host', path) ?? '',
      port: r.number(kindObj, 'port', path, 502, { integer: true, min: 1, max: 65535 }),
      maxInFlight: r.number(kindObj, 'maxInFlight', path, 16, { integer: true, min: 1, max: 256 }),
      pauseAfterConnectMs: r.duration(kindObj, 'pauseAfterConnect', path, 0, { max: 60_000 }),
      reconnectMaxMs,
      polling,
    };
  }
  notFor(['host', 'port', 'maxInFlight', 'pauseAfterConnect'], 'serial');
  const parity = r.oneOf(kindObj, 'parity', path, ['none', 'even', 'odd'] as const, 'even'); // FACTS.md: even parity is the RTU default
  return {
    id,
    kind: 'serial',
    path: r.string(kindObj, 'path', path) ?? '',
    baudRate: r.number(kindObj, 'baudRate', path, 9600, { integer: true, min: 300, max: 4_000_000 }),
    parity,
    dataBits: r.oneOf(kindObj, 'dataBits', path, [7, 8] as const, 8),
    // FACTS.md: no parity needs 2 stop bits to keep the 11-bit character (8N1 is off-spec but common).
    stopBits: r.oneOf(kindObj, 'stopBits', path, [1, 2] as const, parity === 'none' ? 2 : 1),
    pauseMs: r.duration(kindObj, 'pause', path, 0, { max: 60_000 }),
    reconnectMaxMs,
    polling,
  };
}
