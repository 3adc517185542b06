import t from 'tap';
import {
  COMPACT_TELEMETRY_CONTENT_TYPE,
  decodeTelemetryPayload,
  encodeCompactTelemetry,
  parseTopic,
  resolveTelemetryEncoding,
  topics,
  type TelemetryBatch,
} from '../../src/index.js';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const batch: TelemetryBatch = {
  gateway: 'gw-1',
  seq: 3,
  sentAt: now,
  readings: [{ device: 'm-1', ts: now, values: { p_kw: 12.31 }, quality: 'good' }],
};
const json = Buffer.from(JSON.stringify(batch));
const compact = encodeCompactTelemetry(batch);

t.test('the topic suffix selects the encoding', async (t) => {
  const plain = parseTopic(topics.telemetry('gw-1'));
  const suffixed = parseTopic(topics.compactTelemetry('gw-1'));
  t.ok(plain?.kind === 'telemetry' && suffixed?.kind === 'telemetry');
  if (plain?.kind !== 'telemetry' || suffixed?.kind !== 'telemetry') return;
  t.strictSame(decodeTelemetryPayload(json, plain.encoding), { ok: true, value: batch, encoding: 'json' });
  t.strictSame(decodeTelemetryPayload(compact, suffixed.encoding, undefined, { now }), {
    ok: true,
    value: batch,
    encoding: 'compact',
  });
  t.equal(
    decodeTelemetryPayload(compact, plain.encoding).ok,
    false,
    'compact bytes on the JSON topic without a content type are not JSON',
  );
});

t.test('the MQTT 5 content type selects the encoding on the plain topic', async (t) => {
  t.strictSame(resolveTelemetryEncoding('json', COMPACT_TELEMETRY_CONTENT_TYPE), { ok: true, value: 'compact' });
  t.strictSame(resolveTelemetryEncoding('json', 'Application/JSON; charset=utf-8'), { ok: true, value: 'json' });
  t.strictSame(resolveTelemetryEncoding('compact', COMPACT_TELEMETRY_CONTENT_TYPE), { ok: true, value: 'compact' });
  t.strictSame(resolveTelemetryEncoding('json', ''), { ok: true, value: 'json' });
  t.strictSame(decodeTelemetryPayload(compact, 'json', COMPACT_TELEMETRY_CONTENT_TYPE, { now }), {
    ok: true,
    value: batch,
    encoding: 'compact',
  });
});

t.test('contradictory or unknown content types are refused, not guessed', async (t) => {
  for (const [topicEncoding, contentType] of [
    ['compact', 'application/json'],
    ['json', 'application/cbor'],
    ['json', 'text/plain'],
  ] as const) {
    const result = resolveTelemetryEncoding(topicEncoding, contentType);
    t.equal(result.ok ? 'accepted' : result.reason, 'bad_encoding', `${topicEncoding} topic, ${contentType}`);
    if (!result.ok) t.match(result.message, contentType);
  }
});
