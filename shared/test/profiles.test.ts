import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BYTE_ORDERS,
  REGISTER_TYPES,
  decodeRegisters,
  encodeRegisters,
  loadBuiltinProfiles,
  loadProfileFile,
  parseProfile,
} from '../src/index.js';

t.test('every shipped profile loads and names canonical quantities', async (t) => {
  const profiles = loadBuiltinProfiles();
  t.same([...profiles.keys()].sort(), ['dlt645-3p', 'dtsu666', 'gridsafe-rcm4', 'sdm630']);
  const dtsu = profiles.get('dtsu666')!;
  const ia = dtsu.registers.find((r) => r.quantity === 'i_a')!;
  t.same(
    { address: ia.address, fn: ia.function, type: ia.type, scale: ia.scale, primary: ia.primary },
    { address: 0x200c, fn: 3, type: 'float32', scale: 0.001, primary: 'ct' },
  );
  t.equal(profiles.get('sdm630')!.maxRegistersPerRequest, 80, 'SDM630 reads at most 40 values a request');
});

t.test('register codec round-trips every type in every byte order', async (t) => {
  const samples: Record<string, number[]> = {
    int16: [-32768, -1, 0, 1, 32767],
    uint16: [0, 1, 0xabcd, 65535],
    int32: [-2147483648, -123456, 0, 123456789, 2147483647],
    uint32: [0, 1, 0xdeadbeef, 4294967295],
    float32: [0, -1.5, Math.fround(229.8), Math.fround(3.4e38), Math.fround(-1e-30)],
    int64: [Number.MIN_SAFE_INTEGER, -1, 0, 123456789012345, Number.MAX_SAFE_INTEGER],
    uint64: [0, 1, 0xdeadbeef * 65536, Number.MAX_SAFE_INTEGER],
    float64: [0, -1.5, 229.8, 1.7976931348623157e308, -5e-324],
  };
  for (const type of REGISTER_TYPES) {
    for (const order of BYTE_ORDERS) {
      for (const value of samples[type]!) {
        t.equal(decodeRegisters(encodeRegisters(value, type, order), type, order), value, `${type} ${order} ${value}`);
      }
    }
  }
});

t.test('byte orders put the bytes where Telegraf says they go', async (t) => {
  // 0x11223344 as uint32: ABCD = [0x1122, 0x3344]
  t.same(encodeRegisters(0x11223344, 'uint32', 'ABCD'), [0x1122, 0x3344]);
  t.same(encodeRegisters(0x11223344, 'uint32', 'CDAB'), [0x3344, 0x1122]);
  t.same(encodeRegisters(0x11223344, 'uint32', 'BADC'), [0x2211, 0x4433]);
  t.same(encodeRegisters(0x11223344, 'uint32', 'DCBA'), [0x4433, 0x2211]);
  // 64-bit values: the same two rules on four words. 0x0011223344556677 as uint64:
  t.same(encodeRegisters(0x0011223344556677, 'uint64', 'ABCD'), [0x0011, 0x2233, 0x4455, 0x6677]);
  t.same(encodeRegisters(0x0011223344556677, 'uint64', 'CDAB'), [0x6677, 0x4455, 0x2233, 0x0011]);
  t.same(encodeRegisters(0x0011223344556677, 'uint64', 'BADC'), [0x1100, 0x3322, 0x5544, 0x7766]);
  t.same(encodeRegisters(0x0011223344556677, 'uint64', 'DCBA'), [0x7766, 0x5544, 0x3322, 0x1100]);
  // IEEE 754 double 230.8 is 0x406CD9999999999A (Python: struct.pack('>d', 230.8)).
  t.equal(decodeRegisters([0x406c, 0xd999, 0x9999, 0x999a], 'float64', 'ABCD'), 230.8);
  t.equal(decodeRegisters([0x999a, 0x9999, 0xd999, 0x406c], 'float64', 'CDAB'), 230.8, 'word-swapped double');
  t.equal(decodeRegisters([0xffff, 0xffff, 0xffff, 0xfffe], 'int64', 'ABCD'), -2);
  t.equal(
    decodeRegisters([0x4366, 0xcccd], 'float32', 'ABCD'),
    230.8000030517578,
    'DTSU666-style float32 voltage word pair',
  );
});

t.test('integer registers saturate instead of wrapping', async (t) => {
  t.same(encodeRegisters(70000, 'uint16', 'ABCD'), [65535]);
  t.same(encodeRegisters(-5, 'uint16', 'ABCD'), [0]);
  t.same(encodeRegisters(-5, 'uint64', 'ABCD'), [0, 0, 0, 0]);
  t.same(encodeRegisters(1e30, 'int64', 'ABCD'), [0x7fff, 0xffff, 0xffff, 0xffff]);
});

t.test('a profile declares its holes; a hole over a mapped register is refused', async (t) => {
  const base = { id: 'holed', model: 'x', kind: 'meter', source: 'test', defaults: { function: 3, type: 'float32' } };
  const registers = [
    { quantity: 'v_a', address: 0, validRange: [0, 1] },
    { quantity: 'e_imp_kwh', address: 10, type: 'uint64', validRange: [0, 1] },
  ];
  const profile = parseProfile({ ...base, registers, holes: [{ first: '0x0002', last: 9 }] }, 'holed.json');
  t.same(profile.holes, [{ function: 3, first: 2, last: 9 }]);
  t.same(parseProfile({ ...base, registers }, 'holed.json').holes, [], 'no holes by default');
  t.throws(
    () => parseProfile({ ...base, registers, holes: [{ first: 12, last: 20 }] }, 'holed.json'),
    /holes\/0: 0xc-0x14 covers "e_imp_kwh"/,
    'the uint64 at 10 spans 10..13',
  );
  t.throws(
    () => parseProfile({ ...base, registers, holes: [{ first: 9, last: 2 }] }, 'holed.json'),
    /holes\/0: "last" must not be below "first"/,
  );
});

t.test('a bad profile is refused with the file and field named', async (t) => {
  const dir = t.testdir();
  const base = { id: 'bad', model: 'x', kind: 'meter', source: 'test', defaults: { function: 3, type: 'float32' } };
  const cases: Array<[string, unknown, RegExp]> = [
    [
      'unknown quantity',
      { ...base, registers: [{ quantity: 'watts', address: 0, validRange: [0, 1] }] },
      /registers\/0\/quantity/,
    ],
    ['bad address', { ...base, registers: [{ quantity: 'v_a', address: '0xZZ', validRange: [0, 1] }] }, /address/],
    ['inverted range', { ...base, registers: [{ quantity: 'v_a', address: 0, validRange: [5, 1] }] }, /validRange/],
    [
      'overlap',
      {
        ...base,
        registers: [
          { quantity: 'v_a', address: 0, validRange: [0, 1] },
          { quantity: 'v_b', address: 1, validRange: [0, 1] },
        ],
      },
      /overlaps/,
    ],
    [
      'no type',
      { ...base, defaults: { function: 3 }, registers: [{ quantity: 'v_a', address: 0, validRange: [0, 1] }] },
      /no type/,
    ],
  ];
  for (const [name, document, pattern] of cases) {
    t.throws(() => parseProfile(document, 'bad.json'), pattern, name);
  }
  const path = join(dir, 'other-name.json');
  writeFileSync(path, JSON.stringify({ ...base, registers: [{ quantity: 'v_a', address: 0, validRange: [0, 1] }] }));
  t.throws(() => loadProfileFile(path), /must match the file name/);
  writeFileSync(join(dir, 'broken.json'), '{ not json');
  t.throws(() => loadProfileFile(join(dir, 'broken.json')), /broken\.json: cannot be read as JSON/);
});
