/**
 * The link emulator: a TCP proxy between a gateway and its MQTT broker that behaves
 * like a cellular uplink. Bandwidth is limited per direction by a token bucket shared by
 * all connections, each direction has a one-way delay, and the link can be cut — by
 * hand, on a schedule or at seeded random — either by resetting every connection
 * ('reset') or by silently moving nothing until it comes back ('stall'). Bytes are
 * counted as they cross, so benchmarks measure what a utility would pay for.
 */
import { EventEmitter } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { cutWindows, checkCutSchedule, type CutMode, type CutSchedule, type CutWindow } from './cut-plan.js';
import { Lane, type Flow, type LaneCounters, type Signal } from './lane.js';

export type Direction = 'up' | 'down';

export interface LinkEmulatorOptions {
  /** Where the broker is. */
  target: { host: string; port: number };
  /** Where the gateway connects; port 0 (default) picks a free one. */
  listen?: { host?: string; port?: number };
  /** Bits a second gateway → broker; null or absent: unlimited. */
  upBitsPerSecond?: number | null;
  /** Bits a second broker → gateway; null or absent: unlimited. */
  downBitsPerSecond?: number | null;
  /** Bucket depth in bytes (default 1500, one packet: a cellular link does not save up). */
  burstBytes?: number;
  /** One-way delay added in each direction, in ms (default 0). */
  latencyMs?: number;
  /** Cuts to apply by themselves, counted from start(). */
  schedule?: CutSchedule;
  /** Observer of every piece that crosses the link (e.g. to parse MQTT packets). */
  onTransmit?: (direction: Direction, bytes: Buffer, connectionId: number) => void;
}

export interface LinkStats {
  state: 'up' | CutMode;
  connections: { accepted: number; active: number; refused: number; reset: number };
  up: LaneCounters;
  down: LaneCounters;
  cuts: number;
  /** Total time the link has been down, ms (including a cut in progress). */
  downMs: number;
}

/** Above this many queued bytes a connection's source is paused, so the slowness reaches the sender. */
const HIGH_WATER_BYTES = 64 * 1024;

interface Connection {
  id: number;
  client: Socket;
  upstream: Socket | null;
  up: Flow;
  down: Flow;
}

export class LinkEmulator extends EventEmitter {
  private readonly server: Server;
  private readonly lanes: Record<Direction, Lane>;
  private readonly connections = new Map<number, Connection>();
  private readonly held = new Set<Connection>();
  private nextId = 1;
  private state: 'up' | CutMode = 'up';
  private downSince = 0;
  private downTotal = 0;
  private restoreTimer: NodeJS.Timeout | null = null;
  private scheduleTimer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private readonly counts = { accepted: 0, refused: 0, reset: 0, cuts: 0 };

  constructor(private readonly options: LinkEmulatorOptions) {
    super();
    if (options.schedule) {
      const problem = checkCutSchedule(options.schedule);
      if (problem) throw new Error(`link emulator schedule: ${problem}`);
    }
    for (const [name, value] of [
      ['upBitsPerSecond', options.upBitsPerSecond],
      ['downBitsPerSecond', options.downBitsPerSecond],
    ] as const) {
      if (value !== undefined && value !== null && !(Number.isFinite(value) && value > 0))
        throw new Error(`link emulator ${name} must be a positive number of bits a second, got ${value}`);
    }
    if (options.latencyMs !== undefined && !(options.latencyMs >= 0))
      throw new Error(`link emulator latencyMs must be zero or more, got ${options.latencyMs}`);
    const lane = (direction: Direction, bitsPerSecond: number | null | undefined) =>
      new Lane({
        bitsPerSecond: bitsPerSecond ?? null,
        burstBytes: options.burstBytes ?? 1500,
        latencyMs: options.latencyMs ?? 0,
        onTransmit: options.onTransmit ? (bytes, id) => options.onTransmit?.(direction, bytes, id) : undefined,
      });
    this.lanes = { up: lane('up', options.upBitsPerSecond), down: lane('down', options.downBitsPerSecond) };
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
  }

  /** Starts listening (and the schedule, if any); resolves to the port the gateway should use. */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.listen?.port ?? 0, this.options.listen?.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.startedAt = performance.now();
    if (this.options.schedule) this.runSchedule(cutWindows(this.options.schedule));
    return this.port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  /** Takes the link down now; with `forMs` it comes back by itself. */
  cut(mode: CutMode = 'reset', forMs?: number): void {
    if (this.restoreTimer) clearTimeout(this.restoreTimer);
    this.restoreTimer = forMs === undefined ? null : setTimeout(() => this.restore(), forMs);
    if (this.state !== 'up') {
      if (this.state === mode) return;
      this.resumeLanes(); // switching between modes: settle the old one first
    } else {
      this.downSince = performance.now();
      this.counts.cuts += 1;
    }
    this.state = mode;
    if (mode === 'reset') {
      for (const connection of [...this.connections.values()]) this.reset(connection);
    } else {
      this.lanes.up.stall();
      this.lanes.down.stall();
    }
    this.emit('cut', mode);
  }

  /** Brings the link back; connections held during a stall go through. */
  restore(): void {
    if (this.restoreTimer) clearTimeout(this.restoreTimer);
    this.restoreTimer = null;
    if (this.state === 'up') return;
    this.downTotal += performance.now() - this.downSince;
    this.state = 'up';
    // Dial the held connections before the lanes move, so what they queued has somewhere to go.
    const held = [...this.held];
    this.held.clear();
    for (const connection of held) this.dial(connection);
    this.resumeLanes();
    this.emit('restore');
  }

  stats(): LinkStats {
    const active = this.connections.size;
    return {
      state: this.state,
      connections: { accepted: this.counts.accepted, active, refused: this.counts.refused, reset: this.counts.reset },
      up: { ...this.lanes.up.counters },
      down: { ...this.lanes.down.counters },
      cuts: this.counts.cuts,
      downMs: Math.round(this.downTotal + (this.state === 'up' ? 0 : performance.now() - this.downSince)),
    };
  }

  async close(): Promise<void> {
    if (this.restoreTimer) clearTimeout(this.restoreTimer);
    if (this.scheduleTimer) clearTimeout(this.scheduleTimer);
    this.lanes.up.close();
    this.lanes.down.close();
    for (const connection of this.connections.values()) {
      connection.up.alive = false;
      connection.down.alive = false;
      connection.client.destroy();
      connection.upstream?.destroy();
    }
    this.connections.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private resumeLanes(): void {
    this.lanes.up.resume();
    this.lanes.down.resume();
  }

  private runSchedule(windows: Generator<CutWindow>): void {
    const next = windows.next();
    if (next.done) return;
    const window = next.value;
    const delay = Math.max(0, this.startedAt + window.atMs - performance.now());
    this.scheduleTimer = setTimeout(() => {
      this.cut(window.mode, window.forMs);
      this.runSchedule(windows);
    }, delay);
  }

  private accept(client: Socket): void {
    this.counts.accepted += 1;
    if (this.state === 'reset') {
      // The link is down: the connection attempt fails at once, as with no carrier.
      this.counts.refused += 1;
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const id = this.nextId++;
    const connection = { id, client, upstream: null } as Connection;
    connection.up = this.flow(
      connection,
      () => connection.upstream,
      () => connection.client,
    );
    connection.down = this.flow(
      connection,
      () => connection.client,
      () => connection.upstream,
    );
    this.connections.set(id, connection);
    this.wire(connection, client, 'up');
    this.emit('connection', id);
    if (this.state === 'stall') {
      // A SYN into a dead link: the attempt hangs until the link returns.
      client.pause();
      this.held.add(connection);
      return;
    }
    this.dial(connection);
  }

  private dial(connection: Connection): void {
    if (connection.client.destroyed) {
      this.settle(connection);
      return;
    }
    const upstream = connect({
      host: this.options.target.host,
      port: this.options.target.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    connection.upstream = upstream;
    connection.client.resume();
    this.wire(connection, upstream, 'down');
  }

  /** The flow that delivers into `target()`; `source()` is paused above the high-water mark and resumed here. */
  private flow(connection: Connection, target: () => Socket | null, source: () => Socket | null): Flow {
    const flow: Flow = {
      id: connection.id,
      alive: true,
      queuedBytes: 0,
      deliver: (signal: Signal) => {
        const socket = target();
        if (!socket || socket.destroyed) return;
        if (signal.kind === 'data') socket.write(signal.bytes);
        else if (signal.kind === 'end') socket.end();
        else socket.resetAndDestroy();
      },
      drained: () => {
        const socket = source();
        if (socket && !socket.destroyed && socket.isPaused() && !this.held.has(connection)) socket.resume();
      },
    };
    return flow;
  }

  /** Feeds what `socket` receives into the lane of `direction`; FIN and RST travel the same way as bytes. */
  private wire(connection: Connection, socket: Socket, direction: Direction): void {
    const flow = direction === 'up' ? connection.up : connection.down;
    const lane = this.lanes[direction];
    socket.on('data', (bytes: Buffer) => {
      if (!flow.alive) return;
      lane.push(flow, { kind: 'data', bytes });
      if (flow.queuedBytes > HIGH_WATER_BYTES) socket.pause();
    });
    socket.on('end', () => {
      if (flow.alive) lane.push(flow, { kind: 'end' });
    });
    socket.on('error', () => undefined); // 'close' follows with hadError, which is what matters
    socket.on('close', (hadError) => {
      if (hadError && flow.alive) lane.push(flow, { kind: 'reset' });
      this.settle(connection);
    });
  }

  /** Forgets a connection once both of its sockets are closed. */
  private settle(connection: Connection): void {
    if (!connection.client.destroyed || (connection.upstream !== null && !connection.upstream.destroyed)) return;
    if (connection.upstream === null && this.held.has(connection)) this.held.delete(connection);
    connection.up.alive = false;
    connection.down.alive = false;
    this.lanes.up.clear(connection.up);
    this.lanes.down.clear(connection.down);
    this.connections.delete(connection.id);
  }

  private reset(connection: Connection): void {
    this.counts.reset += 1;
    this.lanes.up.clear(connection.up);
    this.lanes.down.clear(connection.down);
    connection.up.alive = false;
    connection.down.alive = false;
    connection.client.resetAndDestroy();
    connection.upstream?.resetAndDestroy();
    this.held.delete(connection);
    this.connections.delete(connection.id);
  }
}
