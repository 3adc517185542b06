/** The DTSU666 and RCM-4 models over Modbus TCP, read back with modbus-serial as the client. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator } from '../src/index.js';
import {
  closeClient,
  decodeBlock,
  exceptionOf,
  profile,
  profiles,
  quietLog,
  scenarioFrom,
  tcpClient,
  tempDir,
} from './support/helpers.js';

const scenario = scenarioFrom(`
seed: 7
tickMs: 200
transformers: [{ id: tx-1, ratedKva: 100 }]
buses: [{ id: tcp-a, kind: tcp, host: 127.0.0.1, port: 0 }]
devices:
  - { id: m-1, profile: dtsu666, bus: tcp-a, unit: 1, ctRatio: 60, ptRatio: 1, transformer: tx-1, load: { baseKva: 60, pf: 0.95, daily: flat } }
  - { id: t-1, profile: gridsafe-rcm4, bus: tcp-a, unit: 2 }
  - { id: s-1, profile: sdm630, bus: tcp-a, unit: 3, ctRatio: 40, load: { baseKva: 30, pf: 0.9 } }
`);

t.test(
  'registers served over TCP are the profile map encoding the model, unit ids route, unmapped addresses answer exception 2',
  async (t) => {
    const dir = tempDir(t);
    const servedLog = join(dir, 'served.jsonl');
    const sim = await startSimulator(scenario, { logger: quietLog, profiles, servedLogPath: servedLog });
    t.teardown(() => sim.stop());
    const port = sim.tcp[0]!.port;
    t.ok(port > 0, 'a free port was bound');
    const client = await tcpClient(port);
    t.teardown(() => closeClient(client));

    const dtsu = profile('dtsu666');
    // Read one whole block so the values come from one served state; retry if a tick fell between.
    let meterChecked = false;
    for (let attempt = 0; attempt < 5 && !meterChecked; attempt++) {
      const before = sim.current('m-1');
      client.setID(1);
      const block = await client.readHoldingRegisters(0x2000, 0x46);
      const energy = await client.readHoldingRegisters(0x101e, 12);
      const after = sim.current('m-1');
      if (before.since !== after.since) continue;
      const decoded = {
        ...decodeBlock(dtsu, 3, 0x2000, block.data, 60, 1),
        ...decodeBlock(dtsu, 3, 0x101e, energy.data, 60, 1),
      };
      t.same(
        Object.keys(decoded).sort(),
        dtsu.registers.map((r) => r.quantity).sort(),
        'every quantity of the DTSU666 profile is served',
      );
      for (const [q, v] of Object.entries(decoded))
        t.ok(
          Math.abs(v - after.values[q as keyof typeof after.values]!) <= 1e-9 * Math.max(1, Math.abs(v)),
          `${q} read back equals the served value`,
        );
      const v = after.values;
      t.ok(v.v_a! > 200 && v.v_a! < 260, `phase voltage about 230 V (${v.v_a})`);
      t.ok(
        Math.abs(v.v_ab! / Math.sqrt(3) / ((v.v_a! + v.v_b!) / 2) - 1) < 0.01,
        'line-to-line voltage is about √3 times the phase voltage',
      );
      t.ok(Math.abs(v.p_kw! - (v.p_a_kw! + v.p_b_kw! + v.p_c_kw!)) < 1e-3, 'total P is the sum of the phases');
      const s = Math.hypot(v.p_kw!, v.q_kvar!);
      t.ok(Math.abs(v.pf! - v.p_kw! / s) < 2e-3, 'PF agrees with P and Q');
      t.ok(
        Math.abs((v.i_a! * v.v_a!) / 1000 - v.p_a_kw! / v.pf!) / (v.p_a_kw! / v.pf!) < 0.01,
        'phase current agrees with phase power, voltage and PF',
      );
      t.ok(s > 45 && s < 75, `apparent power near the 60 kVA base (${s.toFixed(1)})`);
      const settings = await client.readHoldingRegisters(0x0006, 2);
      t.same(settings.data, [60, 10], 'CT ratio 60 and PT ratio 1 (in tenths) in the settings registers');
      const secondary = await client.readHoldingRegisters(0x200c, 2);
      t.ok(
        Buffer.from(secondary.buffer).readFloatBE(0) / 1000 < 5,
        'phase A current is served secondary side (below the CT rated 5 A)',
      );
      meterChecked = true;
    }
    t.ok(meterChecked, 'a meter block was read within one served state');

    client.setID(2);
    // As above: compare with the state in force when the read was answered.
    let terminal = await client.readHoldingRegisters(0, 0x1c);
    let tv = sim.current('t-1').values;
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = sim.current('t-1').since;
      terminal = await client.readHoldingRegisters(0, 0x1c);
      const after = sim.current('t-1');
      tv = after.values;
      if (before === after.since) break;
    }
    t.equal(terminal.data[0], tv.i_res_ma, 'residual current in mA');
    t.ok(tv.i_res_ma! > 80 && tv.i_res_ma! < 160, 'normal background leakage');
    t.equal(terminal.data[5], 1, 'breaker closed');
    t.equal(terminal.data[8], 300, 'rated residual operating current setting 300 mA');
    t.equal(terminal.data[0x1b], 0, 'alarm status normal');
    t.equal(Buffer.from(terminal.buffer).readInt16BE(2), Math.round(tv.t1_c! * 10), 'temperature 1 in tenths of °C');

    client.setID(3);
    let sdmDecoded: ReturnType<typeof decodeBlock> = {};
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = sim.current('s-1');
      const sdm = await client.readInputRegisters(0, 0x4c);
      const after = sim.current('s-1');
      if (before.since !== after.since) continue;
      sdmDecoded = decodeBlock(profile('sdm630'), 4, 0, sdm.data, 1, 1);
      t.same(
        sdmDecoded,
        after.values,
        'SDM630 input registers decode to the served values, with no ratio applied (primary side)',
      );
      break;
    }
    t.ok(
      Math.abs(sdmDecoded.s_kva! - Math.hypot(sdmDecoded.p_kw!, sdmDecoded.q_kvar!)) < 0.01 * sdmDecoded.s_kva!,
      'SDM630 S agrees with P and Q (primary side)',
    );
    t.ok(sdmDecoded.i_a! > 20, `SDM630 currents are primary side (${sdmDecoded.i_a} A)`);

    client.setID(1);
    t.equal(await exceptionOf(client.readHoldingRegisters(0x5000, 2)), 2, 'unmapped address: exception 2');
    t.equal(await exceptionOf(client.readHoldingRegisters(0x0000, 2)), 2, 'below the settings block: exception 2');
    t.equal(
      await exceptionOf(client.readHoldingRegisters(0x2040, 10)),
      2,
      'a read running past the end of a block: exception 2',
    );
    t.equal(
      await exceptionOf(client.readInputRegisters(0x2000, 2)),
      2,
      'a function the profile does not map: exception 2',
    );
    t.equal(await exceptionOf(client.readHoldingRegisters(0x2000, 126)), 3, 'more than 125 registers: exception 3');
    client.setID(9);
    t.equal(
      await exceptionOf(client.readHoldingRegisters(0x2000, 2)),
      11,
      'no device at unit 9: exception 11 (gateway target failed to respond)',
    );

    await sleep(450);
    const lines = readFileSync(servedLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ts: number; device: string; values: Record<string, number> });
    const m1 = lines.filter((l) => l.device === 'm-1');
    t.ok(m1.length >= 3, 'one served-log line per tick per device');
    for (let i = 1; i < m1.length; i++) t.ok(m1[i]!.ts > m1[i - 1]!.ts, 'served-log timestamps increase');
    t.ok(
      m1.every((l) => Object.keys(l.values).length === dtsu.registers.length),
      'each line carries every served quantity',
    );
    const last = m1[m1.length - 1]!;
    t.same(last.values, sim.current('m-1').values, 'the last line is what is served now');
    t.ok(m1[m1.length - 1]!.values['e_imp_kwh']! > m1[0]!.values['e_imp_kwh']!, 'import energy grows');
  },
);
