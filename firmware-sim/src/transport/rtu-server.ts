/**
 * Modbus RTU slaves on one serial port (a multi-drop RS-485 bus): a real tty or one end
 * of a socat pseudo-terminal pair. A pseudo-terminal moves bytes instantly, so this side
 * keeps the wire's time itself: a request occupies the line for its length in
 * characters, the device answers after the 3.5-character silence plus its turnaround,
 * and the reply's bytes leave at the baud rate.
 */
import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import { addressMatches, encodeFrame, type Dlt645Frame, type Logger } from '@gridsafe/shared';
import { collide, cutDlt645Frame } from '../dlt645/line.js';
import { crcOk, withCrc } from '../protocol/crc.js';
import { requestPduLength } from '../protocol/pdu.js';
import type { SimDevice } from '../runtime/sim-device.js';
import type { RtuBusSpec } from '../scenario/types.js';
import { Pacer } from './pacer.js';
import { wireTiming, type WireTiming } from './wire-timing.js';

/** Leftover bytes that make no frame are dropped after this much quiet (a pseudo-terminal's own timing is not the wire's). */
const STALE_BYTES_MS = 50;

export interface RtuBusCounters {
  frames: number;
  crcErrors: number;
  discardedBytes: number;
  notForUs: number;
  tooSoon: number;
}

interface Request {
  frame: Buffer;
  /** When its first and last bytes reached us (performance.now()). */
  firstAt: number;
  lastAt: number;
}

export class ModbusRtuServer {
  readonly spec: RtuBusSpec;
  readonly timing: WireTiming;
  readonly counters: RtuBusCounters = { frames: 0, crcErrors: 0, discardedBytes: 0, notForUs: 0, tooSoon: 0 };
  private readonly units = new Map<number, SimDevice>();
  /** DL/T 645 meters on the line; with none, every frame is taken for Modbus RTU. */
  private readonly meters: SimDevice[] = [];
  private readonly log: Logger;
  private port: SerialPort | undefined;
  private pacer: Pacer | undefined;
  private rx: Buffer = Buffer.alloc(0);
  private rxFirstAt = 0;
  private rxLastAt = 0;
  private staleTimer: NodeJS.Timeout | undefined;
  /** Replies waiting for the line, earliest first: a slow device's late reply does not hold up the others. */
  private txQueue: Array<{ bytes: Buffer; startAt: number }> = [];
  private sending = false;
  private pumpTimer: NodeJS.Timeout | undefined;
  /** When the line is free again after our last reply (its end plus the 3.5-character silence). */
  private lineFreeAt = 0;
  private lastReplyEnd = -Infinity;
  private stopped = false;

  constructor(spec: RtuBusSpec, devices: SimDevice[], log: Logger) {
    this.spec = spec;
    this.timing = wireTiming(spec);
    for (const d of devices) {
      if (d.meter) this.meters.push(d);
      else this.units.set(d.spec.unit, d);
    }
    this.log = log.child({ bus: spec.id });
  }

  async start(): Promise<void> {
    const port = new SerialPort({
      path: this.spec.path,
      baudRate: this.spec.baudRate,
      parity: this.spec.parity,
      dataBits: this.spec.dataBits,
      stopBits: this.spec.stopBits,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) =>
      port.open((error) =>
        error
          ? reject(new Error(`RTU bus "${this.spec.id}" cannot open serial port ${this.spec.path}: ${error.message}`))
          : resolve(),
      ),
    );
    this.port = port;
    this.pacer = new Pacer((bytes) => port.write(bytes));
    port.on('data', (chunk: Buffer) => this.receive(chunk));
    port.on('error', (error) => this.log.warn({ err: error.message }, 'serial port error'));
    this.log.info(
      {
        path: this.spec.path,
        baudRate: this.spec.baudRate,
        parity: this.spec.parity,
        stopBits: this.spec.stopBits,
        charMs: this.timing.charMs,
        t35Ms: this.timing.t35Ms,
        units: [...this.units.keys()],
      },
      'Modbus RTU bus open',
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pacer?.cancel();
    if (this.staleTimer) clearTimeout(this.staleTimer);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.txQueue = [];
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private receive(chunk: Buffer): void {
    const now = performance.now();
    if (this.rx.length === 0) this.rxFirstAt = now;
    this.rxLastAt = now;
    this.rx = this.rx.length === 0 ? chunk : Buffer.concat([this.rx, chunk]);
    this.parse();
    if (this.staleTimer) clearTimeout(this.staleTimer);
    if (this.rx.length > 0) {
      this.staleTimer = setTimeout(() => {
        this.counters.discardedBytes += this.rx.length;
        this.log.debug({ bytes: this.rx.toString('hex') }, 'discarded bytes that make no frame');
        this.rx = Buffer.alloc(0);
      }, STALE_BYTES_MS);
    }
  }

  /** Cuts complete frames off the receive buffer; a frame with a bad CRC is skipped one byte at a time to resynchronise. */
  private parse(): void {
    while (this.rx.length >= 4) {
      if (this.meters.length > 0) {
        const cut = cutDlt645Frame(this.rx);
        if (cut.kind === 'wait') return;
        if (cut.kind === 'broken') {
          this.counters.discardedBytes += cut.skip;
          this.rx = this.rx.subarray(cut.skip);
          continue;
        }
        if (cut.kind === 'frame') {
          const request: Request = {
            frame: Buffer.from(this.rx.subarray(0, cut.length)),
            firstAt: this.rxFirstAt,
            lastAt: this.rxLastAt,
          };
          this.rx = this.rx.subarray(cut.length);
          this.rxFirstAt = this.rxLastAt;
          this.serveDlt645(request, cut.frame);
          continue;
        }
      }
      const pduLength = requestPduLength(this.rx.subarray(1));
      if (pduLength === undefined) {
        if (this.rx.length >= 2) this.skipByte();
        continue;
      }
      const frameLength = 1 + pduLength + 2;
      if (this.rx.length < frameLength) return;
      const frame = this.rx.subarray(0, frameLength);
      if (!crcOk(frame)) {
        this.counters.crcErrors++;
        this.skipByte();
        continue;
      }
      const request: Request = { frame: Buffer.from(frame), firstAt: this.rxFirstAt, lastAt: this.rxLastAt };
      this.rx = this.rx.subarray(frameLength);
      this.rxFirstAt = this.rxLastAt;
      this.serve(request);
    }
  }

  private skipByte(): void {
    this.counters.discardedBytes++;
    this.rx = this.rx.subarray(1);
  }

  /**
   * When a request has ended on the wire: its last byte arrives frameLength characters
   * after its first (unless the master already paced it). Undefined for a request that
   * comes too soon after the last reply (the minRequestGapMs quirk): it is ignored.
   */
  private accept(request: Request): number | undefined {
    this.counters.frames++;
    if (this.spec.minRequestGapMs > 0 && request.firstAt < this.lastReplyEnd + this.spec.minRequestGapMs) {
      this.counters.tooSoon++;
      return undefined;
    }
    return Math.max(request.firstAt + request.frame.length * this.timing.charMs, request.lastAt);
  }

  /** A DL/T 645 request: every meter its address matches answers; two or more answering collide on the line. */
  private serveDlt645(request: Request, frame: Dlt645Frame): void {
    const wireEnd = this.accept(request);
    if (wireEnd === undefined) return;
    const replies: Array<{ bytes: Buffer; delayMs: number }> = [];
    for (const meter of this.meters) {
      if (!addressMatches(frame.address, meter.meter!.address)) continue;
      const { action, frame: reply } = meter.handleDlt645(frame, Date.now());
      if (!reply) continue;
      let bytes = encodeFrame(reply, meter.spec.dlt645!.preamble);
      if (action.kind === 'bad_crc') bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0xff;
      if (action.kind === 'garbage') bytes = Buffer.concat([action.bytes, bytes]);
      replies.push({ bytes, delayMs: action.kind === 'slow_reply' ? action.delayMs : 0 });
    }
    if (replies.length === 0) {
      this.counters.notForUs++;
      return;
    }
    const start = wireEnd + this.timing.t35Ms + this.spec.turnaroundMs;
    if (replies.length === 1) this.transmit(replies[0]!.bytes, start + replies[0]!.delayMs);
    else this.transmit(collide(replies.map((r) => r.bytes)), start);
  }

  private serve(request: Request): void {
    const { t35Ms } = this.timing;
    // The device sees the frame end after t3.5.
    const wireEnd = this.accept(request);
    if (wireEnd === undefined) return;
    const address = request.frame[0]!;
    const device = this.units.get(address);
    if (!device) {
      // Broadcast (0) or another slave's address: a slave stays silent.
      this.counters.notForUs++;
      return;
    }
    const reply = device.handle(request.frame.subarray(1, request.frame.length - 2), Date.now());
    if (!reply.pdu) return;
    let bytes = withCrc(Buffer.concat([Buffer.from([address]), reply.pdu]));
    const action = reply.action;
    if (action.kind === 'bad_crc') {
      bytes = Buffer.from(bytes);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    }
    if (action.kind === 'garbage') bytes = Buffer.concat([action.bytes, bytes]);
    const delay = action.kind === 'slow_reply' ? action.delayMs : 0;
    this.transmit(bytes, wireEnd + t35Ms + this.spec.turnaroundMs + delay);
  }

  /** Queues a reply for the line, earliest start first. */
  private transmit(bytes: Buffer, startAt: number): void {
    const at = this.txQueue.findIndex((job) => job.startAt > startAt);
    this.txQueue.splice(at === -1 ? this.txQueue.length : at, 0, { bytes, startAt });
    this.pump();
  }

  /** Puts the earliest waiting reply on the line once the line is free and its time has come. */
  private pump(): void {
    if (this.sending || this.stopped) return;
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    const job = this.txQueue[0];
    if (!job) return;
    const startAt = Math.max(job.startAt, this.lineFreeAt);
    // Hand over to the pacer a few ms ahead: it waits out the rest precisely.
    const wait = startAt - performance.now() - 3;
    if (wait > 0) {
      this.pumpTimer = setTimeout(() => this.pump(), wait);
      return;
    }
    this.txQueue.shift();
    this.sending = true;
    void this.pacer!.send(job.bytes, startAt, this.timing.charMs).then((end) => {
      this.sending = false;
      this.lastReplyEnd = end;
      this.lineFreeAt = end + this.timing.t35Ms;
      this.pump();
    });
  }
}
