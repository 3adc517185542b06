/**
 * The MQTT side of the gateway: one persistent session (clean: false, fixed client id),
 * QoS 1 publishing from the durable outbox, the retained status with its last will,
 * commands in. A batch leaves the outbox only when the broker's PUBACK for it arrives.
 *
 * Send order: after a (re)connect, everything already in the outbox is backlog and is
 * sent oldest first; batches sealed since are live. The send window alternates between
 * the two, so a long backlog drains in order without holding fresh readings behind it.
 * Events go before either (they are few and say what the readings mean).
 */
import { connect, Store, type IClientOptions, type MqttClient } from 'mqtt';
import type { GatewayStatus, Logger, Reading } from '@gridsafe/shared';
import { encodeCompactTelemetry } from '@gridsafe/shared/codec/compact-encode.js';
import { parseTopic, topics } from '@gridsafe/shared/contract/topics.js';
import type { GatewayConfig } from '../config/types.js';
import type { Outbox, OutboxBatch } from '../outbox/types.js';

export interface UplinkOptions {
  config: GatewayConfig;
  outbox: Outbox;
  version: string;
  log: Logger;
  health: () => Record<string, unknown>;
  onCommand: (name: string, payload: Buffer) => void;
}

export class MqttUplink {
  private client: MqttClient | undefined;
  // mqtt.js's reconnect() swaps in empty stores unless it is handed these: the unacknowledged
  // QoS 1 packets (and their callbacks' only chance to fire) would be lost with the old ones.
  private readonly stores = { incomingStore: new Store(), outgoingStore: new Store() };
  private readonly inFlightBatches = new Set<number>();
  private readonly inFlightEvents = new Set<number>();
  private liveFloor = 0;
  private backlogCursor = 0;
  private liveCursor = 0;
  private eventCursor = 0;
  private liveTurn = true;
  private connectedAt = 0;
  private reconnectDelay: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly drained: Array<() => void> = [];
  readonly counters = {
    connects: 0,
    disconnects: 0,
    batchesSent: 0,
    batchesAcked: 0,
    eventsAcked: 0,
    publishErrors: 0,
    commands: 0,
  };

  constructor(private readonly o: UplinkOptions) {
    this.reconnectDelay = o.config.mqtt.reconnectMinMs;
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  private willPayload(): string {
    const offline: GatewayStatus = { state: 'offline', since: Date.now(), version: this.o.version };
    return JSON.stringify(offline);
  }

  start(): void {
    const { config } = this.o;
    const options: IClientOptions = {
      clientId: config.mqtt.clientId,
      username: config.mqtt.username,
      clean: false, // persistent session: QoS 1 state and the command subscription survive a drop
      keepalive: config.mqtt.keepaliveS,
      // Reconnection is ours (exponential backoff); mqtt.js only knows a fixed period.
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      // mqtt-packet's default pre-builds 65,536 two-byte Buffers for packet ids (about 6 MB of heap,
      // a twelfth of a small box's budget) to save an allocation per packet at rates far above ours.
      writeCache: false,
      ...this.stores,
      will: {
        topic: topics.status(config.gatewayId, config.mqtt.topicPrefix),
        payload: Buffer.from(this.willPayload()),
        qos: 1,
        retain: true,
      },
    };
    if (config.mqtt.password !== undefined) options.password = config.mqtt.password;
    const client = connect(config.mqtt.url, options);
    this.client = client;
    client.on('connect', (connack) => this.onConnect(connack.sessionPresent));
    client.on('close', () => this.onClose());
    client.on('error', (error) => this.o.log.warn({ err: error.message, broker: config.mqtt.url }, 'MQTT error'));
    client.on('message', (topic, payload) => {
      const parsed = parseTopic(topic, config.mqtt.topicPrefix);
      if (parsed?.kind !== 'command' || parsed.gateway !== config.gatewayId) return;
      this.counters.commands += 1;
      this.o.onCommand(parsed.name, payload);
    });
  }

  private onConnect(sessionPresent: boolean): void {
    const { config, outbox, log } = this.o;
    this.counters.connects += 1;
    this.connectedAt = Date.now();
    this.reconnectDelay = config.mqtt.reconnectMinMs;
    const stats = outbox.stats();
    // mqtt.js re-sends its own unacknowledged packets on reconnect; everything else stored is backlog.
    this.liveFloor = stats.lastSeq;
    this.backlogCursor = 0;
    this.liveCursor = stats.lastSeq;
    this.eventCursor = 0;
    log.info({ broker: config.mqtt.url, sessionPresent, backlogBatches: stats.batches }, 'connected to the broker');
    this.client!.subscribe(topics.commandFilter(config.gatewayId, config.mqtt.topicPrefix), { qos: 1 }, (error) => {
      if (error) log.warn({ err: error.message }, 'cannot subscribe to commands');
    });
    this.publishStatus();
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = setInterval(() => this.publishStatus(), config.mqtt.statusIntervalMs);
    this.pump();
  }

  private onClose(): void {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = undefined;
    if (this.stopping || this.reconnectTimer) return;
    this.counters.disconnects += 1;
    const delay = Math.round(this.reconnectDelay * (0.8 + Math.random() * 0.4));
    this.o.log.warn({ broker: this.o.config.mqtt.url, retryInMs: delay }, 'not connected to the broker; will retry');
    this.reconnectDelay = Math.min(this.o.config.mqtt.reconnectMaxMs, this.reconnectDelay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.stopping || !this.client) return;
      // The will carries the time of this attempt: the best guess of when the gateway went quiet.
      if (this.client.options.will) this.client.options.will.payload = Buffer.from(this.willPayload());
      this.client.reconnect(this.stores);
    }, delay);
  }

  statusPayload(): GatewayStatus {
    return { state: 'online', since: this.connectedAt, version: this.o.version, health: this.o.health() };
  }

  publishStatus(): void {
    if (!this.connected) return;
    const { config } = this.o;
    this.client!.publish(
      topics.status(config.gatewayId, config.mqtt.topicPrefix),
      JSON.stringify(this.statusPayload()),
      { qos: 1, retain: true },
      () => undefined,
    );
  }

  /** Something new is in the outbox: send what the window allows. */
  pump(): void {
    if (!this.connected || this.stopping) {
      this.checkDrained();
      return;
    }
    const { config, outbox } = this.o;
    const window = config.mqtt.inflight;
    while (this.inFlightBatches.size + this.inFlightEvents.size < window) {
      const events = outbox.pendingEvents(this.eventCursor, 1);
      if (events.length > 0) {
        const { seq, event } = events[0]!;
        this.eventCursor = seq;
        if (this.inFlightEvents.has(seq)) continue;
        this.inFlightEvents.add(seq);
        this.client!.publish(
          topics.events(config.gatewayId, config.mqtt.topicPrefix),
          JSON.stringify(event),
          { qos: 1 },
          (error) => {
            this.inFlightEvents.delete(seq);
            if (error) this.failed(error, () => (this.eventCursor = Math.min(this.eventCursor, seq - 1)));
            else {
              outbox.ackEvent(seq);
              this.counters.eventsAcked += 1;
            }
            this.pump();
          },
        );
        continue;
      }
      const batch = this.nextBatch();
      if (!batch) break;
      this.sendBatch(batch);
    }
    this.checkDrained();
  }

  private nextBatch(): OutboxBatch | undefined {
    const { outbox } = this.o;
    const backlog = () => {
      for (;;) {
        const [b] = outbox.pendingBatches(this.backlogCursor, 1);
        if (!b || b.seq > this.liveFloor) return undefined;
        this.backlogCursor = b.seq;
        if (!this.inFlightBatches.has(b.seq)) return b;
      }
    };
    const live = () => {
      for (;;) {
        const [b] = outbox.pendingBatches(Math.max(this.liveCursor, this.liveFloor), 1);
        if (!b) return undefined;
        this.liveCursor = b.seq;
        if (!this.inFlightBatches.has(b.seq)) return b;
      }
    };
    this.liveTurn = !this.liveTurn;
    return this.liveTurn ? (live() ?? backlog()) : (backlog() ?? live());
  }

  private sendBatch(batch: OutboxBatch): void {
    const { outbox } = this.o;
    this.inFlightBatches.add(batch.seq);
    this.counters.batchesSent += 1;
    const { topic, payload } = this.encode(batch);
    this.client!.publish(topic, payload, { qos: 1 }, (error) => {
      this.inFlightBatches.delete(batch.seq);
      if (error) {
        this.failed(error, () => {
          if (batch.seq <= this.liveFloor) this.backlogCursor = Math.min(this.backlogCursor, batch.seq - 1);
          else this.liveCursor = Math.min(this.liveCursor, batch.seq - 1);
        });
      } else {
        outbox.ackBatch(batch.seq);
        this.counters.batchesAcked += 1;
      }
      this.pump();
    });
  }

  /** The batch in the configured encoding, on the topic that names it. */
  private encode(batch: OutboxBatch): { topic: string; payload: string | Buffer } {
    const { gatewayId, mqtt } = this.o.config;
    if (mqtt.encoding === 'compact') {
      const readings = JSON.parse(batch.readingsJson) as Reading[];
      return {
        topic: topics.compactTelemetry(gatewayId, mqtt.topicPrefix),
        payload: encodeCompactTelemetry({ gateway: gatewayId, seq: batch.seq, sentAt: Date.now(), readings }),
      };
    }
    // The stored readings are already JSON; only the envelope is written here.
    const payload = `{"gateway":${JSON.stringify(gatewayId)},"seq":${batch.seq},"sentAt":${Date.now()},"readings":${batch.readingsJson}}`;
    return { topic: topics.telemetry(gatewayId, mqtt.topicPrefix), payload };
  }

  private failed(error: Error, rewind: () => void): void {
    this.counters.publishErrors += 1;
    rewind();
    if (!this.stopping)
      this.o.log.warn({ err: error.message }, 'publish failed; it stays in the outbox and is sent again');
  }

  private checkDrained(): void {
    if (this.drained.length === 0) return;
    const stats = this.o.outbox.stats();
    if ((stats.batches === 0 && stats.events === 0) || !this.connected)
      for (const done of this.drained.splice(0)) done();
  }

  health(): Record<string, unknown> {
    return {
      connected: this.connected,
      broker: this.o.config.mqtt.url,
      inFlight: this.inFlightBatches.size + this.inFlightEvents.size,
      ...this.counters,
    };
  }

  /**
   * Sends what it can within `flushMs` (only while connected), then marks the gateway
   * offline (retained) and disconnects. Whatever is not acknowledged stays in the outbox.
   */
  async stop(flushMs: number): Promise<void> {
    if (this.connected && flushMs > 0) {
      this.pump();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, flushMs);
        this.drained.push(() => {
          clearTimeout(timer);
          resolve();
        });
        this.checkDrained();
      });
    }
    this.stopping = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    const client = this.client;
    if (!client) return;
    const { config } = this.o;
    if (client.connected) {
      const offline: GatewayStatus = {
        state: 'offline',
        since: Date.now(),
        version: this.o.version,
        health: this.o.health(),
      };
      await new Promise<void>((resolve) => {
        client.publish(
          topics.status(config.gatewayId, config.mqtt.topicPrefix),
          JSON.stringify(offline),
          { qos: 1, retain: true },
          () => resolve(),
        );
        setTimeout(resolve, 2000).unref();
      });
    }
    await new Promise<void>((resolve) => {
      client.end(false, {}, () => resolve());
      setTimeout(() => {
        client.end(true);
        resolve();
      }, 2000).unref();
    });
  }
}
