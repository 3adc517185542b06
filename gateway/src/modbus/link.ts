/**
 * One Modbus master connection (a TCP socket or a serial port) through modbus-serial.
 * It only moves requests and replies; when and how often to send is the bus scheduler's job.
 */
import { createRequire } from 'node:module';
import type { ModbusRTU as Client, SerialPortOptions } from 'modbus-serial/ModbusRTU.js';
import type { ReadFunction } from '@gridsafe/shared';
import type { BusConfig } from '../config/types.js';
import { EXCEPTION_FLAG, ModbusReadError, classify } from './errors.js';
import { eventLoopBinding, type ReplyAwarePort } from './event-loop-serial.js';

// modbus-serial is CommonJS with `module.exports = ModbusRTU`, while its typings declare a
// default export; under NodeNext that mismatch is only bridged by loading it through require.
const ModbusRTU = createRequire(import.meta.url)('modbus-serial') as typeof Client;

/** The raw byte stream of a serial bus, for frames of another protocol that shares it (DL/T 645). */
export interface RawLine {
  write(bytes: Buffer): void;
  /** Calls `listener` with every chunk received until the returned function is called. */
  onData(listener: (chunk: Buffer) => void): () => void;
}

export interface ModbusLink {
  readonly isOpen: boolean;
  /** The serial port underneath (undefined on TCP or while closed). */
  rawLine(): RawLine | undefined;
  open(): Promise<void>;
  read(unit: number, fn: ReadFunction, address: number, count: number, timeoutMs: number): Promise<number[]>;
  /** Bytes received during the last successful read beyond its reply (serial only; 0 for TCP). */
  takeNoiseBytes(): number;
  /** performance.now() when the last byte arrived (serial only; 0 for TCP or before any). */
  readonly lastReceivedAt: number;
  /** Throws away whatever bytes are buffered (garbage or a late reply) before the next request. */
  discardInput(): void;
  close(): Promise<void>;
}

export class ModbusSerialLink implements ModbusLink {
  private client: Client | undefined;
  /** Raw bytes received on the serial port, to tell how much arrived beyond the replies. */
  private rxBytes = 0;
  private noiseBytes = 0;
  lastReceivedAt = 0;

  constructor(private readonly bus: BusConfig) {}

  get isOpen(): boolean {
    return this.client?.isOpen === true;
  }

  async open(): Promise<void> {
    await this.close();
    const client = new ModbusRTU();
    // Errors surface through the requests (as 'disconnected'); an unhandled 'error' event would kill the process.
    client.on('error', () => undefined);
    try {
      if (this.bus.kind === 'tcp') {
        await client.connectTCP(this.bus.host, { port: this.bus.port });
      } else {
        // modbus-serial hands its options to serialport, which takes its binding from them.
        const options: SerialPortOptions & { binding: typeof eventLoopBinding } = {
          baudRate: this.bus.baudRate,
          parity: this.bus.parity,
          dataBits: this.bus.dataBits,
          stopBits: this.bus.stopBits,
          binding: eventLoopBinding,
        };
        await client.connectRTUBuffered(this.bus.path, options);
      }
    } catch (error) {
      const e = classify(error);
      throw new ModbusReadError('disconnected', `cannot open ${this.describe()}: ${e.message}`);
    }
    if (this.bus.kind === 'serial') {
      // The buffered RTU port skips bytes that make no frame without saying so; count the raw bytes underneath.
      const raw = (
        client as unknown as { _port?: { _client?: { on(event: 'data', fn: (chunk: Buffer) => void): void } } }
      )._port?._client;
      raw?.on('data', (chunk: Buffer) => {
        this.rxBytes += chunk.length;
        this.lastReceivedAt = performance.now();
      });
    }
    this.client = client;
  }

  rawLine(): RawLine | undefined {
    const port = (
      this.client as unknown as
        { _port?: { _client?: { write(bytes: Buffer): void } & NodeJS.EventEmitter } } | undefined
    )?._port?._client;
    if (this.bus.kind !== 'serial' || !port || !this.isOpen) return undefined;
    return {
      write: (bytes) => port.write(bytes),
      onData: (listener) => {
        port.on('data', listener);
        return () => port.off('data', listener);
      },
    };
  }

  takeNoiseBytes(): number {
    const n = this.noiseBytes;
    this.noiseBytes = 0;
    return n;
  }

  describe(): string {
    return this.bus.kind === 'tcp'
      ? `tcp://${this.bus.host}:${this.bus.port}`
      : `${this.bus.path} (${this.bus.baudRate} baud)`;
  }

  read(unit: number, fn: ReadFunction, address: number, count: number, timeoutMs: number): Promise<number[]> {
    const client = this.client;
    if (!client || !client.isOpen)
      return Promise.reject(new ModbusReadError('disconnected', `${this.describe()} is not open`));
    const rxAtStart = this.rxBytes;
    return new Promise((resolve, reject) => {
      // The timeout is read synchronously when the request is written, so setting it
      // here gives each request its own, even with several in flight on one TCP socket.
      client.setTimeout(timeoutMs);
      // FACTS.md: an RTU reply to FC 3/4 is 5 + 2N bytes, an exception reply 5 (function code + 0x80).
      if (this.bus.kind === 'serial')
        this.replyAwarePort()?.expectReply((head) => ((head[1]! & EXCEPTION_FLAG) !== 0 ? 5 : 5 + 2 * count));
      const done = (error: unknown, result: { data: number[] } | undefined) => {
        // A short reply (an exception) or a timeout leaves bytes unaccounted for: no longer waited for.
        if (this.bus.kind === 'serial') this.replyAwarePort()?.expectReply(undefined);
        if (error) reject(classify(error));
        else if (!result || result.data.length < count)
          reject(
            new ModbusReadError('framing', `reply carried ${result?.data.length ?? 0} registers, expected ${count}`),
          );
        else {
          // FACTS.md: an RTU reply to FC 3/4 is 5 + 2N bytes; anything more came with it.
          if (this.bus.kind === 'serial') this.noiseBytes = Math.max(0, this.rxBytes - rxAtStart - (5 + 2 * count));
          resolve(result.data);
        }
      };
      try {
        if (fn === 3) client.writeFC3(unit, address, count, done as never);
        else client.writeFC4(unit, address, count, done as never);
      } catch (error) {
        reject(classify(error));
      }
    });
  }

  /** The binding's port under modbus-serial's buffered RTU port and serialport's stream. */
  private replyAwarePort(): ReplyAwarePort | undefined {
    const port = (this.client as unknown as { _port?: { _client?: { port?: Partial<ReplyAwarePort> } } } | undefined)
      ?._port?._client?.port;
    return port?.expectReply ? (port as ReplyAwarePort) : undefined;
  }

  discardInput(): void {
    // modbus-serial's buffered RTU port keeps unmatched bytes in `_buffer` and would scan
    // them again with the next reply; it has no public way to drop them.
    const port = (this.client as unknown as { _port?: { _buffer?: Buffer } } | undefined)?._port;
    if (port && port._buffer !== undefined) port._buffer = Buffer.alloc(0);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await new Promise<void>((resolve) => {
      try {
        if (client.isOpen) client.close(() => resolve());
        else resolve();
      } catch {
        resolve();
      }
      setTimeout(resolve, 1000).unref();
    });
  }
}
