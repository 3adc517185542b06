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
 */
import { readSync, writeSync } from 'node:fs';
import { SerialPort } from 'serialport';

type Binding = typeof SerialPort.binding;
type Port = Awaited<ReturnType<Binding['open']>>;

/** What the unix port bindings have that this needs (the Windows one has neither). */
interface UnixPort {
  readonly fd: number | null;
  readonly isOpen: boolean;
  readonly poller: { once(event: 'readable' | 'writable', callback: (error: Error | null) => void): unknown };
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
  buffer: Buffer,
  offset: number,
  length: number,
): Promise<{ bytesRead: number; buffer: Buffer }> {
  return new Promise((resolve, reject) => {
    const attempt = (error: Error | null) => {
      if (error) return reject(error);
      if (!port.isOpen || port.fd === null) return reject(closedError());
      try {
        const bytesRead = readSync(port.fd, buffer, offset, length, null);
        if (bytesRead > 0) return resolve({ bytesRead, buffer });
      } catch (failure) {
        if (!TRY_AGAIN.has((failure as NodeJS.ErrnoException).code ?? '')) return reject(ioError(failure));
      }
      port.poller.once('readable', attempt);
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
    port.read = (buffer, offset, length) => readOnLoop(port, buffer, offset, length);
    port.write = (buffer) => writeOnLoop(port, buffer);
    return port;
  },
} as Binding;
