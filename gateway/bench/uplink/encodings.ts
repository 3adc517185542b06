/**
 * The same batches as MQTT messages in each encoding compared: gridsafe JSON, gridsafe
 * compact (topic suffix, so no MQTT 5 property bytes), and Sparkplug B (NBIRTH, a DBIRTH
 * per device, then one DDATA per device per cycle with metric aliases and a timestamp per
 * metric as the specification has it, QoS 0 as it prescribes for DDATA).
 */
import sparkplug from 'sparkplug-payload';
import { QUANTITY_NAMES, encodeCompactTelemetry, topics, type TelemetryBatch } from '@gridsafe/shared';

export interface BenchMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
}

export type EncodingName = 'json' | 'compact' | 'sparkplug';

const spB = sparkplug.get('spBv1.0');

export function jsonMessages(batches: readonly TelemetryBatch[]): BenchMessage[] {
  return batches.map((batch) => ({
    topic: topics.telemetry(batch.gateway),
    payload: Buffer.from(JSON.stringify(batch)),
    qos: 1,
  }));
}

export function compactMessages(batches: readonly TelemetryBatch[]): BenchMessage[] {
  return batches.map((batch) => ({
    topic: topics.compactTelemetry(batch.gateway),
    payload: encodeCompactTelemetry(batch),
    qos: 1,
  }));
}

const GROUP = 'gridsafe';
const aliasOf = (quantity: string) => QUANTITY_NAMES.indexOf(quantity as (typeof QUANTITY_NAMES)[number]) + 1;

export function sparkplugMessages(batches: readonly TelemetryBatch[]): BenchMessage[] {
  if (!spB) throw new Error('sparkplug-payload does not know the spBv1.0 namespace');
  const first = batches[0];
  if (!first) return [];
  const node = first.gateway;
  let seq = 0;
  const next = () => {
    const value = seq;
    seq = (seq + 1) % 256; // Sparkplug B: seq runs 0..255 per edge node
    return value;
  };
  const message = (type: string, device: string | null, payload: Uint8Array, qos: 0 | 1): BenchMessage => ({
    topic: `spBv1.0/${GROUP}/${type}/${node}${device === null ? '' : `/${device}`}`,
    payload: Buffer.from(payload),
    qos,
  });
  const messages: BenchMessage[] = [
    message(
      'NBIRTH',
      null,
      spB.encodePayload({
        timestamp: first.sentAt,
        seq: next(),
        metrics: [{ name: 'bdSeq', type: 'UInt64', value: 0 }],
      }),
      0,
    ),
  ];
  // DBIRTH announces each metric's name, alias and type once; DDATA then uses aliases only.
  for (const reading of first.readings) {
    const metrics = Object.entries(reading.values).map(([name, value]) => ({
      name,
      alias: aliasOf(name),
      timestamp: reading.ts,
      type: 'Double' as const,
      value,
    }));
    messages.push(
      message('DBIRTH', reading.device, spB.encodePayload({ timestamp: reading.ts, seq: next(), metrics }), 0),
    );
  }
  for (const batch of batches) {
    for (const reading of batch.readings) {
      // Double, not Float: the values have 7 significant digits and must arrive unchanged.
      const metrics = Object.entries(reading.values).map(([name, value]) => ({
        alias: aliasOf(name),
        timestamp: reading.ts,
        type: 'Double' as const,
        value,
      }));
      messages.push(
        message('DDATA', reading.device, spB.encodePayload({ timestamp: reading.ts, seq: next(), metrics }), 0),
      );
    }
  }
  return messages;
}

/** Values a received message carries, by decoding it (so the benchmark checks what it counts). */
export function valuesIn(
  topic: string,
  payload: Buffer,
  decode: (payload: Buffer, topic: string) => TelemetryBatch | null,
): number {
  if (topic.startsWith('spBv1.0/')) {
    if (!topic.includes('/DDATA/')) return 0;
    return spB?.decodePayload(payload).metrics?.length ?? 0;
  }
  const batch = decode(payload, topic);
  return batch ? batch.readings.reduce((n, r) => n + Object.keys(r.values).length, 0) : 0;
}
