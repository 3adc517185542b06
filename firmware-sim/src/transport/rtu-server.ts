/**
 * Modbus RTU slaves on one serial port (a multi-drop RS-485 bus): a real tty or one end
 * of a socat pseudo-terminal pair. A pseudo-terminal moves bytes instantly, so this side
 * keeps the wire's time itself: a request occupies the line for its length in
 * characters, the device answers after the 3.5-character silence plus its turnaround,
 * and the reply's bytes leave at the baud rate.
 *
 * Requests are framed strictly by default (rtu-framer.ts: silence ends a frame, a gap
 * inside one voids it; a frame with a bad CRC or any byte beyond its request is
 * dropped), or leniently (`framing: lenient`: cut by length and CRC, resynchronising
 * byte by byte, whatever the timing). A DL/T 645 frame on a mixed line must likewise
 * make up the whole frame; its own protocol has no 1.5-character rule.
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
import { SilenceFramer, type SilenceFrame } from './rtu-framer.js';
import { wireTiming, type WireTiming } from './wire-timing.js';

/** Leftover bytes that make no frame are dropped after this much quiet (a pseudo-terminal's own timing is not the wire's). */
const STALE_BYTES_MS = 50;

export interface RtuBusCounters {
  frames: number;
  crcErrors: number;
  discardedBytes: number;
  notForUs: number;
  tooSoon: number;
  /** Strict framing: frames with a gap over 1.5 characters inside. */
  brokenFrames: number;
  /** Strict framing: frames whose length is not one request's (trailing or leading bytes, two requests run together). */
  badLengthFrames: number;
}

interface TxJob {
  bytes: Buffer;
  startAt: number;
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
  readonly counters: RtuBusCounters = {
    frames: 0,
    crcErrors: 0,
    discardedBytes: 0,
    notForUs: 0,
    tooSoon: 0,
    brokenFrames: 0,
    badLengthFrames: 0,
  };
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
  private readonly framer: SilenceFramer | undefined;
  /** Replies waiting for the line, earliest first: a slow device's late reply does not hold up the others. */
  private txQueue: TxJob[] = [];
  /** Strict framing: the reply queued for the frame still being received. */
  private tentative: TxJob | undefined;
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
    if (spec.framing === 'strict')
      this.framer = new SilenceFramer(
        this.timing,
        (frame) => this.strictUpdate(frame),
        (frame) => this.strictEnd(frame),
      );
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
        framing: this.spec.framing,
        units: [...this.units.keys()],
      },
      'Modbus RTU bus open',
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pacer?.cancel();
    this.framer?.stop();
    if (this.staleTimer) clearTimeout(this.staleTimer);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.txQueue = [];
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private receive(chunk: Buffer): void {
    if (this.framer) {
      this.framer.push(chunk);
      return;
    }
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

  /**
   * Strict framing: as soon as the bytes so far are exactly one sound request, its reply is
   * scheduled (it starts no sooner than the 3.5-character silence after the frame); any
   * further byte of the same frame withdraws it, so only a frame that ends as one sound
   * request is answered, and an answer is not delayed by the end-of-frame timer.
   */
  private strictUpdate(frame: SilenceFrame): void {
    if (this.tentative) this.withdraw(this.tentative);
    this.tentative = undefined;
    const verdict = this.strictVerdict(frame);
    const request = { frame: Buffer.from(frame.bytes), firstAt: frame.firstAt, lastAt: frame.endAt };
    if (verdict.kind === 'modbus') this.tentative = this.serve(request);
    else if (verdict.kind === 'dlt645') this.tentative = this.serveDlt645(request, verdict.frame);
  }

  private strictEnd(frame: SilenceFrame): void {
    this.tentative = undefined;
    const verdict = this.strictVerdict(frame);
    if (verdict.kind === 'modbus' || verdict.kind === 'dlt645') {
      this.counters.frames++;
      return;
    }
    this.counters[verdict.kind]++;
    this.counters.discardedBytes += frame.bytes.length;
    this.log.debug({ bytes: frame.bytes.toString('hex'), why: verdict.kind }, 'dropped a frame');
  }

  /** What a strict receiver makes of a frame: one sound request, or the counter it is dropped under. */
  private strictVerdict(
    frame: SilenceFrame,
  ):
    | { kind: 'modbus' }
    | { kind: 'dlt645'; frame: Dlt645Frame }
    | { kind: 'brokenFrames' | 'badLengthFrames' | 'crcErrors' } {
    const bytes = frame.bytes;
    if (this.meters.length > 0) {
      const cut = cutDlt645Frame(bytes);
      if (cut.kind === 'frame')
        return cut.length === bytes.length ? { kind: 'dlt645', frame: cut.frame } : { kind: 'badLengthFrames' };
      if (cut.kind !== 'not-dlt645') return { kind: 'badLengthFrames' };
    }
    if (frame.broken) return { kind: 'brokenFrames' };
    const pduLength = bytes.length >= 4 ? requestPduLength(bytes.subarray(1)) : undefined;
    if (pduLength === undefined || bytes.length !== 1 + pduLength + 2) return { kind: 'badLengthFrames' };
    return crcOk(bytes) ? { kind: 'modbus' } : { kind: 'crcErrors' };
  }

  /** Lenient framing: cuts complete frames off the receive buffer; a frame with a bad CRC is skipped one byte at a time to resynchronise. */
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
          this.counters.frames++;
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
      this.counters.frames++;
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
    if (this.spec.minRequestGapMs > 0 && request.firstAt < this.lastReplyEnd + this.spec.minRequestGapMs) {
      this.counters.tooSoon++;
      return undefined;
    }
    return Math.max(request.firstAt + request.frame.length * this.timing.charMs, request.lastAt);
  }

  /** A DL/T 645 request: every meter its address matches answers; two or more answering collide on the line. */
  private serveDlt645(request: Request, frame: Dlt645Frame): TxJob | undefined {
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
    if (replies.length === 1) return this.transmit(replies[0]!.bytes, start + replies[0]!.delayMs);
    return this.transmit(collide(replies.map((r) => r.bytes)), start);
  }

  /** Answers a Modbus request (unless it is not for a device here); returns the queued reply, if any. */
  private serve(request: Request): TxJob | undefined {
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
    return this.transmit(bytes, wireEnd + t35Ms + this.spec.turnaroundMs + delay);
  }

  /** Queues a reply for the line, earliest start first. */
  private transmit(bytes: Buffer, startAt: number): TxJob {
    const job = { bytes, startAt };
    const at = this.txQueue.findIndex((other) => other.startAt > startAt);
    this.txQueue.splice(at === -1 ? this.txQueue.length : at, 0, job);
    this.pump();
    return job;
  }

  /** Takes a reply off the queue if it has not started. */
  private withdraw(job: TxJob): void {
    const at = this.txQueue.indexOf(job);
    if (at === -1) return;
    this.txQueue.splice(at, 1);
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
