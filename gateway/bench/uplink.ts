/**
 * npm run bench:uplink — bytes on the wire per reading value over the uplink, and how
 * long a one-hour backlog takes to drain over a GPRS-grade link (issue 4).
 *
 * Load: 100 DTSU666 meters x 20 quantities every 15 s for one simulated hour (firmware-sim
 * model). Each encoding's messages go through the link emulator (a separate process
 * counting the bytes of MQTT packets with their headers, both directions) to an MQTT
 * broker, whose received messages are decoded and counted, so the figures are checked.
 * Baseline: the JSON encoding, measured in the same run.
 *
 * Options: --devices N (100), --every DURATION (15s), --hours H (1), --bps RATE (40000)
 * and --latency MS (250, one way) for the drain, --window N (8) QoS 1 messages in flight.
 * The last line printed is one JSON object (see issue 4).
 */
import { parseArgs } from 'node:util';
import { decodeCompactTelemetry, decodeJsonTelemetry, parseTopic, type TelemetryBatch } from '@gridsafe/shared';
import { startBroker } from './uplink/broker.js';
import {
  compactMessages,
  jsonMessages,
  sparkplugMessages,
  valuesIn,
  type BenchMessage,
  type EncodingName,
} from './uplink/encodings.js';
import { simulatedCycles, valueCount } from './uplink/load.js';
import { publishThroughLink } from './uplink/publish.js';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '100' },
    every: { type: 'string', default: '15' },
    hours: { type: 'string', default: '1' },
    bps: { type: 'string', default: '40000' },
    latency: { type: 'string', default: '250' },
    window: { type: 'string', default: '8' },
  },
});
const number = (name: keyof typeof args) => {
  const value = Number(String(args[name]).replace(/s$/, ''));
  if (!(value > 0)) {
    process.stderr.write(`bench:uplink: --${name} must be a positive number, got "${args[name]}"\n`);
    process.exit(2);
  }
  return value;
};
const devices = number('devices');
const everyMs = number('every') * 1000;
const hours = number('hours');
const bitsPerSecond = number('bps');
const latencyMs = Number(args.latency);
const window = number('window');

const out = (line = '') => process.stdout.write(`${line}\n`);
const t0 = Date.UTC(2026, 5, 1, 8, 0, 0);

const batches = simulatedCycles({ devices, everyMs, durationMs: hours * 3_600_000, t0, gateway: 'gw-001' });
const values = valueCount(batches);
out(
  `bench:uplink: ${devices} devices x ${Object.keys(batches[0]?.readings[0]?.values ?? {}).length} quantities every ${everyMs / 1000} s for ${hours} h = ${batches.length} batches, ${values} values`,
);

const broker = await startBroker();
let receivedMessages = 0;
let receivedValues = 0;
const decode = (payload: Buffer, topic: string): TelemetryBatch | null => {
  const parsed = parseTopic(topic);
  if (parsed?.kind !== 'telemetry') return null;
  const result = parsed.encoding === 'compact' ? decodeCompactTelemetry(payload) : decodeJsonTelemetry(payload);
  if (!result.ok)
    throw new Error(`the broker received a batch that does not decode: ${result.reason}: ${result.message}`);
  return result.value;
};
broker.onPublish((topic, payload) => {
  receivedMessages += 1;
  receivedValues += valuesIn(topic, payload, decode);
});

const encodings: Array<[EncodingName, BenchMessage[]]> = [
  ['json', jsonMessages(batches)],
  ['compact', compactMessages(batches)],
  ['sparkplug', sparkplugMessages(batches)],
];
const perValue: Record<EncodingName, number> = { json: 0, compact: 0, sparkplug: 0 };
const wireBytes: Record<EncodingName, number> = { json: 0, compact: 0, sparkplug: 0 };
out();
out('encoding    messages   payload B    wire up B  wire down B   B/value   vs JSON');
for (const [name, messages] of encodings) {
  const valuesBefore = receivedValues;
  const result = await publishThroughLink(broker.port, messages, {}, window, () => receivedMessages);
  const arrived = receivedValues - valuesBefore;
  if (arrived !== values) throw new Error(`${name}: the broker received ${arrived} values, expected ${values}`);
  wireBytes[name] = result.upBytes + result.downBytes;
  perValue[name] = wireBytes[name] / values;
  const payload = messages.reduce((n, m) => n + m.payload.length, 0);
  out(
    `${name.padEnd(10)} ${String(messages.length).padStart(9)} ${String(payload).padStart(11)} ${String(result.upBytes).padStart(12)} ${String(result.downBytes).padStart(12)} ${perValue[name].toFixed(2).padStart(9)} ${(perValue[name] / perValue.json).toFixed(3).padStart(9)}`,
  );
}

out();
out(
  `drain: the ${hours} h backlog (${batches.length} compact batches) over ${bitsPerSecond / 1000} kbit/s each way, ${latencyMs} ms one way, ${window} in flight ...`,
);
const drain = await publishThroughLink(
  broker.port,
  encodings[1]![1],
  { bitsPerSecond, latencyMs },
  window,
  () => receivedMessages,
);
const lineRate = bitsPerSecond / 8;
out(
  `drain: ${drain.seconds.toFixed(1)} s measured (${(drain.upBytes / lineRate).toFixed(1)} s is the line-rate floor for its ${drain.upBytes} bytes up)`,
);
out(
  `drain: the JSON backlog would need at least ${(wireBytes.json / lineRate).toFixed(0)} s, Sparkplug B at least ${(wireBytes.sparkplug / lineRate).toFixed(0)} s at line rate`,
);
await broker.close();

out();
const compactOk = perValue.compact <= 4;
const vsSparkplug = perValue.sparkplug / perValue.compact;
out(`target: compact <= 4 B/value: ${perValue.compact.toFixed(2)} (${compactOk ? 'met' : 'MISSED'})`);
out(
  `target: compact >= 3x smaller than Sparkplug B: ${vsSparkplug.toFixed(2)}x (${vsSparkplug >= 3 ? 'met' : 'MISSED'})`,
);
const round = (n: number) => Math.round(n * 100) / 100;
out(
  JSON.stringify({
    bench: 'uplink',
    bytesPerValue: {
      json: round(perValue.json),
      compact: round(perValue.compact),
      sparkplug: round(perValue.sparkplug),
    },
    drainSeconds: round(drain.seconds),
  }),
);
