import t from 'tap';
import { advance, ageingRate, hotSpotC, minutesToLimit, steadyState, type ThermalParams } from '../thermal.js';

// FACTS.md ONAN distribution-transformer constants
const P: ThermalParams = {
  x: 0.8,
  y: 1.6,
  k11: 1,
  k21: 1,
  k22: 2,
  tauOMin: 180,
  tauWMin: 4,
  r: 5,
  dThetaOr: 55,
  dThetaHr: 23,
  paper: 'normal',
};
const LIM = { hotSpotC: 120, topOilC: 105 };

t.test('steady state at rated load and 20 °C ambient is the rated hot-spot of 98 °C', async (t) => {
  const s = steadyState(0, 1, 20, P);
  t.equal(s.topOilC, 75);
  t.equal(hotSpotC(s), 98);
  t.equal(ageingRate(98, 'normal'), 1, 'relative ageing 1 at the rated hot-spot');
  t.equal(ageingRate(104, 'normal'), 2, 'doubles every 6 K');
  t.ok(Math.abs(ageingRate(110, 'upgraded') - 1) < 0.01, 'upgraded paper: about 1 at 110 °C');
});

t.test('a step in load converges to the new steady state', async (t) => {
  const s = steadyState(0, 0.5, 20, P);
  s.k = 1.2;
  advance(s, 24 * 3600_000, P);
  const target = steadyState(0, 1.2, 20, P);
  t.ok(Math.abs(s.topOilC - target.topOilC) < 0.05, `top-oil ${s.topOilC} → ${target.topOilC}`);
  t.ok(Math.abs(hotSpotC(s) - hotSpotC(target)) < 0.05);
  t.ok(s.ageingHours > 0);
});

t.test('the hot-spot answers fast (winding), the top oil slowly', async (t) => {
  const s = steadyState(0, 0.5, 20, P);
  const oil0 = s.topOilC;
  const h0 = hotSpotC(s);
  s.k = 1.5;
  advance(s, 10 * 60_000, P);
  const oilRise = s.topOilC - oil0;
  const hsRise = hotSpotC(s) - h0;
  t.ok(hsRise > 2 * oilRise, `after 10 min: hot-spot +${hsRise.toFixed(1)} K, oil +${oilRise.toFixed(1)} K`);
});

t.test('forecast: none under a safe load, sooner under a heavier one, zero at the limit', async (t) => {
  const at = (k: number) => {
    const s = steadyState(0, 1, 20, P);
    s.k = k;
    return minutesToLimit(s, LIM, P);
  };
  t.equal(at(0.8), null);
  const m13 = at(1.3)!;
  const m16 = at(1.6)!;
  t.ok(m13 > 0 && m16 > 0 && m16 < m13, `1.3 p.u.: ${m13} min, 1.6 p.u.: ${m16} min`);
  const hot = steadyState(0, 1.6, 20, P);
  t.equal(minutesToLimit(hot, LIM, P), 0);
});

t.test('advance ignores earlier times and splits long spans into 1-minute steps', async (t) => {
  const a = steadyState(0, 0.5, 20, P);
  a.k = 1.3;
  const b = { ...a };
  advance(a, 30 * 60_000, P);
  for (let m = 1; m <= 30; m++) advance(b, m * 60_000, P);
  t.ok(Math.abs(a.topOilC - b.topOilC) < 1e-9);
  const before = a.topOilC;
  advance(a, 0, P);
  t.equal(a.topOilC, before);
});
