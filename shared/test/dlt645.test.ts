import t from 'tap';
import {
  CONTROL_READ,
  CONTROL_READ_ADDRESS,
  WILDCARD_ADDRESS,
  decodeTime,
  decodeValue,
  diBytes,
  encodeFrame,
  encodeTime,
  encodeValue,
  loadBuiltinProfiles,
  parseProfile,
  parseValueFormat,
  scanFrame,
} from '../src/index.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

t.test('published frame traces', async (t) => {
  // FACTS.md "DL/T 645-2007" [S]: read address with the wildcard, four wake-up bytes.
  t.same(
    encodeFrame({ address: WILDCARD_ADDRESS, control: CONTROL_READ_ADDRESS, data: Buffer.alloc(0) }, 4),
    hex('FE FE FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16'),
  );
  // FACTS.md [S]: read forward active energy: data `33 33 34 33` is DI 00010000 low byte first, each +0x33.
  const read = encodeFrame({ address: '000000000001', control: CONTROL_READ, data: diBytes('00010000') });
  t.same(read.subarray(8, 14), hex('11 04 33 33 34 33'));
  t.equal(read[read.length - 1], 0x16);
  // FACTS.md [S]: DI 02010100 reply data `34 43` → `01 10` → 100.1 V.
  t.equal(decodeValue(Buffer.from([0x34 - 0x33, 0x43 - 0x33]), parseValueFormat('XXX.X'), false), 100.1);
  // Heyuan ASDU-LS manual, "1997 DL/645 Protocol Configuration" (manualshive.com/en/manual/heyuan-intelligence/
  // asdu-ls/2128413?page=18): the same link layer; sent `68 03 00 00 00 00 00 68 01 02 44 E9 03 16`,
  // received `68 03 00 00 00 00 00 68 81 04 44 E9 33 34 EC 16`, data 0100 V.
  const sent = scanFrame(hex('68 03 00 00 00 00 00 68 01 02 44 E9 03 16'));
  t.equal(sent.kind, 'frame');
  if (sent.kind === 'frame') {
    t.same(sent.frame, { address: '000000000003', control: 0x01, data: hex('11 B6') });
    t.same(encodeFrame(sent.frame), hex('68 03 00 00 00 00 00 68 01 02 44 E9 03 16'), 're-encodes byte for byte');
  }
  const received = scanFrame(hex('FE FE 68 03 00 00 00 00 00 68 81 04 44 E9 33 34 EC 16'));
  t.equal(received.kind, 'frame', 'wake-up bytes before the reply are skipped');
  if (received.kind === 'frame') {
    t.same(received.frame.data, hex('11 B6 00 01'));
    t.equal(decodeValue(received.frame.data.subarray(2), parseValueFormat('XXXX'), false), 100);
  }
});

t.test('frame scanning: incomplete, bad checksum, bad end, garbage before', async (t) => {
  const good = encodeFrame({ address: '123456789012', control: 0x91, data: hex('00 01 02 03 55') }, 2);
  t.equal(scanFrame(good.subarray(0, good.length - 1)).kind, 'incomplete');
  const badSum = Buffer.from(good);
  badSum[badSum.length - 2] = badSum[badSum.length - 2]! ^ 1;
  const scanned = scanFrame(badSum);
  t.equal(scanned.kind, 'bad');
  if (scanned.kind === 'bad') t.equal(scanned.reason, 'checksum');
  const badEnd = Buffer.from(good);
  badEnd[badEnd.length - 1] = 0x17;
  const ended = scanFrame(badEnd);
  t.ok(ended.kind === 'bad' && ended.reason === 'framing');
  const withGarbage = scanFrame(Buffer.concat([hex('01 02 03'), good]));
  t.ok(withGarbage.kind === 'frame' && withGarbage.frame.address === '123456789012' && withGarbage.start === 5);
  t.throws(() => encodeFrame({ address: '12345678901', control: 0x11, data: Buffer.alloc(0) }), /12 decimal digits/);
});

t.test('BCD values: scaling, sign bit, clamping, non-BCD bytes', async (t) => {
  const current = parseValueFormat('XXX.XXX');
  t.same(current, { text: 'XXX.XXX', bytes: 3, decimals: 3, binary: false });
  t.same(encodeValue(12.345, current, true), hex('45 23 01'));
  t.same(encodeValue(-12.345, current, true), hex('45 23 81'), 'the top bit of the highest byte is the sign');
  t.equal(decodeValue(hex('45 23 81'), current, true), -12.345);
  t.equal(decodeValue(hex('45 23 81'), parseValueFormat('XXXXXX'), false) > 0, true);
  t.same(encodeValue(1e9, current, true), hex('99 99 79'), 'a signed value clamps below the sign bit');
  t.same(encodeValue(1e9, current, false), hex('99 99 99'));
  t.throws(() => decodeValue(hex('4A 23 01'), current, true), /not BCD/);
  t.throws(() => parseValueFormat('XXX.XX'), /even count/);
  t.equal(decodeValue(encodeValue(0xa5f0, parseValueFormat('word'), false), parseValueFormat('word'), false), 0xa5f0);
  const at = Date.UTC(2026, 11, 1, 7, 45);
  t.same(encodeTime(at, 480), hex('45 15 01 12 26'), 'YYMMDDhhmm in local time, minutes first');
  t.equal(decodeTime(encodeTime(at, 480), 480), at);
  t.throws(() => decodeTime(hex('45 15 01 13 26'), 480), /not a date/);
});

t.test('DL/T 645 profiles: the shipped one, and mistakes named', async (t) => {
  const profile = loadBuiltinProfiles().get('dlt645-3p')!;
  t.equal(profile.protocol, 'dlt645');
  t.equal(profile.registers.length, 0);
  const ia = profile.dlt645!.items.find((i) => i.quantity === 'i_a')!;
  t.same([ia.di, ia.format.bytes, ia.signed, ia.primary], ['02020100', 3, true, 'ct']);
  t.ok(profile.dlt645!.items.find((i) => i.status === 'max_demand_kw')!.withTime);
  const base = { id: 'x', protocol: 'dlt645', model: 'm', kind: 'meter', source: 's' };
  t.throws(
    () => parseProfile({ ...base, items: [{ di: '02010100', format: 'XXX.X', quantity: 'v_a' }] }, 'x.json'),
    /x\.json: \/items\/0: a canonical quantity needs a validRange/,
  );
  t.throws(
    () =>
      parseProfile(
        { ...base, items: [{ di: '02010100', format: 'XXX', quantity: 'v_a', validRange: [0, 1] }] },
        'x.json',
      ),
    /\/items\/0\/format/,
  );
  t.throws(
    () =>
      parseProfile(
        {
          ...base,
          items: [{ di: '02010100', format: 'XXX.X', status: 'v' }],
          blocks: [{ di: '0201FF00', items: ['02010100', '02010200'] }],
        },
        'x.json',
      ),
    /\/blocks\/0\/items\/1: 02010200 is not among/,
  );
});
