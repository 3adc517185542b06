/**
 * Runs a scenario live: ticks every device on the wall clock, serves their registers on
 * the scenario's buses, writes the served-values log and the ground truth as it goes.
 */
import { createLogger, loadBuiltinProfiles, type DeviceProfile, type Logger, type Quantity } from '@gridsafe/shared';
import { FleetModel, truthRecord } from '../model/fleet.js';
import type { CommFault, Scenario } from '../scenario/types.js';
import { ModbusTcpServer } from '../transport/tcp-server.js';
import { ModbusRtuServer, type RtuBusCounters } from '../transport/rtu-server.js';
import { JsonlFile } from './jsonl-file.js';
import { SimDevice, type DeviceCounters } from './sim-device.js';

export interface SimulatorOptions {
  /** JSONL of every served state: `{ts, device, values}` in primary units. */
  servedLogPath?: string;
  /** JSONL of injected events with their labels, written as each starts. */
  truthPath?: string;
  logger?: Logger;
  /** Profiles by id (default: shared/profiles). */
  profiles?: Map<string, DeviceProfile>;
  /** The scenario's t0, ms since the epoch (default: now). */
  t0?: number;
  /** Overrides the scenario's tick. */
  tickMs?: number;
}

export interface SimulatorHandle {
  t0: number;
  tickMs: number;
  /** Bound TCP ports, one per TCP bus (the real port when the scenario asked for 0). */
  tcp: Array<{ bus: string; host: string; port: number }>;
  rtu: Array<{ bus: string; path: string }>;
  devices: string[];
  /** The values a device serves now (primary units) and since when. */
  current(deviceId: string): { since: number; values: Partial<Record<Quantity, number>> };
  /** Forces a comm fault on a device (null: none), or returns it to its scenario (undefined). */
  setFault(deviceId: string, fault: (Partial<CommFault> & Pick<CommFault, 'fault'>) | null | undefined): void;
  counters(deviceId: string): DeviceCounters;
  /** Frame counters of an RTU bus (frames served, and dropped by kind). */
  rtuCounters(busId: string): RtuBusCounters;
  stop(): Promise<void>;
}

export async function startSimulator(scenario: Scenario, options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const log = options.logger ?? createLogger('firmware-sim');
  const profiles = options.profiles ?? loadBuiltinProfiles();
  const t0 = options.t0 ?? Date.now();
  const tickMs = options.tickMs ?? scenario.tickMs;
  const fleet = new FleetModel({ ...scenario, tickMs }, t0, profiles);

  const devices = new Map<string, SimDevice>();
  for (const spec of scenario.devices) {
    const profile = profiles.get(spec.profile);
    if (!profile)
      throw new Error(
        `${scenario.source}: device "${spec.id}" names profile "${spec.profile}", which is not among ${[...profiles.keys()].join(', ')}`,
      );
    devices.set(
      spec.id,
      new SimDevice(spec, profile, fleet.timelines.get(spec.id)!, scenario.seed, scenario.utcOffsetMinutes),
    );
  }

  const served = options.servedLogPath ? new JsonlFile(options.servedLogPath) : undefined;
  const truth = options.truthPath ? new JsonlFile(options.truthPath) : undefined;
  const truthWritten = new Set<number>();

  const tick = (ts: number) => {
    const lines: unknown[] = [];
    for (const device of devices.values()) lines.push({ ts, device: device.id, values: device.tick(ts) });
    served?.write(lines);
    const started = fleet.events.filter((e) => e.startMs <= ts && !truthWritten.has(e.index));
    for (const e of started) {
      truthWritten.add(e.index);
      const record = truthRecord(scenario, e);
      log.info({ truth: record }, `event ${record.event} on ${record.device} started`);
    }
    truth?.write(started.map((e) => truthRecord(scenario, e)));
  };

  // The first state is served from the moment the servers listen.
  tick(Date.now());
  for (const device of devices.values()) {
    if (device.registers.unsupportedSettings.length > 0) {
      log.warn(
        { device: device.id, settings: device.registers.unsupportedSettings },
        'the simulator has no value for these profile settings; they read 0',
      );
    }
  }

  const tcpServers: ModbusTcpServer[] = [];
  const rtuServers: ModbusRtuServer[] = [];
  const handle: SimulatorHandle = {
    t0,
    tickMs,
    tcp: [],
    rtu: [],
    devices: [...devices.keys()],
    current: (id) => device(id).current(),
    setFault: (id, fault) =>
      device(id).setFault(fault ? { code: 6, delayMs: 2000, garbageBytes: 16, probability: 1, ...fault } : fault),
    counters: (id) => device(id).counters,
    rtuCounters: (id) => {
      const server = rtuServers.find((s) => s.spec.id === id);
      if (!server) throw new Error(`no simulated RTU bus "${id}"`);
      return { ...server.counters };
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.all([...tcpServers.map((s) => s.stop()), ...rtuServers.map((s) => s.stop())]);
      served?.close();
      truth?.close();
      log.info('simulator stopped');
    },
  };
  const device = (id: string): SimDevice => {
    const found = devices.get(id);
    if (!found) throw new Error(`no simulated device "${id}"`);
    return found;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  try {
    for (const bus of scenario.buses) {
      const onBus = [...devices.values()].filter((d) => d.spec.bus === bus.id);
      if (bus.kind === 'tcp') {
        const server = new ModbusTcpServer(bus, onBus, log);
        tcpServers.push(server);
        const bound = await server.start();
        handle.tcp.push({ bus: bus.id, ...bound });
      } else {
        const server = new ModbusRtuServer(bus, onBus, log);
        rtuServers.push(server);
        await server.start();
        handle.rtu.push({ bus: bus.id, path: bus.path });
      }
    }
  } catch (error) {
    await handle.stop();
    throw error;
  }

  // Ticks on the grid t0 + k·tick, so the state changes stay in step however long a tick takes.
  let k = Math.floor((Date.now() - t0) / tickMs) + 1;
  const schedule = () => {
    if (stopped) return;
    const due = t0 + k * tickMs;
    timer = setTimeout(
      () => {
        if (stopped) return;
        k = Math.max(k + 1, Math.floor((Date.now() - t0) / tickMs) + 1);
        tick(Date.now());
        schedule();
      },
      Math.max(0, due - Date.now()),
    );
  };
  schedule();
  log.info(
    { devices: handle.devices, tcp: handle.tcp, rtu: handle.rtu, tickMs, scenario: scenario.name },
    'simulator running',
  );
  return handle;
}
