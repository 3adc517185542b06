import t from 'tap';
import { deflateRawSync } from 'node:zlib';
import {
  COMPACT_FORMAT_VERSION,
  MAX_BATCH_BYTES,
  MAX_COMPACT_INFLATED_BYTES,
  MAX_READINGS_PER_BATCH,
  REJECT_REASONS,
  decodeCompactTelemetry,
  encodeCompactTelemetry,
  type TelemetryBatch,
  seededRandom,
} from '../../src/index.js';
import { cbor } from '../../src/codec/cbor.js';
import { compactDocument } from '../../src/codec/compact-encode.js';
import { meterBatch, randomBatch } from './random-batch.js';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);
/** What the JSON encoding carries: the reference the compact form must match exactly. */
const viaJson = (batch: TelemetryBatch): TelemetryBatch => JSON.parse(JSON.stringify(batch)) as TelemetryBatch;
const wrap = (document: unknown): Buffer =>
  Buffer.concat([Buffer.from([COMPACT_FORMAT_VERSION]), deflateRawSync(cbor.encode(document))]);

/** The first value whose bits differ (Object.is), or null when all are identical. */
function firstBitDifference(got: TelemetryBatch, want: TelemetryBatch): string | null {
  if (got.readings.length !== want.readings.length) return 'reading count differs';
  for (const [r, reading] of want.readings.entries()) {
    const other = got.readings[r];
    for (const [name, value] of Object.entries(reading.values)) {
      const decoded = (other?.values as Record<string, number> | undefined)?.[name];
      if (!Object.is(decoded, value)) return `readings[${r}].values.${name} ${decoded} !== ${value}`;
    }
  }
  return null;
}

t.test('round-trips random batches exactly as JSON does', async (t) => {
  const seed = Number(process.env['CODEC_SEED'] ?? 20261122);
  const random = seededRandom(seed);
  let values = 0;
  for (let i = 0; i < 400; i += 1) {
    const batch = randomBatch(random, now);
    const want = viaJson(batch);
    const result = decodeCompactTelemetry(encodeCompactTelemetry(batch), { now });
    if (!result.ok) {
      t.fail(`seed ${seed} batch ${i}: rejected (${result.reason}: ${result.message})`);
      break;
    }
    // Same information, same key order (canonical) in the JSON text, same bits in every value.
    t.strictSame(result.value, want, `seed ${seed} batch ${i}`, { diagnostic: false });
    const difference = firstBitDifference(result.value, want);
    if (difference !== null) {
      t.fail(`seed ${seed} batch ${i}: ${difference}`);
      break;
    }
    values += want.readings.reduce((n, r) => n + Object.keys(r.values).length, 0);
  }
  t.ok(values > 5000, `checked ${values} values`);
});

t.test('round-trips the empty batch and a batch of empty readings', async (t) => {
  const empty: TelemetryBatch = { gateway: 'gw-1', seq: 0, sentAt: now, readings: [] };
  const result = decodeCompactTelemetry(encodeCompactTelemetry(empty), { now });
  t.strictSame(result, { ok: true, value: empty });
  const blank: TelemetryBatch = { ...empty, readings: [{ device: 'm', ts: 0, values: {}, quality: 'stale' }] };
  t.strictSame(decodeCompactTelemetry(encodeCompactTelemetry(blank), { now }), { ok: true, value: blank });
});

t.test('is much smaller than JSON (even deflated) for noisy meter data, which keeps its exact decimals', async (t) => {
  const batch = meterBatch(seededRandom(7), now, 100, 4);
  const compact = encodeCompactTelemetry(batch);
  const json = Buffer.from(JSON.stringify(batch));
  const perValue = compact.length / (batch.readings.length * 20);
  t.ok(
    compact.length * 1.5 < deflateRawSync(json).length && compact.length * 8 < json.length,
    `compact ${compact.length} B vs deflated JSON ${deflateRawSync(json).length} B vs JSON ${json.length} B`,
  );
  t.ok(perValue < 4, `${perValue.toFixed(2)} bytes per value`);
  const result = decodeCompactTelemetry(compact, { now });
  t.ok(
    result.ok && JSON.stringify(result.value) === JSON.stringify(batch),
    'the JSON text of the decoded batch is identical',
  );
});

t.test('refuses to encode what the contract forbids', async (t) => {
  const base: TelemetryBatch = {
    gateway: 'gw-1',
    seq: 1,
    sentAt: now,
    readings: [{ device: 'm', ts: now, values: { p_kw: 1 }, quality: 'good' }],
  };
  t.throws(
    () => encodeCompactTelemetry({ ...base, readings: [{ ...base.readings[0]!, values: { p_kw: Number.NaN } }] }),
    /finite/,
  );
  t.throws(
    () => encodeCompactTelemetry({ ...base, readings: [{ ...base.readings[0]!, values: { watts: 1 } as never }] }),
    /canonical quantity/,
  );
});

t.test('every truncation of a valid payload is rejected as bad_encoding', async (t) => {
  const payload = encodeCompactTelemetry(meterBatch(seededRandom(3), now, 5, 2));
  const reasons = new Set<string>();
  for (let length = 0; length < payload.length; length += 1) {
    const result = decodeCompactTelemetry(payload.subarray(0, length), { now });
    reasons.add(result.ok ? 'accepted' : result.reason);
  }
  t.strictSame([...reasons], ['bad_encoding'], `all ${payload.length} prefixes`);
});

t.test('corrupted payloads never throw and never pass unchecked', async (t) => {
  const random = seededRandom(11);
  const payload = encodeCompactTelemetry(meterBatch(random, now, 10, 2));
  let rejected = 0;
  for (let i = 0; i < 500; i += 1) {
    const copy = Buffer.from(payload);
    const flips = 1 + Math.floor(random() * 4);
    for (let f = 0; f < flips; f += 1) {
      const at = Math.floor(random() * copy.length);
      copy[at] = (copy[at] as number) ^ (1 << Math.floor(random() * 8));
    }
    const result = decodeCompactTelemetry(copy, { now });
    if (!result.ok) {
      rejected += 1;
      t.ok(REJECT_REASONS.includes(result.reason) && result.message.length > 10, `corruption ${i}: ${result.reason}`, {
        diagnostic: false,
      });
    }
  }
  t.ok(
    rejected > 250,
    `${rejected} of 500 corrupted payloads rejected; the rest decode to batches that still passed the contract checks`,
  );
});

t.test('wire-level rejections', async (t) => {
  const good = encodeCompactTelemetry(meterBatch(seededRandom(5), now, 3, 1));
  const cases: Array<[string, Uint8Array, string, RegExp]> = [
    ['empty payload', Buffer.alloc(0), 'bad_encoding', /too short/],
    ['unknown format byte', Buffer.concat([Buffer.from([9]), good.subarray(1)]), 'bad_encoding', /format byte 9/],
    ['JSON sent on the compact topic', Buffer.from('{"gateway":"gw-1"}'), 'bad_encoding', /format byte 123/],
    ['not deflate', Buffer.from([COMPACT_FORMAT_VERSION, 0xff, 0xff, 0xff, 0xff]), 'bad_encoding', /deflate/],
    [
      'deflate of non-CBOR bytes',
      Buffer.concat([Buffer.from([COMPACT_FORMAT_VERSION]), deflateRawSync(Buffer.from([0x1c, 0x1d, 0x1e]))]),
      'bad_encoding',
      /CBOR/,
    ],
    [
      'trailing bytes after the CBOR item',
      Buffer.concat([
        Buffer.from([COMPACT_FORMAT_VERSION]),
        deflateRawSync(
          Buffer.concat([cbor.encode(compactDocument(meterBatch(seededRandom(5), now, 1, 1))), Buffer.from([0])]),
        ),
      ]),
      'bad_encoding',
      /CBOR/,
    ],
    ['over the wire limit', Buffer.concat([good, Buffer.alloc(MAX_BATCH_BYTES)]), 'too_large', /limit is 262144/],
    [
      'deflate bomb',
      Buffer.concat([
        Buffer.from([COMPACT_FORMAT_VERSION]),
        deflateRawSync(Buffer.alloc(MAX_COMPACT_INFLATED_BYTES + 1)),
      ]),
      'too_large',
      /deflate bomb/,
    ],
  ];
  for (const [name, payload, reason, message] of cases) {
    const result = decodeCompactTelemetry(payload, { now });
    t.equal(result.ok ? 'accepted' : result.reason, reason, name);
    if (!result.ok) t.match(result.message, message, `${name}: ${result.message}`);
  }
  t.ok(
    deflateRawSync(Buffer.alloc(MAX_COMPACT_INFLATED_BYTES + 1)).length < MAX_BATCH_BYTES,
    'the bomb itself is small enough to get past the wire limit',
  );
});

t.test('malformed documents name the field at fault', async (t) => {
  const batch: TelemetryBatch = {
    gateway: 'gw-7',
    seq: 9,
    sentAt: now,
    readings: [
      { device: 'm-1', ts: now - 1000, values: { v_a: 229.8, p_kw: 1.5 }, quality: 'good' },
      { device: 'm-2', ts: now - 900, values: { v_a: 230.1 }, quality: 'suspect' },
    ],
  };
  // any: each mutation reaches into the untyped CBOR document by position, as an attacker would.
  /* eslint-disable @typescript-eslint/no-explicit-any -- from here on the tests mutate untyped CBOR documents by position */
  const doc = () => compactDocument(batch) as any[];
  t.strictSame(
    decodeCompactTelemetry(wrap(doc()), { now }),
    { ok: true, value: batch },
    'the unmodified document decodes',
  );
  const mutations: Array<[string, (d: any[]) => unknown, RegExp]> = [
    ['not an array', () => ({ gateway: 'gw-7' }), /\(root\) must be an array/],
    ['short root', (d) => d.slice(0, 9), /\(root\) must have 10 items/],
    ['gateway not a string', (d) => ((d[0] = 7), d), /gateway must be a string/],
    ['seq a float', (d) => ((d[1] = 1.5), d), /seq must be a safe integer/],
    ['seq beyond 2^53', (d) => ((d[1] = 2n ** 60n), d), /seq must be a safe integer/],
    ['device index out of range', (d) => ((d[5][1] = 5), d), /readingDevice\[1\] is 5, outside 0..1/],
    ['shape index negative', (d) => ((d[6][0] = -1), d), /readingShape\[0\] is -1/],
    ['quality code unknown', (d) => ((d[7][0] = 3), d), /readingQuality\[0\] is 3/],
    ['column lengths differ', (d) => ((d[8] = [0]), d), /tsDelta must have 2 items/],
    [
      'shape ids not ascending',
      (d) => ((d[4][0] = [12, 0]), d),
      /shapes\[0\] must list quantity ids in strictly ascending order/,
    ],
    ['unknown quantity id', (d) => ((d[4][1] = [99]), d), /shapes\[1\]\[0\] is 99/],
    ['missing column', (d) => ((d[9] = d[9].slice(1)), d), /lacks the column of quantity v_a/],
    [
      'column for a quantity nobody holds',
      (d) => (d[9].push([30, 0, 0, Buffer.alloc(0), [], Buffer.alloc(0)]), d),
      /columns\[2\].id is quantity do_4, which no reading/,
    ],
    [
      'columns out of order',
      (d) => ((d[9] = [d[9][1], d[9][0]]), d),
      /columns\[1\].id must be in strictly ascending order/,
    ],
    [
      'too few delta bytes',
      (d) => ((d[9][0][3] = d[9][0][3].subarray(0, 2)), d),
      /columns\[0\].deltas must hold 2 decimals of 2 bytes \(4 bytes\), has 2/,
    ],
    ['delta width beyond 7 bytes', (d) => ((d[9][0][2] = 8), d), /columns\[0\].width is 8, outside 0..7/],
    ['deltas not a byte string', (d) => ((d[9][0][3] = [1, 2]), d), /columns\[0\].deltas must be a byte string/],
    ['exponent out of range', (d) => ((d[9][0][1] = 40), d), /exponent is 40, outside -22..22/],
    [
      'float bytes wrong length',
      (d) => ((d[9][0] = [0, null, 0, Buffer.alloc(0), [], Buffer.alloc(3)]), d),
      /must hold 2 float64 values \(16 bytes\), has 3/,
    ],
    [
      'exception positions out of range',
      (d) => ((d[9][1] = [10, -1, 0, Buffer.alloc(0), [4], Buffer.alloc(8)]), d),
      /exceptionAt\[0\] is 4, outside 0..0/,
    ],
    [
      'a map where an array belongs',
      (d) => ((d[4] = new Map([['__proto__', 1]])), d),
      /shapes must be an array, got a map/,
    ],
  ];
  for (const [name, mutate, message] of mutations) {
    const result = decodeCompactTelemetry(wrap(mutate(doc())), { now });
    t.equal(result.ok ? 'accepted' : result.reason, 'bad_encoding', name);
    if (!result.ok) t.match(result.message, message, `${name}: ${result.message}`);
  }
  t.equal(({} as Record<string, unknown>)['polluted'], undefined, 'no prototype was touched');
});

t.test('the decoded batch meets the same contract rules as JSON', async (t) => {
  const batch: TelemetryBatch = {
    gateway: 'gw-7',
    seq: 9,
    sentAt: now,
    readings: [{ device: 'm-1', ts: now, values: { v_a: 229.8 }, quality: 'good' }],
  };
  const nan = compactDocument(batch) as any[]; // any: the untyped CBOR document is mutated by position
  nan[9][0] = [0, null, 0, Buffer.alloc(0), [], Buffer.from([0x7f, 0xf8, 0, 0, 0, 0, 0, 0])];
  const cases: Array<[string, Uint8Array, object, string]> = [
    ['NaN smuggled as a float', wrap(nan), {}, 'non_finite'],
    [
      'future timestamp',
      encodeCompactTelemetry({ ...batch, readings: [{ ...batch.readings[0]!, ts: now + 6 * 60_000 }] }),
      {},
      'future_timestamp',
    ],
    [
      'bad device id',
      encodeCompactTelemetry({ ...batch, readings: [{ ...batch.readings[0]!, device: 'a b' }] }),
      {},
      'schema',
    ],
    ['bad gateway id', encodeCompactTelemetry({ ...batch, gateway: 'gw/7' }), {}, 'schema'],
    ['gateway of another topic', encodeCompactTelemetry(batch), { expectedGateway: 'gw-8' }, 'gateway_mismatch'],
  ];
  for (const [name, payload, options, reason] of cases) {
    const result = decodeCompactTelemetry(payload, { now, ...options });
    t.equal(result.ok ? 'accepted' : result.reason, reason, name);
  }
  const many = compactDocument({ ...batch, readings: [] }) as any[]; // any: as above
  const n = MAX_READINGS_PER_BATCH + 1;
  many[3] = ['m'];
  many[4] = [[]];
  for (const i of [5, 6, 7, 8]) many[i] = new Array(n).fill(0);
  const result = decodeCompactTelemetry(wrap(many), { now });
  t.equal(result.ok ? 'accepted' : result.reason, 'too_large', `${n} readings`);
});

t.test('integer byte planes round-trip every width, signs included', async (t) => {
  const { packIntPlanes, unpackIntPlanes } = await import('../../src/codec/int-planes.js');
  const samples = [
    0,
    1,
    -1,
    127,
    -128,
    255,
    256,
    -257,
    65_535,
    2 ** 24,
    -(2 ** 31),
    2 ** 40 + 3,
    2 ** 51 - 1,
    -(2 ** 51) + 1,
  ];
  for (let width = 0; width < samples.length; width += 1) {
    const values = samples.slice(0, width + 1);
    const packed = packIntPlanes(values);
    t.strictSame(
      unpackIntPlanes(packed.width, packed.bytes, values.length),
      values,
      `${values.length} values, ${packed.width} bytes each`,
    );
  }
  t.equal(packIntPlanes([0, 0, 0]).width, 0, 'an all-zero column costs no bytes');
  t.equal(packIntPlanes([-(2 ** 51) + 1, 2 ** 51 - 1]).width, 7, 'the widest deltas fit in 7 bytes');
});
