/** The gridsafe-sim program as a child process: demo fleet, logs, signals, bad input. */
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, waitFor } from '@gridsafe/testkit';
import { runCli } from './support/child.js';
import { closeClient, exceptionOf, tcpClient, tempDir } from './support/helpers.js';

t.test('--help lists the options and environment', async (t) => {
  const child = runCli(['--help']);
  const { code } = await child.exited;
  t.equal(code, 0);
  for (const word of ['--scenario', '--served-log', '--truth', 'GRIDSAFE_SIM_HOST', 'GRIDSAFE_SIM_TCP_PORT'])
    t.match(child.stdout(), word);
});

t.test(
  'the demo fleet: m-001 and t-001 on one port, served log, truth, overload ramp, clean stop on SIGINT',
  async (t) => {
    const dir = tempDir(t);
    const port = await freePort();
    const served = join(dir, 'data', 'served.jsonl');
    const truth = join(dir, 'truth.jsonl');
    const child = runCli(['--served-log', served, '--truth', truth], { GRIDSAFE_SIM_TCP_PORT: String(port) }, t);
    await waitFor(
      'the simulator to listen',
      () => (child.stdout().includes('simulator running') ? true : undefined),
      10_000,
    );
    const logLine = JSON.parse(
      child
        .stdout()
        .split('\n')
        .find((l) => l.includes('simulator running'))!,
    ) as { level: number; tcp: Array<{ port: number }> };
    t.equal(logLine.tcp[0]!.port, port, 'pino JSON log on stdout names the bound port');

    const client = await tcpClient(port);
    t.teardown(() => closeClient(client));
    client.setID(1);
    const v = await client.readHoldingRegisters(0x2006, 2);
    const volts = Buffer.from(v.buffer).readFloatBE(0) / 10;
    t.ok(volts > 220 && volts < 240, `m-001 (unit 1) phase A voltage about 230 V (${volts})`);
    client.setID(2);
    const r = await client.readHoldingRegisters(0, 6);
    t.ok(
      r.data[0]! > 50 && r.data[0]! < 250 && r.data[5] === 1,
      't-001 (unit 2) normal residual current, breaker closed',
    );
    client.setID(1);
    t.equal(await exceptionOf(client.readHoldingRegisters(0x3000, 2)), 2, 'unmapped address: exception 2');

    // The ramp starts 10 s after start: wait for its label and for the load to climb.
    await waitFor(
      'the overload label',
      () => (existsSync(truth) && readFileSync(truth, 'utf8').includes('overload_ramp') ? true : undefined),
      15_000,
    );
    const label = JSON.parse(readFileSync(truth, 'utf8').trim().split('\n')[0]!) as Record<string, unknown>;
    t.match(label, {
      device: 'm-001',
      event: 'overload_ramp',
      end: null,
      targetKva: 130,
      transformer: 'tx-001',
      ratedKva: 100,
    });
    await sleep(6000);
    const lines = readFileSync(served, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ts: number; device: string; values: Record<string, number> });
    const meter = lines.filter((l) => l.device === 'm-001');
    const s = (l: { values: Record<string, number> }) => Math.hypot(l.values['p_kw']!, l.values['q_kvar']!);
    t.ok(meter.length >= 14, `one line a second for m-001 (${meter.length})`);
    t.ok(
      lines.some((l) => l.device === 't-001'),
      'and for t-001',
    );
    const early = meter.filter((l) => l.ts < (label['start'] as number));
    const late = meter[meter.length - 1]!;
    t.ok(
      early.every((l) => s(l) > 45 && s(l) < 80),
      'about 60 kVA before the ramp',
    );
    t.ok(s(late) > s(early[early.length - 1]!) + 10, `climbing during the ramp (${s(late).toFixed(1)} kVA)`);
    t.ok(late.values['i_a']! > 100, 'served currents are primary (gateway applies CT 60)');

    child.proc.kill('SIGINT');
    const started = Date.now();
    const { code } = await child.exited;
    t.equal(code, 0, 'SIGINT: exit 0');
    t.ok(Date.now() - started < 3000, 'promptly');
    t.match(child.stdout(), 'simulator stopped');
  },
);

t.test('SIGTERM also stops it with exit 0', async (t) => {
  const port = await freePort();
  const child = runCli([], { GRIDSAFE_SIM_TCP_PORT: String(port) }, t);
  await waitFor(
    'the simulator to listen',
    () => (child.stdout().includes('simulator running') ? true : undefined),
    10_000,
  );
  child.proc.kill('SIGTERM');
  t.equal((await child.exited).code, 0);
});

t.test('bad input is named and exits non-zero', async (t) => {
  const dir = tempDir(t);
  const badPort = runCli([], { GRIDSAFE_SIM_TCP_PORT: 'fifty' });
  t.not((await badPort.exited).code, 0);
  t.match(badPort.stderr(), /GRIDSAFE_SIM_TCP_PORT must be a TCP port number.*"fifty"/);

  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    'buses:\n  - { id: b, kind: tcp, port: 0 }\ndevices:\n  - id: m\n    profile: dtsu666\n    bus: b\n    load: { baseKva: 60, pff: 0.9 }\n',
  );
  const bad = runCli(['--scenario', file]);
  t.not((await bad.exited).code, 0);
  t.match(bad.stderr(), `${file}:7:26: devices[0].load.pff: is not a known field (did you mean "pf"?)`);

  const missing = runCli(['--scenario', join(dir, 'nope.yaml')]);
  t.not((await missing.exited).code, 0);
  t.match(missing.stderr(), /nope\.yaml cannot be read: ENOENT/);

  const busy = await freePort();
  const first = runCli([], { GRIDSAFE_SIM_TCP_PORT: String(busy) }, t);
  await waitFor('the first simulator', () => (first.stdout().includes('simulator running') ? true : undefined), 10_000);
  const second = runCli([], { GRIDSAFE_SIM_TCP_PORT: String(busy) });
  t.not((await second.exited).code, 0);
  t.match(second.stderr(), /port is in use/);
  first.proc.kill('SIGTERM');
  await first.exited;

  const unknown = runCli(['--frobnicate']);
  t.equal((await unknown.exited).code, 2);
  t.match(unknown.stderr(), /frobnicate/);
});
