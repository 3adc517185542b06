/** Real-socket helpers for the link emulator tests: an upstream server that records or echoes, and a client that collects. */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { waitFor } from '@gridsafe/testkit';

export interface Upstream {
  port: number;
  server: Server;
  sockets: Socket[];
  /** Everything received, per accepted connection. */
  received: Buffer[][];
  close(): Promise<void>;
}

/** A server that echoes (or only records) what it receives. */
export async function upstream(echo = true): Promise<Upstream> {
  const sockets: Socket[] = [];
  const received: Buffer[][] = [];
  const server = createServer({ allowHalfOpen: false }, (socket) => {
    const chunks: Buffer[] = [];
    received.push(chunks);
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.on('data', (data: Buffer) => {
      chunks.push(data);
      if (echo) socket.write(data);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    server,
    sockets,
    received,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Client {
  socket: Socket;
  data: Buffer[];
  closed: Promise<{ error: string | null }>;
  bytes(): Buffer;
}

export async function client(port: number): Promise<Client> {
  const socket = connect({ port, host: '127.0.0.1' });
  const data: Buffer[] = [];
  let error: string | null = null;
  socket.on('data', (d: Buffer) => data.push(d));
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  const closed = new Promise<{ error: string | null }>((resolve) => socket.once('close', () => resolve({ error })));
  await once(socket, 'connect');
  return { socket, data, closed, bytes: () => Buffer.concat(data) };
}

/** Waits until `probe` is true, polling every 10 ms (the emulator's delays are tens of ms), or fails naming what was awaited. */
export const until = (what: string, probe: () => boolean, timeoutMs = 10_000): Promise<true> =>
  waitFor(what, () => probe() || undefined, timeoutMs, 10);
