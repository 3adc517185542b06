/**
 * The gateway assembled: buses and device pollers → batcher → durable outbox → MQTT
 * uplink, plus health, commands and the scheduled energy reading. Each arrow is one
 * module; this file only wires them and owns start, reload and stop.
 */
import type { Logger, Reading } from '@gridsafe/shared';
import { createLogger } from '@gridsafe/shared/util/logger.js';
import { ConfigError } from '@gridsafe/shared/config/error.js';
import { loadConfigIsolated } from './config/load-isolated.js';
import type { BusConfig, GatewayConfig } from './config/types.js';
import { startEnergySnapshots } from './jobs/midnight-energy.js';
import type { ScheduledJob } from './jobs/wall-clock-schedule.js';
import { Bus } from './modbus/bus.js';
import { ModbusSerialLink, type ModbusLink } from './modbus/link.js';
import { OVERFLOW_POLICIES } from './outbox/overflow/index.js';
import { SqliteOutbox } from './outbox/sqlite-outbox.js';
import type { Outbox } from './outbox/types.js';
import { Batcher } from './poll/batcher.js';
import { DevicePoller, type DeviceCommState } from './poll/device-poller.js';
import { Dlt645Poller } from './dlt645/poller.js';
import { discoverMeters } from './dlt645/discovery.js';
import { MqttUplink } from './uplink/mqtt-uplink.js';
import { GATEWAY_VERSION } from './version.js';

export interface GatewayOptions {
  config: GatewayConfig;
  /** The file to read again on reload-config (undefined: the embedded demo). */
  configPath?: string | undefined;
  logger?: Logger;
  /** Makes the Modbus link of a bus (tests and benchmarks may wrap it). */
  linkFactory?: (bus: BusConfig) => ModbusLink;
}

export class Gateway {
  readonly log: Logger;
  readonly outbox: Outbox;
  readonly uplink: MqttUplink;
  private config: GatewayConfig;
  private buses = new Map<string, Bus>();
  private pollers = new Map<string, DevicePoller>();
  private readonly batcher: Batcher;
  private cronTask: ScheduledJob | undefined;
  private readonly startedAt = Date.now();
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: GatewayOptions) {
    this.config = options.config;
    this.log = options.logger ?? createLogger('gateway');
    const config = this.config;
    this.outbox = new SqliteOutbox({
      dataDir: config.dataDir,
      gatewayId: config.gatewayId,
      maxBytes: config.outbox.maxBytes,
      policy: OVERFLOW_POLICIES[config.outbox.overflow]!,
      synchronous: config.outbox.synchronous,
    });
    this.batcher = new Batcher(
      { gatewayId: config.gatewayId, ...config.batch },
      (batch) => {
        const before = this.outbox.stats().overflow;
        this.outbox.appendBatch(batch);
        const after = this.outbox.stats().overflow;
        if (after['batchesDropped'] !== before['batchesDropped']) {
          this.log.warn({ overflow: after }, 'outbox full: the overflow policy dropped the oldest batches');
        }
        this.uplink.pump();
      },
      this.log,
    );
    this.uplink = new MqttUplink({
      config,
      outbox: this.outbox,
      version: GATEWAY_VERSION,
      log: this.log,
      health: () => this.health(),
      onCommand: (name, payload) => void this.command(name, payload),
    });
  }

  /** Starts polling and the uplink. */
  start(): void {
    this.startPolling(this.config);
    this.uplink.start();
    this.event(undefined, 'config_applied', {
      source: this.config.source,
      devices: this.config.devices.length,
      buses: this.config.buses.length,
      version: GATEWAY_VERSION,
    });
    this.log.info(
      {
        gateway: this.config.gatewayId,
        source: this.config.source,
        devices: this.config.devices.map((d) => d.id),
        dataDir: this.config.dataDir,
        outbox: this.outbox.stats(),
      },
      'gateway started',
    );
  }

  /** Starts buses and pollers; `previous` carries each device's comm state across a reload. */
  private startPolling(config: GatewayConfig, previous = new Map<string, DeviceCommState>()): void {
    const factory = this.options.linkFactory ?? ((bus: BusConfig) => new ModbusSerialLink(bus));
    for (const busConfig of config.buses)
      this.buses.set(busConfig.id, new Bus(busConfig, factory(busConfig), this.log.child({ bus: busConfig.id })));
    const perBus = new Map<string, number>();
    for (const device of config.devices) {
      const bus = this.buses.get(device.bus)!;
      const poller = new (device.dlt645 ? Dlt645Poller : DevicePoller)(
        device,
        bus,
        (reading) => this.batcher.add(reading),
        (id, type, detail) => this.event(id, type, detail),
        this.log.child({ device: device.id }),
        previous.get(device.id),
      );
      this.pollers.set(device.id, poller);
      // Spread the devices of a bus over the first interval so they do not all queue at once.
      const index = perBus.get(device.bus) ?? 0;
      perBus.set(device.bus, index + 1);
      const onBus = config.devices.filter((d) => d.bus === device.bus).length;
      poller.start(Math.floor((device.pollIntervalMs * index) / onBus));
    }
    const job = config.jobs.midnightEnergy;
    if (job.enabled) {
      this.cronTask = startEnergySnapshots({
        cron: job.cron,
        timezone: job.timezone,
        readNow: () => this.readNow(config.devices.filter((d) => d.profile.kind === 'meter').map((d) => d.id)),
        emit: (device, detail) => this.event(device, 'energy_snapshot', detail),
        log: this.log,
      });
    }
  }

  private async stopPolling(): Promise<void> {
    await this.cronTask?.stop();
    this.cronTask = undefined;
    await Promise.all([...this.pollers.values()].map((p) => p.stop()));
    await Promise.all([...this.buses.values()].map((b) => b.stop()));
    this.pollers.clear();
    this.buses.clear();
  }

  event(device: string | undefined, type: string, detail: Record<string, unknown>): void {
    this.outbox.appendEvent({ ts: Date.now(), type, ...(device !== undefined ? { device } : {}), detail });
    this.uplink.pump();
  }

  /** Polls the named devices (all when none named) at once. */
  async readNow(devices?: string[]): Promise<Reading[]> {
    const chosen = devices
      ? devices.map((id) => this.pollers.get(id)).filter((p): p is DevicePoller => p !== undefined)
      : [...this.pollers.values()];
    const readings = await Promise.all(chosen.map((p) => p.pollNow()));
    this.batcher.flush();
    return readings.filter((r): r is Reading => r !== undefined);
  }

  private async command(name: string, payload: Buffer): Promise<void> {
    this.log.info({ command: name }, 'command received');
    try {
      if (name === 'read-now') {
        let devices: string[] | undefined;
        if (payload.length > 0) {
          const body = JSON.parse(payload.toString('utf8')) as { devices?: unknown };
          if (Array.isArray(body.devices)) devices = body.devices.map(String);
        }
        const readings = await this.readNow(devices);
        this.event(undefined, 'command_done', { command: name, readings: readings.length });
      } else if (name === 'reload-config') {
        const applied = await this.reload();
        this.event(undefined, 'command_done', { command: name, applied });
      } else if (name === 'discover-dlt645') {
        const body =
          payload.length > 0 ? (JSON.parse(payload.toString('utf8')) as { bus?: unknown; probeTimeout?: unknown }) : {};
        const bus = this.buses.get(String(body.bus));
        if (!bus) throw new Error(`name a serial bus as {"bus": "<id>"} (buses: ${[...this.buses.keys()].join(', ')})`);
        const probeTimeout = body.probeTimeout;
        if (probeTimeout !== undefined && !(Number.isInteger(probeTimeout) && Number(probeTimeout) >= 10))
          throw new Error('probeTimeout must be a whole number of milliseconds, at least 10');
        const found = await discoverMeters(
          bus,
          probeTimeout === undefined ? {} : { probeTimeoutMs: Number(probeTimeout) },
        );
        this.event(undefined, 'command_done', { command: name, bus: bus.id, ...found });
      } else {
        this.event(undefined, 'command_rejected', {
          command: name,
          reason: 'unknown command; known: read-now, reload-config, discover-dlt645',
        });
      }
    } catch (error) {
      this.log.error({ command: name, err: (error as Error).message }, 'command failed');
      this.event(undefined, 'command_rejected', { command: name, reason: (error as Error).message });
    }
  }

  /**
   * Reads the config again; applies it when it is valid and needs no restart, and says
   * whether it did. A device that keeps its id keeps its comm state (a lost device still
   * gets comm_restored when it answers) and, on the same bus, unit and profile, its learned holes.
   */
  async reload(): Promise<boolean> {
    let next: GatewayConfig;
    try {
      next = await loadConfigIsolated(this.options.configPath);
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems : [(error as Error).message];
      this.log.error({ problems }, 'reload-config: the new configuration is not valid; keeping the running one');
      this.event(undefined, 'config_rejected', { source: this.config.source, problems });
      return false;
    }
    const fixed = (c: GatewayConfig) => JSON.stringify([c.gatewayId, c.mqtt, c.dataDir, c.outbox, c.batch]);
    if (fixed(next) !== fixed(this.config)) {
      const problems = ['gateway id, mqtt, dataDir, outbox and batch settings change only with a restart'];
      this.event(undefined, 'config_rejected', { source: next.source, problems });
      this.log.error({ problems }, 'reload-config refused');
      return false;
    }
    const previous = new Map([...this.pollers].map(([id, poller]) => [id, poller.commState()]));
    await this.stopPolling();
    this.config = next;
    this.startPolling(next, previous);
    this.event(undefined, 'config_applied', {
      source: next.source,
      devices: next.devices.length,
      buses: next.buses.length,
      version: GATEWAY_VERSION,
    });
    this.log.info({ devices: next.devices.map((d) => d.id) }, 'configuration reloaded');
    return true;
  }

  health(): Record<string, unknown> {
    const devices: Record<string, unknown> = {};
    for (const [id, poller] of this.pollers) devices[id] = poller.health();
    const buses: Record<string, unknown> = {};
    for (const [id, bus] of this.buses) buses[id] = bus.health();
    return {
      at: Date.now(),
      uptimeS: Math.round((Date.now() - this.startedAt) / 1000),
      readings: this.batcher.counters,
      outbox: this.outbox.stats(),
      uplink: this.uplink.health(),
      buses,
      devices,
    };
  }

  /** Stops polling, seals what was read, sends what it can, marks itself offline, closes the outbox. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info('stopping: no new polls; flushing');
      await this.stopPolling();
      this.batcher.stop();
      await this.uplink.stop(this.config.shutdownFlushMs);
      const left = this.outbox.stats();
      this.outbox.close();
      this.log.info(
        { unsentBatches: left.batches, unsentEvents: left.events, lastSeq: left.lastSeq },
        'gateway stopped',
      );
    })();
    return this.stopping;
  }
}
