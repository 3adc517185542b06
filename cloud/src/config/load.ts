/**
 * Builds the cloud's configuration: defaults, then the config file (YAML or JSON),
 * then GRIDSAFE_* environment variables. Every problem is collected and reported at
 * once, naming the file or variable, the field and what is wrong, so a field engineer
 * can fix them in one go.
 */
import { resolve } from 'node:path';
import { hostname } from 'node:os';
import {
  ConfigError,
  ConfigSource,
  DEFAULT_TOPIC_PREFIX,
  formatPath,
  problemAt,
  schemaProblems,
  type FieldPath,
  type Static,
} from '@gridsafe/shared';
import type { CloudConfig } from './types.js';
import { configFileSchema } from './schema.js';
import { DEMO_USERS } from './demo-users.js';
import { DEFAULT_FORECAST_SETTINGS, forecastSettingsOf } from '../forecast/settings.js';
import { DEFAULT_LINE_LOSS_SETTINGS, lineLossSettingsOf } from '../lineloss/settings.js';

export { ConfigError } from '@gridsafe/shared';

const HEADLINE = 'the cloud configuration is not valid';

/** Every environment variable the cloud reads, with its meaning (for --help and the README). */
export const ENVIRONMENT: ReadonlyArray<[name: string, meaning: string]> = [
  ['GRIDSAFE_HTTP_HOST', 'HTTP listen address (default 0.0.0.0)'],
  ['GRIDSAFE_HTTP_PORT', 'HTTP port: API, docs, metrics (default 8080; 0 = any free port)'],
  ['GRIDSAFE_MQTT_HOST', 'embedded MQTT broker listen address (default 0.0.0.0)'],
  ['GRIDSAFE_MQTT_PORT', 'embedded MQTT broker port (default 1883; 0 = any free port)'],
  ['GRIDSAFE_MQTT_REQUIRE_AUTH', 'gateways must log in with id and secret (default true)'],
  ['GRIDSAFE_TOPIC_PREFIX', `MQTT topic prefix (default ${DEFAULT_TOPIC_PREFIX})`],
  ['GRIDSAFE_BROKER_URL', 'external broker (mqtt://host:port): no embedded broker; subscribe with $share'],
  ['GRIDSAFE_BROKER_USERNAME', 'user name on the external broker'],
  ['GRIDSAFE_BROKER_PASSWORD', 'password on the external broker'],
  ['GRIDSAFE_SHARE_GROUP', 'shared-subscription group in external-broker mode (default gridsafe-cloud)'],
  ['GRIDSAFE_INSTANCE_ID', "this instance's MQTT client id on the external broker (default gridsafe-cloud-<hostname>)"],
  ['GRIDSAFE_CLUSTER', 'true: one of several instances as one service (needs PostgreSQL and InfluxDB)'],
  [
    'GRIDSAFE_CLUSTER_TAKEOVER_SECONDS',
    "longest wait before a dead instance's detection partitions are taken over (default 10)",
  ],
  ['GRIDSAFE_DATA_DIR', 'data folder: SQLite files (default ./data/cloud)'],
  [
    'GRIDSAFE_SEED_FILE',
    'JSON registry seed {transformers, customers, devices, gateways:[{id, secret}]} applied at start',
  ],
  ['GRIDSAFE_DATABASE_URL', 'relational store: postgres://user:pass@host:port/db (default: SQLite in the data folder)'],
  ['GRIDSAFE_INFLUX_URL', 'InfluxDB URL: series go to InfluxDB instead of SQLite'],
  ['GRIDSAFE_INFLUX_TOKEN', 'InfluxDB 2.x/3.x API token'],
  ['GRIDSAFE_INFLUX_ORG', 'InfluxDB 2.x organisation'],
  ['GRIDSAFE_INFLUX_BUCKET', 'InfluxDB bucket (default gridsafe)'],
  ['GRIDSAFE_INFLUX_DATABASE', 'InfluxDB v1 database for InfluxQL (default: the bucket)'],
  ['GRIDSAFE_INFLUX_USERNAME', 'InfluxDB 1.x user'],
  ['GRIDSAFE_INFLUX_PASSWORD', 'InfluxDB 1.x password'],
  ['GRIDSAFE_API_AUTH', 'HTTP API requires a bearer token (default false)'],
  ['GRIDSAFE_API_ADMIN_TOKEN', 'token of a bootstrap admin API user (implies GRIDSAFE_API_AUTH=true)'],
  ['GRIDSAFE_LOG_LEVEL', 'log level: fatal error warn info debug trace (default info)'],
];

export const DEFAULTS = {
  httpHost: '0.0.0.0',
  httpPort: 8080, // DESIGN.md: the cloud serves HTTP on 8080
  mqttHost: '0.0.0.0',
  mqttPort: 1883, // DESIGN.md: MQTT on 1883
  dataDir: './data/cloud',
  bodyLimitBytes: 1024 * 1024,
  rateLimitPerMinute: 600,
  shareGroup: 'gridsafe-cloud',
  tickIntervalMs: 10_000,
  clusterPartitions: 64,
  clusterTakeoverSeconds: 10,
} as const;

export type FileConfig = Static<typeof configFileSchema>;

/** A further check of the file once it matches the schema (the composition root adds the detectors' settings). */
export type SectionCheck = (source: ConfigSource, file: FileConfig) => string[];

function readConfigFile(path: string): { source: ConfigSource; file: FileConfig } {
  let source: ConfigSource;
  try {
    source = ConfigSource.fromFile(path);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.problems, HEADLINE);
    throw error;
  }
  const data = source.data === null || source.data === undefined ? {} : source.data;
  const problems = schemaProblems(configFileSchema, data, source);
  if (problems.length > 0) throw new ConfigError(problems, HEADLINE);
  return { source, file: data as FileConfig };
}

function envInt(
  env: NodeJS.ProcessEnv,
  name: string,
  problems: string[],
  min: number,
  max: number,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`environment variable ${name}="${raw}": must be a whole number from ${min} to ${max}`);
    return undefined;
  }
  return value;
}

function envBool(env: NodeJS.ProcessEnv, name: string, problems: string[]): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  problems.push(`environment variable ${name}="${raw}": must be true or false`);
  return undefined;
}

function envUrl(env: NodeJS.ProcessEnv, name: string, protocols: string[], problems: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  return checkUrl(raw, `environment variable ${name}`, protocols, problems);
}

function checkUrl(raw: string, where: string, protocols: string[], problems: string[]): string | undefined {
  try {
    const url = new URL(raw);
    if (!protocols.includes(url.protocol)) {
      problems.push(`${where}="${redactUrl(raw)}": the scheme must be one of ${protocols.join(' ')}`);
      return undefined;
    }
    return raw;
  } catch {
    problems.push(`${where}="${redactUrl(raw)}": not a URL (expected for example ${protocols[0]}//host:port)`);
    return undefined;
  }
}

/** A URL with any password replaced, for logs and messages. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = 'redacted';
    return url.toString();
  } catch {
    return raw.replace(/\/\/[^@/]*@/, '//[redacted]@');
  }
}

export interface LoadOptions {
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Checks of sections the loader does not own (detector settings), run before anything starts. */
  checks?: readonly SectionCheck[];
}

export function loadConfig(options: LoadOptions = {}): CloudConfig {
  const env = options.env ?? process.env;
  const source = options.configFile ? resolve(options.configFile) : null;
  const read = source ? readConfigFile(source) : undefined;
  const file: FileConfig = read?.file ?? {};
  const problems: string[] = [];
  if (read) for (const check of options.checks ?? []) problems.push(...check(read.source, file));
  /** `file:line:col: field` of a file field, for checks beyond the schema. */
  const at = (path: FieldPath) => (read ? `${read.source.where(path)}: ${formatPath(path)}` : formatPath(path));

  const httpPort = envInt(env, 'GRIDSAFE_HTTP_PORT', problems, 0, 65535) ?? file.http?.port ?? DEFAULTS.httpPort;
  const mqttPort = envInt(env, 'GRIDSAFE_MQTT_PORT', problems, 0, 65535) ?? file.mqtt?.port ?? DEFAULTS.mqttPort;
  const brokerUrl =
    envUrl(env, 'GRIDSAFE_BROKER_URL', ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'], problems) ??
    (file.mqtt?.brokerUrl
      ? checkUrl(
          file.mqtt.brokerUrl,
          at(['mqtt', 'brokerUrl']),
          ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'],
          problems,
        )
      : undefined);

  const databaseUrl =
    envUrl(env, 'GRIDSAFE_DATABASE_URL', ['postgres:', 'postgresql:'], problems) ??
    (file.database?.url
      ? checkUrl(file.database.url, at(['database', 'url']), ['postgres:', 'postgresql:'], problems)
      : undefined);

  const influxUrl =
    envUrl(env, 'GRIDSAFE_INFLUX_URL', ['http:', 'https:'], problems) ??
    (file.influx?.url ? checkUrl(file.influx.url, at(['influx', 'url']), ['http:', 'https:'], problems) : undefined);
  let influx: CloudConfig['influx'];
  if (influxUrl) {
    const bucket = env['GRIDSAFE_INFLUX_BUCKET'] || file.influx?.bucket || 'gridsafe';
    influx = {
      url: influxUrl,
      bucket,
      database: env['GRIDSAFE_INFLUX_DATABASE'] || file.influx?.database || bucket,
    };
    const token = env['GRIDSAFE_INFLUX_TOKEN'] || file.influx?.token;
    const org = env['GRIDSAFE_INFLUX_ORG'] || file.influx?.org;
    const username = env['GRIDSAFE_INFLUX_USERNAME'] || file.influx?.username;
    const password = env['GRIDSAFE_INFLUX_PASSWORD'] || file.influx?.password;
    if (token) influx.token = token;
    if (org) influx.org = org;
    if (username) influx.username = username;
    if (password) influx.password = password;
    if (file.influx?.retentionPolicy) influx.retentionPolicy = file.influx.retentionPolicy;
    if (file.influx?.gzip !== undefined) influx.gzip = file.influx.gzip;
  }

  const apiDemo = envBool(env, 'GRIDSAFE_DEMO', problems) ?? file.api?.demo ?? false;
  const apiUsers = [...(file.api?.users ?? []), ...(apiDemo ? DEMO_USERS : [])];
  const adminToken = env['GRIDSAFE_API_ADMIN_TOKEN'];
  if (adminToken) {
    if (adminToken.length < 16)
      problems.push('environment variable GRIDSAFE_API_ADMIN_TOKEN: must be at least 16 characters');
    else apiUsers.push({ name: 'admin', role: 'admin', token: adminToken });
  }
  for (const [index, user] of apiUsers.entries()) {
    if (user.role === 'inspector' && (!user.areas || user.areas.length === 0)) {
      const message = `("${user.name}") is an inspector but names no areas: add areas: [<area>, ...]`;
      problems.push(read ? problemAt(read.source, ['api', 'users', index], message) : message);
    }
  }

  const topicPrefix = env['GRIDSAFE_TOPIC_PREFIX'] || file.mqtt?.topicPrefix || DEFAULT_TOPIC_PREFIX;
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(topicPrefix)) {
    problems.push(
      `topic prefix "${topicPrefix}": must be topic levels of letters, digits, _ or - separated by / (no wildcards)`,
    );
  }

  const logLevel = env['GRIDSAFE_LOG_LEVEL'] || file.logLevel || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`log level "${logLevel}": must be one of fatal error warn info debug trace silent`);
  }

  // Checks across fields of the analytics' sections (their fields passed the file's schema).
  const sectionOf = <T>(parse: (raw: unknown, source?: ConfigSource) => T, raw: unknown): T | undefined => {
    try {
      return read ? parse(raw, read.source) : parse(raw);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const forecast = sectionOf(forecastSettingsOf, file.forecast);
  const lineLoss = sectionOf(lineLossSettingsOf, file.lineLoss);

  const seedFile = env['GRIDSAFE_SEED_FILE'] || file.seedFile;
  const tls = file.mqtt?.tls;
  const config: CloudConfig = {
    source,
    http: {
      host: env['GRIDSAFE_HTTP_HOST'] || file.http?.host || DEFAULTS.httpHost,
      port: httpPort,
      bodyLimitBytes: file.http?.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes,
      rateLimitPerMinute: file.http?.rateLimitPerMinute ?? DEFAULTS.rateLimitPerMinute,
    },
    mqtt: {
      host: env['GRIDSAFE_MQTT_HOST'] || file.mqtt?.host || DEFAULTS.mqttHost,
      port: mqttPort,
      shareGroup: env['GRIDSAFE_SHARE_GROUP'] || file.mqtt?.shareGroup || DEFAULTS.shareGroup,
      clientId: env['GRIDSAFE_INSTANCE_ID'] || file.mqtt?.clientId || `gridsafe-cloud-${hostname()}`,
      topicPrefix,
      requireAuth: envBool(env, 'GRIDSAFE_MQTT_REQUIRE_AUTH', problems) ?? file.mqtt?.requireAuth ?? true,
    },
    dataDir: resolve(env['GRIDSAFE_DATA_DIR'] || file.dataDir || DEFAULTS.dataDir),
    relational: databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'sqlite' },
    detectors: file.detectors ?? {},
    tickIntervalMs: file.tickIntervalMs ?? DEFAULTS.tickIntervalMs,
    apiUsers,
    apiDemo,
    apiAuth: envBool(env, 'GRIDSAFE_API_AUTH', problems) ?? file.api?.auth ?? apiUsers.length > 0,
    logLevel,
    workflow: file.workflow ?? {},
    // Placeholders only while a problem is reported below (the config is then never returned).
    forecast: forecast ?? DEFAULT_FORECAST_SETTINGS,
    lineLoss: lineLoss ?? DEFAULT_LINE_LOSS_SETTINGS,
  };
  if (brokerUrl) config.mqtt.brokerUrl = brokerUrl;
  const brokerUsername = env['GRIDSAFE_BROKER_USERNAME'] || file.mqtt?.username;
  const brokerPassword = env['GRIDSAFE_BROKER_PASSWORD'] || file.mqtt?.password;
  if (brokerUsername) config.mqtt.brokerUsername = brokerUsername;
  if (brokerPassword) config.mqtt.brokerPassword = brokerPassword;
  if (tls) config.mqtt.tls = { certFile: resolve(tls.certFile), keyFile: resolve(tls.keyFile), port: tls.port ?? 8883 };
  if (seedFile) config.seedFile = resolve(seedFile);
  if (influx) config.influx = influx;
  if (apiDemo && !config.apiAuth)
    problems.push('api.demo lists the demo users on the sign-in page, which needs api.auth: remove api.auth: false');
  if (envBool(env, 'GRIDSAFE_CLUSTER', problems) ?? file.cluster?.enabled ?? false) {
    if (!databaseUrl || !influx)
      problems.push(
        'cluster mode (GRIDSAFE_CLUSTER / cluster.enabled) needs the shared stores: set GRIDSAFE_DATABASE_URL (PostgreSQL) and GRIDSAFE_INFLUX_URL (InfluxDB)',
      );
    config.cluster = {
      partitions: file.cluster?.partitions ?? DEFAULTS.clusterPartitions,
      takeoverSeconds:
        envInt(env, 'GRIDSAFE_CLUSTER_TAKEOVER_SECONDS', problems, 1, 300) ??
        file.cluster?.takeoverSeconds ??
        DEFAULTS.clusterTakeoverSeconds,
      instanceId: config.mqtt.clientId,
    };
  }
  if (config.apiAuth && apiUsers.length === 0) {
    problems.push(
      'the HTTP API requires tokens (api.auth / GRIDSAFE_API_AUTH) but no API user is configured: add api.users or set GRIDSAFE_API_ADMIN_TOKEN',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems, HEADLINE);
  return config;
}
