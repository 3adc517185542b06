/**
 * Interoperability with a Modbus master we did not write: Debian's mbpoll (libmodbus)
 * reads the simulator over TCP and over RTU on a pseudo-terminal, and gets the
 * documented register values.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startSimulator } from '../src/index.js';
import { profiles, quietLog, scenarioFrom, tempDir } from './support/helpers.js';
import { ptyPair } from './support/socat.js';

const run = promisify(execFile);

/** Runs mbpoll once and returns register → value as it printed them. */
async function mbpoll(args: string[]): Promise<Map<number, number>> {
  const { stdout } = await run('mbpoll', [...args, '-1', '-0'], { timeout: 10_000 });
  const values = new Map<number, number>();
  for (const match of stdout.matchAll(/^\[(\d+)\]:\s+(-?[\d.]+(?:e[+-]?\d+)?)/gim))
    values.set(Number(match[1]), Number(match[2]));
  if (values.size === 0) throw new Error(`mbpoll printed no values:\n${stdout}`);
  return values;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 2e-5 * Math.max(1, Math.abs(b));

const scenarioYaml = (rtuPath: string) => `
tickMs: 600000
buses:
  - { id: tcp, kind: tcp, host: 127.0.0.1, port: 0 }
  - { id: rtu, kind: rtu, path: ${rtuPath}, baudRate: 19200, parity: even }
devices:
  - { id: m-1, profile: dtsu666, bus: tcp, unit: 1, ctRatio: 60, load: { baseKva: 60, pf: 0.95 } }
  - { id: t-2, profile: gridsafe-rcm4, bus: tcp, unit: 2 }
  - { id: m-5, profile: dtsu666, bus: rtu, unit: 5, ctRatio: 40, load: { baseKva: 40, pf: 0.9 } }
  - { id: s-6, profile: sdm630, bus: rtu, unit: 6, load: { baseKva: 20, pf: 0.9 } }
`;

t.test('mbpoll reads the documented registers over TCP and RTU', async (t) => {
  const dir = tempDir(t);
  const pty = await ptyPair(dir, t);
  const sim = await startSimulator(scenarioFrom(scenarioYaml(pty.a)), { logger: quietLog, profiles });
  t.teardown(() => sim.stop());
  const port = String(sim.tcp[0]!.port);

  // DTSU666 over TCP: float32 big-endian, secondary side, in the profile's raw units.
  const m1 = sim.current('m-1').values;
  const floats = await mbpoll([
    '-m',
    'tcp',
    '-p',
    port,
    '-a',
    '1',
    '-t',
    '4:float',
    '-B',
    '-r',
    '0x2000',
    '-c',
    '10',
    '127.0.0.1',
  ]);
  t.ok(close(floats.get(0x2006)! / 10, m1.v_a!), `v_a: register 0x2006 = ${floats.get(0x2006)} (0.1 V) = ${m1.v_a} V`);
  t.ok(close(floats.get(0x2000)! / 10, m1.v_ab!), 'v_ab at 0x2000 (0.1 V)');
  t.ok(
    close((floats.get(0x200c)! / 1000) * 60, m1.i_a!),
    `i_a: register 0x200C = ${floats.get(0x200c)} mA secondary, × CT 60 = ${m1.i_a} A`,
  );
  t.ok(close((floats.get(0x2012)! / 10 / 1000) * 60, m1.p_kw!), 'P total at 0x2012 (0.1 W secondary)');
  const settings = await mbpoll(['-m', 'tcp', '-p', port, '-a', '1', '-t', '4', '-r', '6', '-c', '2', '127.0.0.1']);
  t.same([settings.get(6), settings.get(7)], [60, 10], 'CT ratio 60, PT ratio 1 in tenths');

  // The RCM-4 terminal over TCP (unit 2): 16-bit registers.
  const t2 = sim.current('t-2').values;
  const words = await mbpoll(['-m', 'tcp', '-p', port, '-a', '2', '-t', '4', '-r', '0', '-c', '10', '127.0.0.1']);
  t.equal(words.get(0), t2.i_res_ma, 'residual current in mA at 0x0000');
  t.ok(close(words.get(1)! / 10, t2.t1_c!), `temperature 1 in 0.1 °C at 0x0001 (${words.get(1)})`);
  t.equal(words.get(5), 1, 'breaker closed at 0x0005');
  t.equal(words.get(8), 300, 'rated residual setting 300 mA at 0x0008');

  // Over RTU at 19200 8E1 through the pseudo-terminal: two slaves on one bus.
  const m5 = sim.current('m-5').values;
  const rtu = await mbpoll([
    '-m',
    'rtu',
    '-b',
    '19200',
    '-P',
    'even',
    '-a',
    '5',
    '-t',
    '4:float',
    '-B',
    '-r',
    '0x2006',
    '-c',
    '3',
    pty.b,
  ]);
  t.ok(close(rtu.get(0x2006)! / 10, m5.v_a!), `RTU slave 5: v_a ${rtu.get(0x2006)} (0.1 V)`);
  const s6 = sim.current('s-6').values;
  const sdm = await mbpoll([
    '-m',
    'rtu',
    '-b',
    '19200',
    '-P',
    'even',
    '-a',
    '6',
    '-t',
    '3:float',
    '-B',
    '-r',
    '0x34',
    '-c',
    '1',
    pty.b,
  ]);
  t.ok(close(sdm.get(0x34)! / 1000, s6.p_kw!), `RTU slave 6 (SDM630, input registers): P ${sdm.get(0x34)} W`);
});
