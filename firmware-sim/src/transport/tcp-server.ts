/**
 * Modbus TCP server for one port: MBAP framing, several devices behind it told apart by
 * unit id (as behind a serial-to-Ethernet gateway), and the devices' comm faults.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@gridsafe/shared';
import { EXCEPTION, exceptionPdu } from '../protocol/pdu.js';
import type { SimDevice } from '../runtime/sim-device.js';
import type { TcpBusSpec } from '../scenario/types.js';

const MBAP_HEADER = 7;
/** Largest MBAP length field: unit id + a 253-byte PDU. */
const MAX_MBAP_LENGTH = 254;

export class ModbusTcpServer {
  readonly spec: TcpBusSpec;
  private readonly units = new Map<number, SimDevice>();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;
  private readonly log: Logger;
  private readonly now: () => number;
  boundPort = 0;

  constructor(spec: TcpBusSpec, devices: SimDevice[], log: Logger, now: () => number = Date.now) {
    this.spec = spec;
    for (const d of devices) this.units.set(d.spec.unit, d);
    this.log = log.child({ bus: spec.id });
    this.now = now;
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new Error(
            `Modbus TCP bus "${this.spec.id}" cannot listen on ${this.spec.host}:${this.spec.port}: ${error.code ?? error.message}${error.code === 'EADDRINUSE' ? ' (the port is in use; set GRIDSAFE_SIM_TCP_PORT or the bus port)' : ''}`,
          ),
        ),
      );
      server.listen(this.spec.port, this.spec.host, () => resolve());
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : this.spec.port;
    this.log.info(
      { host: this.spec.host, port: this.boundPort, units: [...this.units.keys()] },
      'Modbus TCP listening',
    );
    return { host: this.spec.host, port: this.boundPort };
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.log.debug({ peer }, 'client connected');
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= MBAP_HEADER) {
        const protocol = pending.readUInt16BE(2);
        const length = pending.readUInt16BE(4);
        if (protocol !== 0 || length < 2 || length > MAX_MBAP_LENGTH) {
          this.log.warn({ peer, protocol, length }, 'not a Modbus TCP frame (bad MBAP header); closing the connection');
          socket.destroy();
          return;
        }
        if (pending.length < 6 + length) break;
        const frame = pending.subarray(0, 6 + length);
        pending = pending.subarray(6 + length);
        this.request(socket, frame);
      }
    });
    socket.on('error', (error) => this.log.debug({ peer, err: error.message }, 'client socket error'));
    socket.on('close', () => this.sockets.delete(socket));
  }

  private route(unit: number): SimDevice | undefined {
    const device = this.units.get(unit);
    // Unit 0 and 255 mean "the device at this address" when only one device sits behind the port.
    if (!device && (unit === 0 || unit === 255) && this.units.size === 1) return this.units.values().next().value;
    return device;
  }

  private request(socket: Socket, frame: Buffer): void {
    const transaction = frame.readUInt16BE(0);
    const unit = frame[6]!;
    const pdu = Buffer.from(frame.subarray(MBAP_HEADER));
    const device = this.route(unit);
    if (!device) {
      this.send(socket, transaction, unit, exceptionPdu(pdu[0] ?? 0, EXCEPTION.gatewayTargetFailed), false);
      return;
    }
    const reply = device.handle(pdu, this.now());
    if (!reply.pdu) return;
    const pduOut = reply.pdu;
    const action = reply.action;
    const deliver = () => {
      if (action.kind === 'garbage' && !socket.destroyed) socket.write(action.bytes);
      this.send(socket, transaction, unit, pduOut, action.kind === 'bad_crc');
    };
    if (action.kind === 'slow_reply') {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        deliver();
      }, action.delayMs);
      this.timers.add(timer);
    } else deliver();
  }

  /** TCP has no CRC: a "corrupted" reply carries a length field that does not match its PDU. */
  private send(socket: Socket, transaction: number, unit: number, pdu: Buffer, corrupt: boolean): void {
    if (socket.destroyed) return;
    const out = Buffer.alloc(MBAP_HEADER + pdu.length);
    out.writeUInt16BE(transaction, 0);
    out.writeUInt16BE(0, 2);
    out.writeUInt16BE(pdu.length + 1 + (corrupt ? 3 : 0), 4);
    out[6] = unit;
    pdu.copy(out, MBAP_HEADER);
    socket.write(out);
  }
}
