/**
 * External-broker mode (Mosquitto, EMQX): no embedded broker; the cloud subscribes to
 * every gateway's uplink topics with a shared subscription (`$share/{group}/...`), so
 * several cloud instances split the gateways between them. mqtt.js sends the PUBACK
 * only after `handleMessage` calls back, which we do once the batch is stored.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { topics, type Logger } from '@gridsafe/shared';
import type { IngestPipeline } from '../ingest/pipeline.js';
import { redactUrl } from '../config/load.js';

export interface ExternalSubscriberOptions {
  url: string;
  username?: string;
  password?: string;
  shareGroup: string;
  clientId: string;
  topicPrefix: string;
  pipeline: IngestPipeline;
  log: Logger;
  /** How long start-up waits for the first connection before giving up. */
  connectTimeoutMs?: number;
}

export interface ExternalSubscriber {
  connected(): boolean;
  publish(topic: string, payload: Buffer | string): Promise<void>;
  close(): Promise<void>;
}

export async function startExternalSubscriber(options: ExternalSubscriberOptions): Promise<ExternalSubscriber> {
  const { log, pipeline } = options;
  const filters = topics.cloudFilters(options.topicPrefix).map((filter) => `$share/${options.shareGroup}/${filter}`);
  const client: MqttClient = mqtt.connect(options.url, {
    clientId: options.clientId,
    // A persistent session: QoS 1 batches published while this instance restarts wait for it.
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
  });
  client.handleMessage = (packet, callback) => {
    pipeline.handle(packet.topic, packet.payload as Buffer, packet.properties?.contentType).then(
      () => callback(),
      (error: unknown) => callback(error as Error),
    );
  };
  client.on('connect', (connack) => {
    log.info(
      { broker: redactUrl(options.url), clientId: options.clientId, sessionPresent: connack.sessionPresent },
      'connected to the external broker',
    );
    client.subscribe(filters, { qos: 1 }, (error, granted) => {
      if (error) return log.error({ err: error }, 'subscribing on the external broker failed');
      const refused = (granted ?? []).filter((grant) => grant.qos === 128);
      if (refused.length > 0)
        log.error(
          { refused: refused.map((grant) => grant.topic) },
          'the external broker refused subscriptions (check its ACL for this user)',
        );
      else log.info({ filters }, 'subscribed with shared subscriptions');
    });
  });
  client.on('error', (error) => log.warn({ err: error }, 'external broker connection error'));
  client.on('offline', () => log.warn('external broker offline; reconnecting'));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(
        new Error(
          `could not connect to the external broker ${redactUrl(options.url)} within ${(options.connectTimeoutMs ?? 15_000) / 1000} s`,
        ),
      );
    }, options.connectTimeoutMs ?? 15_000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });

  return {
    connected: () => client.connected,
    publish: (topic, payload) =>
      new Promise<void>((resolve, reject) =>
        client.publish(topic, payload, { qos: 1 }, (error) => (error ? reject(error) : resolve())),
      ),
    close: () => new Promise<void>((resolve) => client.end(false, {}, () => resolve())),
  };
}
