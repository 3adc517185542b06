/**
 * A gateway-like MQTT publisher with the gateway's outbox rule: messages go out in order,
 * one at a time, QoS 1; a message leaves the outbox only on its PUBACK; when the
 * connection drops (the instance behind the load balancer died) it reconnects and sends
 * the same message again. `onAck` sees each acknowledgement as it happens.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { setTimeout as sleep } from 'node:timers/promises';

export interface OutboxMessage {
  topic: string;
  payload: string;
  /** What the message is, for the checks (e.g. `gw-a/12`). */
  key: string;
}

export interface OutboxReport {
  acked: string[];
  /** Connections opened after the first (failovers). */
  reconnects: number;
  /** Sends that got no PUBACK and were sent again. */
  resends: number;
}

export class OutboxPublisher {
  private client: MqttClient | null = null;
  readonly report: OutboxReport = { acked: [], reconnects: 0, resends: 0 };

  constructor(
    private readonly url: string,
    private readonly gateway: string,
    private readonly secret: string,
  ) {}

  /** Sends every message; `pauseMs` between messages spreads the run out in time. */
  async send(
    messages: readonly OutboxMessage[],
    options: { pauseMs?: number; onAck?: (message: OutboxMessage) => Promise<void> | void } = {},
  ): Promise<OutboxReport> {
    for (const message of messages) {
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) this.report.resends++;
        if (attempt > 200) throw new Error(`${this.gateway}: ${message.key} was never acknowledged`);
        try {
          const client = await this.connected();
          await publishOrClose(client, message);
          break;
        } catch {
          this.client?.end(true);
          this.client = null;
          await sleep(200);
        }
      }
      this.report.acked.push(message.key);
      await options.onAck?.(message);
      if (options.pauseMs) await sleep(options.pauseMs);
    }
    return this.report;
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true);
    this.client = null;
  }

  private async connected(): Promise<MqttClient> {
    if (this.client?.connected) return this.client;
    this.client?.end(true);
    if (this.report.acked.length > 0 || this.client) this.report.reconnects++;
    const client = await mqtt.connectAsync(this.url, {
      clientId: `${this.gateway}-${Math.random().toString(16).slice(2, 8)}`,
      username: this.gateway,
      password: this.secret,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    this.client = client;
    return client;
  }
}

/** Resolves on the PUBACK, rejects when the connection closes first (mqtt.js may keep the message pending). */
function publishOrClose(client: MqttClient, message: OutboxMessage): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const closed = () => reject(new Error('connection closed before the PUBACK'));
    client.once('close', closed);
    client.publish(message.topic, message.payload, { qos: 1 }, (error) => {
      client.removeListener('close', closed);
      if (error) reject(error);
      else resolve();
    });
  });
}
