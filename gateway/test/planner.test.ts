/**
 * Poll planner: for each shipped profile, at several gap-fill settings and caps, the
 * number of requests per poll equals the minimum computed here independently (dynamic
 * programming over every way to cut the sorted registers into requests), and every plan
 * reads each register exactly once, within the cap.
 */
import t from 'tap';
import { loadBuiltinProfiles, registerCount, type RegisterDefinition } from '@gridsafe/shared';
import { planForProfile, planRequests } from '../src/modbus/planner.js';
import { readCycleMs, interFrameSilenceMs } from '../src/modbus/timing.js';

/** Fewest requests that read every register: min over all cuts of the sorted list into valid runs. */
function minimumRequests(registers: readonly RegisterDefinition[], cap: number, gapFill: number): number {
  const sorted = registers.slice().sort((a, b) => a.function - b.function || a.address - b.address);
  const best = new Array<number>(sorted.length + 1).fill(Number.POSITIVE_INFINITY);
  best[0] = 0;
  for (let end = 1; end <= sorted.length; end++) {
    for (let start = end - 1; start >= 0; start--) {
      const run = sorted.slice(start, end);
      if (run.some((r) => r.function !== run[0]!.function)) break;
      const first = run[0]!.address;
      const last = Math.max(...run.map((r) => r.address + registerCount(r.type)));
      if (last - first > cap) break;
      let ok = true;
      for (let k = 1; k < run.length; k++) {
        const previousEnd = Math.max(...run.slice(0, k).map((r) => r.address + registerCount(r.type)));
        if (run[k]!.address - previousEnd > gapFill) ok = false;
      }
      if (ok) best[end] = Math.min(best[end]!, best[start]! + 1);
    }
  }
  return best[sorted.length]!;
}

const profiles = loadBuiltinProfiles();

for (const [id, profile] of profiles) {
  t.test(`profile ${id}: requests per poll are the minimum`, async (t) => {
    for (const gapFill of [0, 2, 10, 24, 50]) {
      for (const cap of [...new Set([profile.maxRegistersPerRequest, 16, 8])]) {
        const plan = planForProfile(profile, { gapFill, maxRegisters: cap });
        const minimum = minimumRequests(profile.registers, cap, gapFill);
        t.equal(plan.length, minimum, `gap fill ${gapFill}, cap ${cap}: ${plan.length} requests, minimum ${minimum}`);
        const covered = plan.flatMap((r) => r.values.map((v) => v.register.quantity));
        t.same(
          covered.slice().sort(),
          profile.registers.map((r) => r.quantity).sort(),
          'every register read exactly once',
        );
        for (const request of plan) {
          t.ok(
            request.count <= cap && request.count <= 125,
            `request at ${request.address} reads ${request.count} ≤ ${cap}`,
          );
          for (const v of request.values) {
            t.ok(
              v.offset >= 0 && v.offset + registerCount(v.register.type) <= request.count,
              `${v.register.quantity} lies inside its request`,
            );
            t.equal(v.register.function, request.function);
          }
        }
      }
    }
  });
}

t.test('the shipped profiles at their defaults', async (t) => {
  // DTSU666: energy block (0x101E..0x1029) and 0x2000.. with gaps of 14 and 24 registers.
  t.equal(planForProfile(profiles.get('dtsu666')!, { gapFill: 10 }).length, 4);
  t.equal(planForProfile(profiles.get('dtsu666')!, { gapFill: 24 }).length, 2);
  // SDM630: 0x0000..0x004B is 76 registers, under its 80-register cap, once gaps of ≤ 34 are filled.
  t.equal(planForProfile(profiles.get('sdm630')!, { gapFill: 34 }).length, 1);
  t.equal(planForProfile(profiles.get('gridsafe-rcm4')!, { gapFill: 0 }).length, 1);
});

t.test('a read never spans a hole; a register inside one is left out', async (t) => {
  const dtsu = profiles.get('dtsu666')!;
  const energy = (holes: Array<{ function: 3 | 4; first: number; last: number }>) =>
    planForProfile(dtsu, { gapFill: 10, holes })
      .filter((r) => r.address < 0x2000)
      .map((r) => [r.address, r.count]);
  t.same(energy([]), [[0x101e, 12]], 'without a hole the two energy counters are read together');
  t.same(
    energy([{ function: 3, first: 0x1020, last: 0x1027 }]),
    [
      [0x101e, 2],
      [0x1028, 2],
    ],
    'a hole between them splits the read',
  );
  t.same(energy([{ function: 4, first: 0x1020, last: 0x1027 }]), [[0x101e, 12]], 'a hole of FC 4 does not touch FC 3');
  const withoutExport = planForProfile(dtsu, { gapFill: 10, holes: [{ function: 3, first: 0x1029, last: 0x1029 }] });
  t.notOk(
    withoutExport.some((r) => r.values.some((v) => v.register.quantity === 'e_exp_kwh')),
    'a register in a hole is not read',
  );
});

t.test('a value is never split across requests, and function codes never mix', async (t) => {
  const reg = (address: number, fn: 3 | 4, type: RegisterDefinition['type'] = 'float32'): RegisterDefinition => ({
    quantity: 'p_kw',
    function: fn,
    address,
    type,
    byteOrder: 'ABCD',
    scale: 1,
    primary: 'none',
    validRange: [0, 1],
  });
  const plan = planRequests([reg(0, 3), reg(2, 4), reg(4, 3), reg(6, 3)], { maxRegisters: 5, gapFill: 10 });
  t.same(
    plan.map((r) => [r.function, r.address, r.count]),
    [
      [3, 0, 2],
      [3, 4, 4],
      [4, 2, 2],
    ],
    'the cap of 5 closes the first request rather than split the float32 at 4',
  );
});

t.test('line-rate figures match FACTS.md', async (t) => {
  const f8e1 = { dataBits: 8, parity: 'even' as const, stopBits: 1 };
  t.equal(Math.round(readCycleMs(125, 9600, f8e1) * 10) / 10, 309.4, '9600 baud, 125 registers: 309.4 ms');
  t.equal(Math.round(readCycleMs(1, 9600, f8e1) * 10) / 10, 25.2, '9600 baud, 1 register: 25.2 ms');
  t.equal(Math.round(readCycleMs(125, 19200, f8e1) * 10) / 10, 154.7);
  t.equal(Math.round(readCycleMs(125, 115200, f8e1) * 10) / 10, 28.6);
  t.equal(interFrameSilenceMs(115200, f8e1), 1.75, 'fixed 1.750 ms above 19200 baud');
  t.equal(Math.round(interFrameSilenceMs(9600, f8e1) * 1000) / 1000, 4.01, '3.5 characters of 11 bits at 9600');
});
