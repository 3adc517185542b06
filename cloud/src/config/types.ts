/** The cloud's configuration, after defaults, the config file and GRIDSAFE_* variables are merged. */
import type { ApiUser } from '@gridsafe/shared';
import type { ForecastSettings } from '../forecast/settings.js';
import type { LineLossSettings } from '../lineloss/settings.js';

export interface InfluxConfig {
  url: string;
  /** v2 API token (InfluxDB 2.x/3.x) — redacted from logs. */
  token?: string;
  org?: string;
  bucket: string;
  /** v1 database for InfluxQL reads and v1 writes; defaults to the bucket name. */
  database: string;
  username?: string;
  password?: string;
  /** Retention policy for v1 writes/reads (empty: the database default). */
  retentionPolicy?: string;
  /** Gzip write bodies: for an InfluxDB across a slow or metered link; on a LAN it only costs CPU on both ends. */
  gzip?: boolean;
}

export interface RelationalConfig {
  /** `sqlite` (default, a file in the data folder) or `postgres` (with `url`). */
  kind: 'sqlite' | 'postgres';
  url?: string;
}

/** Several instances as one service (issue 13; cloud/README.md "Several instances"). */
export interface ClusterConfig {
  /** Partitions of the gateways (by a hash of the gateway id); one instance at a time runs each one's detection. */
  partitions: number;
  /** How often an instance claims partitions without an owner, s: the longest a dead instance's partitions wait. */
  takeoverSeconds: number;
  /** This instance's name in the leases' connection, logs and metrics. */
  instanceId: string;
}

export interface CloudConfig {
  /** Where the source file was, for messages (null: defaults and environment only). */
  source: string | null;
  http: { host: string; port: number; bodyLimitBytes: number; rateLimitPerMinute: number };
  mqtt: {
    host: string;
    port: number;
    /** When set, no embedded broker runs; the cloud subscribes to this broker with $share subscriptions. */
    brokerUrl?: string;
    brokerUsername?: string;
    brokerPassword?: string;
    /** Shared-subscription group used in external-broker mode. */
    shareGroup: string;
    /** MQTT client id on the external broker (stable per instance, so its session survives restarts). */
    clientId: string;
    topicPrefix: string;
    /** Gateways must authenticate to the embedded broker (default true). */
    requireAuth: boolean;
    tls?: { certFile: string; keyFile: string; port: number };
  };
  dataDir: string;
  seedFile?: string;
  influx?: InfluxConfig;
  relational: RelationalConfig;
  /** Per-detector settings, passed to detection as DetectionDependencies.settings. */
  detectors: Record<string, Record<string, unknown>>;
  /** Wall-clock tick for silence-based rules, ms. */
  tickIntervalMs: number;
  /** Tokens for bootstrap API users: `{name, role, token, areas?}` (hashed at start, never stored plain). */
  apiUsers: Array<Omit<ApiUser, 'areas'> & { token: string; areas?: string[] }>;
  /** Demo mode: the demo users of each role (config/demo-users.ts) are among apiUsers and listed by the console. */
  apiDemo: boolean;
  /** When false, the HTTP API needs no token (the demo default is true: open, for localhost). */
  apiAuth: boolean;
  logLevel: string;
  /** Set when this instance is one of several sharing PostgreSQL and InfluxDB. */
  cluster?: ClusterConfig;
  /** The `workflow` section, checked by cloud/src/workflow-plugin/settings.ts. */
  workflow: Record<string, unknown>;
  /** The `forecast` section over its defaults (cloud/src/forecast/settings.ts). */
  forecast: ForecastSettings;
  /** The `lineLoss` section over its defaults (cloud/src/lineloss/settings.ts). */
  lineLoss: LineLossSettings;
}
