/** An in-test MQTT broker (aedes on a free port) that records what gateways publish. */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';

export interface Published {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  clientId: string | null;
  at: number;
}

export interface TestBroker {
  url: string;
  port: number;
  published: Published[];
  on(topicEnds: string): Published[];
  /** Refuses every new connection while true (a broker outage without closing the port). */
  connections(): number;
  close(): Promise<void>;
}

export async function startBroker(auth?: { username: string; password: string }, port = 0): Promise<TestBroker> {
  const broker = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      if (!auth) return done(null, true);
      done(null, username === auth.username && password?.toString() === auth.password);
    },
  });
  const published: Published[] = [];
  broker.on('publish', (packet, client) => {
    if (packet.topic.startsWith('$SYS')) return;
    published.push({
      topic: packet.topic,
      payload: Buffer.from(packet.payload),
      qos: packet.qos,
      retain: packet.retain,
      clientId: client?.id ?? null,
      at: Date.now(),
    });
  });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `mqtt://127.0.0.1:${bound}`,
    port: bound,
    published,
    on: (end) => published.filter((p) => p.topic.endsWith(end)),
    connections: () => broker.connectedClients,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
