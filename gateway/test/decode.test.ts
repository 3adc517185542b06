/** Decoding: scale, CT/PT ratios per the profile's `primary`, plausibility range → suspect, unreadable values left out. */
import t from 'tap';
import { encodeRegisters, loadBuiltinProfiles } from '@gridsafe/shared';
import { planForProfile } from '../src/modbus/planner.js';
import { decodeReply, type DecodedValue } from '../src/poll/decode.js';

const dtsu = loadBuiltinProfiles().get('dtsu666')!;

/** Builds the words a DTSU666 would answer for each planned request, from secondary-side engineering values. */
function reply(values: Record<string, number>) {
  const plan = planForProfile(dtsu, { gapFill: 10 });
  const out: DecodedValue[] = [];
  for (const request of plan) {
    const words = new Array<number>(request.count).fill(0);
    for (const { register, offset } of request.values) {
      const raw = (values[register.quantity] ?? 0) / register.scale;
      encodeRegisters(raw, register.type, register.byteOrder).forEach((w, k) => (words[offset + k] = w));
    }
    decodeReply(request, words, { ctRatio: 60, ptRatio: 100 }, out);
  }
  return Object.fromEntries(out.map((v) => [v.quantity, v]));
}

t.test(
  'ratios follow the profile: ct for currents, pt for voltages, both for power and energy, none for pf and f',
  async (t) => {
    const d = reply({ i_a: 4.5, v_a: 57.7, p_kw: 0.7, e_imp_kwh: 12.5, pf: 0.95, f_hz: 50.01 });
    t.equal(d['i_a']!.value, 270, '4.5 A × CT 60');
    t.equal(d['v_a']!.value, 5770, '57.7 V × PT 100');
    t.equal(d['p_kw']!.value, 4200, '0.7 kW × 60 × 100');
    t.equal(d['e_imp_kwh']!.value, 75000);
    t.equal(d['pf']!.value, 0.95);
    t.equal(d['f_hz']!.value, 50.01);
    t.notOk(d['i_a']!.suspect);
  },
);

t.test('out of the profile range (before ratios) is suspect, not dropped', async (t) => {
  const d = reply({ i_a: 25, f_hz: 80 });
  t.ok(d['i_a']!.suspect, '25 A secondary is above the 20 A plausible range');
  t.equal(d['i_a']!.value, 1500);
  t.ok(d['f_hz']!.suspect);
});

t.test('a NaN from the device is left out', async (t) => {
  const d = reply({ v_b: Number.NaN });
  t.notOk('v_b' in d);
  t.ok('v_a' in d);
});
