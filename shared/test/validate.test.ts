import t from 'tap';
import { checkTelemetryBatch, decodeJsonTelemetry, MAX_BATCH_BYTES, type TelemetryBatch } from '../src/index.js';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const good: TelemetryBatch = {
  gateway: 'gw-001',
  seq: 1042,
  sentAt: now,
  readings: [{ device: 'm-001', ts: now - 15_000, values: { p_kw: 12.31, i_a: 18.2, v_a: 229.8 }, quality: 'good' }],
};
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

t.test('accepts the contract example', async (t) => {
  const result = decodeJsonTelemetry(bytes(good), { now });
  t.ok(result.ok);
  if (result.ok) t.same(result.value, good);
});

t.test('rejects each kind of bad batch with its own reason', async (t) => {
  const cases: Array<[string, unknown, string]> = [
    ['not JSON', '{"gateway": "gw-001", "seq": ', 'not_json'],
    [
      'NaN literal',
      '{"gateway":"gw-001","seq":1,"sentAt":1,"readings":[{"device":"m","ts":1,"values":{"p_kw":NaN},"quality":"good"}]}',
      'non_finite',
    ],
    ['unknown quantity', { ...good, readings: [{ ...good.readings[0], values: { watts: 1 } }] }, 'unknown_quantity'],
    ['value as string', { ...good, readings: [{ ...good.readings[0], values: { p_kw: '12' } }] }, 'schema'],
    ['null value', { ...good, readings: [{ ...good.readings[0], values: { p_kw: null } }] }, 'schema'],
    ['missing seq', { gateway: 'gw-001', sentAt: now, readings: [] }, 'schema'],
    ['bad quality', { ...good, readings: [{ ...good.readings[0], quality: 'great' }] }, 'schema'],
    ['extra field', { ...good, extra: 1 }, 'schema'],
    ['bad gateway id', { ...good, gateway: 'gw/001' }, 'schema'],
    ['future timestamp', { ...good, readings: [{ ...good.readings[0], ts: now + 6 * 60_000 }] }, 'future_timestamp'],
  ];
  for (const [name, payload, reason] of cases) {
    const result = decodeJsonTelemetry(bytes(payload), { now });
    t.equal(result.ok ? 'accepted' : result.reason, reason, name);
    if (!result.ok) t.ok(result.message.length > 10, `${name}: message says why (${result.message})`);
  }
});

t.test('a timestamp just inside the 5-minute allowance passes', async (t) => {
  const result = checkTelemetryBatch({ ...good, readings: [{ ...good.readings[0], ts: now + 5 * 60_000 }] }, { now });
  t.ok(result.ok);
});

t.test('rejects an oversized payload before parsing it', async (t) => {
  const result = decodeJsonTelemetry(Buffer.alloc(MAX_BATCH_BYTES + 1, 0x20), { now });
  t.equal(result.ok ? 'accepted' : result.reason, 'too_large');
});

t.test('rejects a batch that names another gateway than its topic', async (t) => {
  const result = checkTelemetryBatch(good, { now, expectedGateway: 'gw-002' });
  t.equal(result.ok ? 'accepted' : result.reason, 'gateway_mismatch');
});
