/** An in-process aedes broker on a free port with a subscriber-less tap that decodes and counts what arrives. */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';

export interface BenchBroker {
  port: number;
  /** Called with every PUBLISH the broker accepts from a client. */
  onPublish(listener: (topic: string, payload: Buffer) => void): void;
  close(): Promise<void>;
}

export async function startBroker(): Promise<BenchBroker> {
  const broker = await Aedes.createBroker();
  const listeners: Array<(topic: string, payload: Buffer) => void> = [];
  broker.on('publish', (packet, client) => {
    if (client) for (const listener of listeners) listener(packet.topic, Buffer.from(packet.payload));
  });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    onPublish: (listener) => listeners.push(listener),
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
