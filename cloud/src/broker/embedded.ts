/**
 * The embedded MQTT broker (aedes on node:net, and node:tls when certificates are
 * configured). Ingest runs inside aedes' authorizePublish hook: aedes writes the
 * PUBACK only after that hook calls back, so a batch is acknowledged only once it is
 * durably stored, and a slow store slows the publisher (backpressure), not memory.
 *
 * Security (CONTRACT.md "MQTT topics"): a gateway logs in with username = its id and
 * its own secret (checked against the scrypt hash), may publish only under
 * `{prefix}/gw/{id}/` and subscribe only to `{prefix}/gw/{id}/cmd/#`. Every refusal is
 * logged and counted.
 */
import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { isGatewayId, parseTopic, type Logger } from '@gridsafe/shared';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { RegistryStore } from '../storage/relational/registry-store.js';
import type { CloudMetrics } from '../metrics/metrics.js';
import type { LoginThrottle } from '../security/login-throttle.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  tls?: { certFile: string; keyFile: string; port: number };
  requireAuth: boolean;
  /** Failed logins per address, shared with the HTTP API. */
  loginThrottle: LoginThrottle;
  topicPrefix: string;
  pipeline: IngestPipeline;
  registry: RegistryStore;
  metrics: CloudMetrics;
  log: Logger;
  /** A connected client subscribed to a gateway's commands: the moment its queued commands can go out. */
  onCommandSubscription?: (gateway: string) => void;
}

export interface EmbeddedBroker {
  readonly port: number;
  readonly tlsPort: number | null;
  /** Publishes a command to a gateway (`{prefix}/gw/{id}/cmd/{name}`), QoS 1. */
  publish(topic: string, payload: Buffer | string, qos?: 0 | 1): Promise<void>;
  /** Whether a client connected here is subscribed to the gateway's commands. */
  gatewayConnected(gateway: string): boolean;
  /** Gateways with a client connected here subscribed to their commands. */
  connectedGateways(): string[];
  connectedClients(): number;
  close(): Promise<void>;
}

/** The MQTT 5 content type of a publish, when the client sent one. */
function contentTypeOf(packet: { properties?: { contentType?: string } }): string | undefined {
  return packet.properties?.contentType;
}

const CLIENT_ID_TAKEN = "client id in use by another gateway's session";
const CLIENT_ID_NAMES_ANOTHER = 'client id names another gateway';

function authError(message: string, returnCode: 2 | 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { log, metrics, pipeline, registry, topicPrefix, loginThrottle } = options;
  /** The gateway each authenticated client logged in as. */
  const gatewayOf = new WeakMap<Client, string>();
  /** The connected client holding each client id. */
  const connected = new Map<string, Client>();
  const root = `${topicPrefix}/gw/`;
  /** Connected clients subscribed to each gateway's commands (`{root}{gw}/cmd/...`). */
  const commandSubscribers = new Map<string, Set<Client>>();
  const commandGatewayOf = (filter: string): string | undefined => {
    if (!filter.startsWith(root)) return undefined;
    const [gateway, kind] = filter.slice(root.length).split('/');
    return kind === 'cmd' && gateway !== undefined && isGatewayId(gateway) ? gateway : undefined;
  };

  /**
   * A client id is bound to the gateway that uses it: a login is refused while another
   * gateway's connected client holds that id (aedes would otherwise disconnect it), and
   * when the id names another registered gateway (its id, or the gateway program's
   * default `gridsafe-gw-{id}`), so no gateway can keep another off the broker or take
   * over its stored session. The same gateway logging in again replaces its old session.
   */
  const clientIdRefusal = async (client: Client, gateway: string): Promise<string | null> => {
    const holder = connected.get(client.id);
    const holderGateway = holder && holder !== client ? gatewayOf.get(holder) : undefined;
    if (holderGateway !== undefined && holderGateway !== gateway) return CLIENT_ID_TAKEN;
    for (const named of new Set([client.id, client.id.replace(/^gridsafe-gw-/, '')])) {
      if (named === gateway || !isGatewayId(named)) continue;
      if (await registry.gatewayExists(named)) return CLIENT_ID_NAMES_ANOTHER;
    }
    return null;
  };

  const broker = await Aedes.createBroker({
    // Gateways publish in bursts after an outage; a deep queue keeps them streaming.
    queueLimit: 1000,
    authenticate(client, username, password, done) {
      if (!options.requireAuth) {
        if (username && isGatewayId(username)) gatewayOf.set(client, username);
        return done(null, true);
      }
      const address = (client.conn as { remoteAddress?: string }).remoteAddress ?? 'unknown';
      // Checked before the secret: an address that guessed too often is refused even a right one.
      const wait = loginThrottle.retryAfterSeconds(address);
      if (wait > 0) {
        metrics.mqttAuthFailures.inc({ kind: 'login' });
        metrics.authRefused.inc({ protocol: 'mqtt', reason: 'throttled' });
        log.warn(
          { clientId: client.id, username, address, retryAfterSeconds: wait },
          'refused an MQTT login: too many failed logins from this address',
        );
        return done(authError(`too many failed logins from this address; try again in ${wait} s`, 5), false);
      }
      const refuse = (why: string) => {
        loginThrottle.recordFailure(address);
        metrics.mqttAuthFailures.inc({ kind: 'login' });
        metrics.authRefused.inc({ protocol: 'mqtt', reason: 'wrong_secret' });
        log.warn({ clientId: client.id, username, address, reason: why }, 'refused an MQTT login');
        done(authError(why, 4), false);
      };
      if (!username || !isGatewayId(username)) return refuse('user name must be a registered gateway id');
      if (!password || password.length === 0) return refuse('no secret given');
      const login = async (): Promise<string | null> => {
        if (!(await registry.verifyGatewaySecret(username, password.toString('utf8'))))
          return 'unknown gateway or wrong secret';
        return clientIdRefusal(client, username);
      };
      login().then(
        (refusal) => {
          if (refusal === CLIENT_ID_TAKEN || refusal === CLIENT_ID_NAMES_ANOTHER) {
            metrics.mqttAuthFailures.inc({ kind: 'client_id' });
            log.warn(
              { clientId: client.id, username, reason: refusal },
              'refused an MQTT login: client id of another gateway',
            );
            return done(authError(refusal, 2), false);
          }
          if (refusal) return refuse(refusal);
          gatewayOf.set(client, username);
          done(null, true);
        },
        (error: unknown) => {
          log.error({ err: error, username }, 'could not check a gateway login');
          done(authError('server unavailable', 4), false);
        },
      );
    },
    authorizePublish(client, packet, callback) {
      const topic = packet.topic;
      if (topic.startsWith('$SYS')) return callback(new Error('$SYS topics are reserved'));
      // client is null for a last will published after the client has gone; aedes
      // checked its topic when the client connected (the will is part of CONNECT).
      const gateway = client ? gatewayOf.get(client) : undefined;
      if (client && options.requireAuth) {
        if (!gateway || !topic.startsWith(`${root}${gateway}/`)) {
          metrics.mqttAuthFailures.inc({ kind: 'publish' });
          log.warn({ clientId: client.id, gateway, topic }, "refused a publish outside the gateway's own topics");
          return callback(new Error(`gateway ${gateway ?? '?'} may publish only under ${root}${gateway ?? '{id}'}/`));
        }
      }
      const parsed = parseTopic(topic, topicPrefix);
      if (!parsed || parsed.kind === 'command') return callback(null);
      pipeline.handle(topic, packet.payload as Buffer, contentTypeOf(packet)).then(
        () => callback(null),
        // Storage is gone for good (shutting down): no PUBACK, the gateway redelivers later.
        (error: unknown) => callback(error as Error),
      );
    },
    // A second fence behind the subscription check: a gateway's connection is handed only
    // messages of its own topics, whatever session or subscription it ended up with.
    authorizeForward(client, packet) {
      if (!options.requireAuth) return packet;
      const gateway = gatewayOf.get(client);
      return gateway !== undefined && packet.topic.startsWith(`${root}${gateway}/`) ? packet : null;
    },
    authorizeSubscribe(client, subscription, callback) {
      if (!options.requireAuth) return callback(null, subscription);
      const gateway = gatewayOf.get(client);
      const allowed =
        gateway !== undefined &&
        (subscription.topic === `${root}${gateway}/cmd/#` || subscription.topic.startsWith(`${root}${gateway}/cmd/`));
      if (
        !allowed ||
        subscription.topic.includes('+') ||
        (subscription.topic.includes('#') && !subscription.topic.endsWith('/cmd/#'))
      ) {
        metrics.mqttAuthFailures.inc({ kind: 'subscribe' });
        log.warn(
          { clientId: client.id, gateway, topic: subscription.topic },
          "refused a subscription outside the gateway's own commands",
        );
        return callback(null, null); // SUBACK 0x80 for this filter; the connection stays up
      }
      callback(null, subscription);
    },
  });

  broker.on('clientError', (client, error) => log.debug({ clientId: client.id, err: error }, 'MQTT client error'));
  broker.on('connectionError', (_client, error) => log.debug({ err: error }, 'MQTT connection error'));
  broker.on('clientReady', (client) => {
    connected.set(client.id, client);
    const gateway = gatewayOf.get(client);
    log.info({ clientId: client.id, gateway }, 'MQTT client connected');
    if (gateway) void registry.touchGateway(gateway, Date.now()).catch(() => undefined);
  });
  broker.on('subscribe', (subscriptions, client) => {
    if (!client) return;
    for (const subscription of subscriptions) {
      const gateway = commandGatewayOf(subscription.topic);
      if (gateway === undefined) continue;
      const clients = commandSubscribers.get(gateway) ?? new Set<Client>();
      clients.add(client);
      commandSubscribers.set(gateway, clients);
      options.onCommandSubscription?.(gateway);
    }
  });
  broker.on('clientDisconnect', (client) => {
    if (connected.get(client.id) === client) connected.delete(client.id);
    for (const [gateway, clients] of commandSubscribers) {
      if (clients.delete(client) && clients.size === 0) commandSubscribers.delete(gateway);
    }
    log.info({ clientId: client.id, gateway: gatewayOf.get(client) }, 'MQTT client disconnected');
  });

  const servers: Server[] = [];
  const listen = (server: Server, port: number, host: string) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });

  const tcp = createTcpServer(broker.handle);
  servers.push(tcp);
  let port: number;
  try {
    port = await listen(tcp, options.port, options.host);
  } catch (error) {
    broker.close();
    throw new Error(
      `cannot listen for MQTT on ${options.host}:${options.port}: ${(error as Error).message} (set GRIDSAFE_MQTT_PORT to a free port)`,
    );
  }
  let tlsPort: number | null = null;
  if (options.tls) {
    const tls = createTlsServer(
      { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) },
      broker.handle,
    );
    servers.push(tls as unknown as Server);
    tlsPort = await listen(tls as unknown as Server, options.tls.port, options.host);
  }
  log.info({ host: options.host, port, tlsPort, requireAuth: options.requireAuth }, 'embedded MQTT broker listening');

  return {
    port,
    tlsPort,
    publish: (topic, payload, qos = 1) =>
      new Promise<void>((resolve, reject) => {
        broker.publish(
          {
            cmd: 'publish',
            topic,
            payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
            qos,
            retain: false,
            dup: false,
          },
          (error) => (error ? reject(error) : resolve()),
        );
      }),
    gatewayConnected: (gateway) => commandSubscribers.has(gateway),
    connectedGateways: () => [...commandSubscribers.keys()],
    connectedClients: () => broker.connectedClients,
    async close() {
      // Stop accepting, then close the broker (which ends client connections), then the servers.
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
