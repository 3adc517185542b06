/**
 * serialport's own binding, except that a port reads and writes its tty on the event loop.
 * The stock Linux binding sends every read and write through libuv's thread pool
 * (fs.read/fs.write), and reads once before it knows data is there: each chunk of a reply
 * costs two thread hand-offs and a failed read. A reply arrives in many chunks (a device
 * sends at the wire's rate, so the tty hands over a few bytes at a time), which made these
 * reads the largest CPU cost of a gateway polling serial buses (BENCHMARKS.md,
 * bench:footprint). Here the port waits for the poller to say "readable" and then reads
 * the (non-blocking) descriptor at once; a write is one non-blocking write call.
 * Opening, settings and closing stay serialport's.
 *
 * At 19200 baud and below a reply also comes in a dozen or more chunks (a few bytes per
 * millisecond or two), each a wake-up, a read and a trip through the stream and
 * modbus-serial's reassembly. A link that knows how long the reply will be says so
 * (`expectReply`): once its first bytes are read, the port waits until the rest can have
 * arrived at the wire's rate and reads it in one go, so a reply costs two or three reads
 * instead of a dozen or more (bench:footprint). No latency is added: the wait ends a
 * little before the last byte is due, and whatever is still missing then is read as it comes.
 */
import { readSync, writeSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { characterTimeMs } from './timing.js';
import type { Parity } from '../config/types.js';

type Binding = typeof SerialPort.binding;
type Port = Awaited<ReturnType<Binding['open']>>;

/** What the unix port bindings have that this needs (the Windows one has neither). */
interface UnixPort {
  readonly fd: number | null;
  readonly isOpen: boolean;
  readonly poller: { once(event: 'readable' | 'writable', callback: (error: Error | null) => void): unknown };
  readonly openOptions: { baudRate: number; dataBits: number; parity: string; stopBits: number };
}

/** What a port opened by this binding offers its link (reached through serialport's stream, `.port`). */
export interface ReplyAwarePort {
  /**
   * A request went out: `lengthOf` tells the reply's whole length from its first HEAD_BYTES
   * bytes (a Modbus exception is shorter than the data asked for); undefined: none expected.
   */
  expectReply(lengthOf: ((head: Buffer) => number) | undefined): void;
}

/** How many leading bytes of a reply its length is judged from. */
const HEAD_BYTES = 2;
/** Above this rate a reply takes a few ms at most: no timer could beat reading it as it comes. */
const COALESCE_MAX_BAUD = 19200;
/** A wait shorter than this is not worth a timer (timers run in whole milliseconds). */
const MIN_HOLD_MS = 2;
/**
 * The wait ends this long before the reply's last byte is due: a timer fires up to a
 * millisecond late, and a read that came after the last byte would delay the reply, while
 * one that comes a little early costs only one more read for the last bytes.
 */
const EARLY_MS = 1.5;

/**
 * Decides how long to hold off reading once bytes of an expected reply are there. Its
 * first bytes are read as they come (they tell its length); then, once, the read waits
 * until shortly before the rest can have arrived at the wire's rate, counted from the last
 * bytes read (read as soon as they arrived); what is still missing then is read as it comes.
 */
class ReplyCoalescer {
  private lengthOf: ((head: Buffer) => number) | undefined;
  private readonly head = Buffer.alloc(HEAD_BYTES);
  private received = 0;
  private restDueAt = 0;
  private held = false;

  constructor(private readonly charMs: number) {}

  expect(lengthOf: ((head: Buffer) => number) | undefined): void {
    this.lengthOf = lengthOf;
    this.received = 0;
    this.restDueAt = 0;
    this.held = false;
  }

  /** How long to wait, ms, before reading now that bytes are there (0: read now). */
  holdMs(now: number): number {
    if (this.held || this.restDueAt === 0) return 0;
    const hold = this.restDueAt - EARLY_MS - now;
    if (hold < MIN_HOLD_MS) return 0;
    this.held = true;
    return hold;
  }

  /** `chunk` was read at `now`. */
  consumed(chunk: Buffer, now: number): void {
    if (!this.lengthOf) return;
    if (this.received < HEAD_BYTES) chunk.copy(this.head, this.received, 0, HEAD_BYTES - this.received);
    this.received += chunk.length;
    if (this.held || this.received < HEAD_BYTES) return;
    const remaining = this.lengthOf(this.head) - this.received;
    this.restDueAt = remaining > 0 ? now + remaining * this.charMs : 0;
  }
}

const TRY_AGAIN = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);
/** serialport's stream treats these as the device gone (a USB adapter pulled), as its own binding does. */
const GONE = new Set(['EBADF', 'ENXIO', 'UNKNOWN']);

function isUnixPort(port: Port): port is Port & UnixPort {
  return 'poller' in port && 'fd' in port;
}

/** The error the stream expects when the port was closed under a pending read. */
function closedError(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true });
}

function whenReady(port: UnixPort, event: 'readable' | 'writable'): Promise<void> {
  return new Promise((resolve, reject) => port.poller.once(event, (error) => (error ? reject(error) : resolve())));
}

function ioError(error: unknown): Error {
  const e = error as NodeJS.ErrnoException;
  if (GONE.has(e.code ?? '') || e.errno === -1) Object.assign(e, { disconnect: true });
  return e;
}

/**
 * One promise and one callback a read (this runs for every chunk of every reply, several
 * hundred times a second on a busy gateway): wait for "readable", read what is there.
 */
function readOnLoop(
  port: UnixPort,
  coalescer: ReplyCoalescer | undefined,
  buffer: Buffer,
  offset: number,
  length: number,
): Promise<{ bytesRead: number; buffer: Buffer }> {
  return new Promise((resolve, reject) => {
    const readNow = () => {
      if (!port.isOpen || port.fd === null) return reject(closedError());
      try {
        const bytesRead = readSync(port.fd, buffer, offset, length, null);
        if (bytesRead > 0) {
          coalescer?.consumed(buffer.subarray(offset, offset + bytesRead), performance.now());
          return resolve({ bytesRead, buffer });
        }
      } catch (failure) {
        if (!TRY_AGAIN.has((failure as NodeJS.ErrnoException).code ?? '')) return reject(ioError(failure));
      }
      port.poller.once('readable', attempt);
    };
    const attempt = (error: Error | null) => {
      if (error) return reject(error);
      const hold = coalescer?.holdMs(performance.now()) ?? 0;
      if (hold > 0) setTimeout(readNow, hold);
      else readNow();
    };
    if (!port.isOpen || port.fd === null) reject(closedError());
    else port.poller.once('readable', attempt);
  });
}

async function writeOnLoop(port: UnixPort, buffer: Buffer): Promise<void> {
  let written = 0;
  while (written < buffer.length) {
    if (!port.isOpen || port.fd === null) throw new Error('Port is not open');
    try {
      written += writeSync(port.fd, buffer, written);
    } catch (error) {
      if (!TRY_AGAIN.has((error as NodeJS.ErrnoException).code ?? '')) throw ioError(error);
      await whenReady(port, 'writable');
    }
  }
}

/** serialport's binding for this platform, with unix ports moved onto the event loop. */
export const eventLoopBinding: Binding = {
  ...SerialPort.binding,
  async open(options: Parameters<Binding['open']>[0]): Promise<Port> {
    const port = await SerialPort.binding.open(options as never);
    if (!isUnixPort(port)) return port;
    const { baudRate, dataBits, parity, stopBits } = port.openOptions;
    const coalescer =
      baudRate <= COALESCE_MAX_BAUD
        ? new ReplyCoalescer(characterTimeMs(baudRate, { dataBits, stopBits, parity: parity as Parity }))
        : undefined;
    port.read = (buffer, offset, length) => readOnLoop(port, coalescer, buffer, offset, length);
    port.write = (buffer) => writeOnLoop(port, buffer);
    const aware: ReplyAwarePort = { expectReply: (lengthOf) => coalescer?.expect(lengthOf) };
    return Object.assign(port, aware);
  },
} as Binding;
