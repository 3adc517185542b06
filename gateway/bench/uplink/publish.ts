/**
 * Publishes a list of messages through the link emulator (a child process) as a gateway's uplink does
 * (MQTT 3.1.1, persistent session, at most `window` QoS 1 messages awaiting PUBACK) and
 * reports the bytes that crossed the link and how long it took.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { startLink } from './link-process.js';
import type { BenchMessage } from './encodings.js';

export interface PublishResult {
  upBytes: number;
  downBytes: number;
  /** From the first PUBLISH to the broker having received the last message. */
  seconds: number;
}

export async function publishThroughLink(
  brokerPort: number,
  messages: readonly BenchMessage[],
  link: { bitsPerSecond?: number; latencyMs?: number },
  window: number,
  received: () => number,
): Promise<PublishResult> {
  const emulator = await startLink([
    '--target',
    `127.0.0.1:${brokerPort}`,
    ...(link.bitsPerSecond ? ['--bps', String(link.bitsPerSecond)] : []),
    ...(link.latencyMs ? ['--latency', `${link.latencyMs}ms`] : []),
  ]);
  const port = emulator.port;
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 4,
    clientId: 'gw-001',
    clean: false,
    keepalive: 60,
    reconnectPeriod: 0,
  });
  const before = received();
  const started = performance.now();
  let inFlight = 0;
  let failure: Error | null = null;
  for (const message of messages) {
    while (inFlight >= window) await sleep(1);
    inFlight += 1;
    client.publish(message.topic, message.payload, { qos: message.qos }, (error) => {
      inFlight -= 1;
      if (error) failure = error;
    });
  }
  while (received() - before < messages.length && failure === null) await sleep(5);
  const seconds = (performance.now() - started) / 1000;
  while (inFlight > 0 && failure === null) await sleep(5);
  await client.endAsync();
  await sleep(50 + (link.latencyMs ?? 0) * 2); // let the DISCONNECT cross before counting
  const stats = await emulator.counts();
  await emulator.stop();
  if (failure) throw failure;
  return { upBytes: stats.up.bytes, downBytes: stats.down.bytes, seconds };
}
