/** The gateway's configuration once read, checked and filled with defaults (all durations in ms, sizes in bytes). */
import type { DeviceProfile } from '@gridsafe/shared';

export type Parity = 'none' | 'even' | 'odd';

/** Fault-handling and planning settings; set under `polling:` and overridable per bus and per device. */
export interface PollingSettings {
  /** How long to wait for a reply. FACTS.md: typical response timeout 1 s to several seconds at 9600 baud. */
  timeoutMs: number;
  /** Extra attempts after a timeout, CRC or framing error. */
  retries: number;
  /** First retry delay; doubles each attempt. */
  retryBackoffMs: number;
  /** Extra attempts after exception 6 (slave device busy). */
  busyRetries: number;
  busyBackoffMs: number;
  /** Unwanted registers a request may read to merge two wanted ones (Telegraf's optimization_max_register_fill). */
  gapFill: number;
  /** Failed polls in a row before a device is reported comm_lost and backed off. */
  commLostAfter: number;
  /** Longest interval between attempts at a lost device (Neuron skips a failing slave for 600 s). */
  backoffMaxMs: number;
}

export interface TcpBusConfig {
  id: string;
  kind: 'tcp';
  host: string;
  port: number;
  /** Requests in flight at once on this connection (devices polled in parallel). */
  maxInFlight: number;
  /** Pause after (re)connecting before the first request (some devices drop the first one). */
  pauseAfterConnectMs: number;
  /** Longest wait between two attempts to reopen the connection. */
  reconnectMaxMs: number;
  polling: PollingSettings;
}

export interface SerialBusConfig {
  id: string;
  kind: 'serial';
  path: string;
  baudRate: number;
  parity: Parity;
  dataBits: 7 | 8;
  stopBits: 1 | 2;
  /** Extra silence between a reply and the next request, beyond the 3.5-character minimum. */
  pauseMs: number;
  /** Longest wait between two attempts to reopen the serial port. */
  reconnectMaxMs: number;
  polling: PollingSettings;
}

export type BusConfig = TcpBusConfig | SerialBusConfig;

/** How a DL/T 645 meter is reached (FACTS.md "DL/T 645-2007"). */
export interface Dlt645DeviceConfig {
  /** 12 digits as printed on the meter, most significant first. */
  address: string;
  /** Wake-up bytes (FE) before each request; FACTS.md: masters send 4. */
  preamble: number;
  /** Offset of the meter's clock from UTC, for the times it reports (maximum demand). */
  utcOffsetMinutes: number;
}

export interface DeviceConfig {
  id: string;
  bus: string;
  /** The Modbus unit address (0 for a DL/T 645 meter, which has `dlt645.address`). */
  unit: number;
  dlt645?: Dlt645DeviceConfig;
  profile: DeviceProfile;
  ctRatio: number;
  ptRatio: number;
  pollIntervalMs: number;
  /** Cap on registers per request: the profile's, lowered by config for a quirky unit. */
  maxRegistersPerRequest: number;
  polling: PollingSettings;
}

export interface GatewayConfig {
  /** The file it came from, or "embedded demo config". */
  source: string;
  gatewayId: string;
  mqtt: {
    url: string;
    username: string;
    password: string | undefined;
    clientId: string;
    topicPrefix: string;
    keepaliveS: number;
    reconnectMinMs: number;
    reconnectMaxMs: number;
    /** Telemetry batches awaiting PUBACK at once. */
    inflight: number;
    /** Telemetry encoding: the JSON reference, or the compact one (negotiated by topic suffix, CONTRACT.md). */
    encoding: 'json' | 'compact';
    statusIntervalMs: number;
  };
  dataDir: string;
  batch: { maxAgeMs: number; maxReadings: number; maxBytes: number };
  outbox: { maxBytes: number; overflow: string; synchronous: 'full' | 'normal' };
  profileDir: string | undefined;
  buses: BusConfig[];
  devices: DeviceConfig[];
  jobs: { midnightEnergy: { enabled: boolean; cron: string; timezone: string | undefined } };
  shutdownFlushMs: number;
}
