/** Config errors through the real CLI: each names the file, the line, the field and the problem, and exits 2. */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { runGateway } from './support/gateway-process.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = `gateway:
  id: gw-test
mqtt:
  url: mqtt://127.0.0.1:1883
  password: s3cret
buses:
  - id: rs485-1
    kind: serial
    path: /dev/ttyUSB0
    baudRate: 9600
  - id: tcp-1
    kind: tcp
    host: 127.0.0.1
    port: 502
devices:
  - id: m-001
    bus: rs485-1
    unit: 1
    profile: dtsu666
    ctRatio: 60
    pollInterval: 1s
  - id: t-001
    bus: tcp-1
    unit: 2
    profile: gridsafe-rcm4
`;

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`"${needle}" not in the text`);
  return index + 1;
}

t.test('a sound config passes --check and reads as written', async (t) => {
  const path = write('good.yaml', GOOD);
  const run = await runGateway(['--config', path, '--check']);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /ok: gateway gw-test, 2 bus\(es\), 2 device\(s\)/);
  const config = loadConfig(path, { env: {} });
  t.equal(config.devices[0]!.ctRatio, 60);
  t.equal(config.devices[0]!.pollIntervalMs, 1000);
  t.equal(config.devices[1]!.ctRatio, 1, 'ratios default to 1');
  const serial = config.buses[0]!;
  t.ok(
    serial.kind === 'serial' && serial.parity === 'even' && serial.stopBits === 1,
    'serial defaults: 8E1 (FACTS.md RTU default)',
  );
  t.equal(config.mqtt.username, 'gw-test', 'the MQTT username is the gateway id');
  t.equal(config.mqtt.clientId, 'gridsafe-gw-gw-test');
});

const cases: Array<{ name: string; file: string; text: string; field: string; problem: RegExp; at: string }> = [
  {
    name: 'a negative CT ratio',
    file: 'ct.yaml',
    text: GOOD.replace('ctRatio: 60', 'ctRatio: -3'),
    field: 'devices[0].ctRatio',
    problem: /must be a number above 0 and at most 100000, got -3/,
    at: 'ctRatio: -3',
  },
  {
    name: 'a misspelt field',
    file: 'typo.yaml',
    text: GOOD.replace('pollInterval: 1s', 'polInterval: 1s'),
    field: 'devices[0].polInterval',
    problem: /not a known field \(did you mean "pollInterval"\?\)/,
    at: 'polInterval',
  },
  {
    name: 'an unknown profile',
    file: 'profile.yaml',
    text: GOOD.replace('profile: gridsafe-rcm4', 'profile: acme-9000'),
    field: 'devices[1].profile',
    problem: /"acme-9000" is not a known profile \(known: .*dtsu666/,
    at: 'acme-9000',
  },
  {
    name: 'a device on an undefined bus',
    file: 'bus.yaml',
    text: GOOD.replace('bus: tcp-1', 'bus: tcp-9'),
    field: 'devices[1].bus',
    problem: /names bus "tcp-9", which is not defined/,
    at: 'bus: tcp-9',
  },
  {
    name: 'a bad duration',
    file: 'duration.yaml',
    text: GOOD.replace('pollInterval: 1s', 'pollInterval: fast'),
    field: 'devices[0].pollInterval',
    problem: /must be a duration from 10ms to 1d \(units d h m s ms, largest first/,
    at: 'pollInterval: fast',
  },
  {
    name: 'a duration without a unit',
    file: 'bare-duration.yaml',
    text: GOOD.replace('pollInterval: 1s', 'pollInterval: 5'),
    field: 'devices[0].pollInterval',
    problem: /5 has no unit: say 5s or 5ms, whichever you mean/,
    at: 'pollInterval: 5',
  },
  {
    name: 'a slave address out of range',
    file: 'unit.yaml',
    text: GOOD.replace('unit: 2', 'unit: 300'),
    field: 'devices[1].unit',
    problem: /from 1 to 247, got 300/,
    at: 'unit: 300',
  },
  {
    name: 'a bad parity',
    file: 'parity.yaml',
    text: GOOD.replace('baudRate: 9600', 'baudRate: 9600\n    parity: mark'),
    field: 'buses[0].parity',
    problem: /must be one of none, even, odd/,
    at: 'parity: mark',
  },
  {
    name: 'a gateway id outside the contract',
    file: 'id.yaml',
    text: GOOD.replace('id: gw-test', 'id: gw test!'),
    field: 'gateway.id',
    problem: /CONTRACT.md gateway id/,
    at: 'gw test!',
  },
  {
    name: 'a TCP field on a serial bus',
    file: 'mix.yaml',
    text: GOOD.replace('path: /dev/ttyUSB0', 'path: /dev/ttyUSB0\n    host: 10.0.0.1'),
    field: 'buses[0].host',
    problem: /does not apply to a serial bus/,
    at: 'host: 10.0.0.1',
  },
  {
    name: 'two devices on one address',
    file: 'dup.yaml',
    text: GOOD.replace('bus: tcp-1\n    unit: 2', 'bus: rs485-1\n    unit: 1 # again'),
    field: 'devices[1].unit',
    problem: /unit 1 on bus "rs485-1" is already used by device "m-001"/,
    at: 'unit: 1 # again',
  },
];

for (const c of cases) {
  t.test(`${c.name} is named with file, line and field, and exits 2`, async (t) => {
    const path = write(c.file, c.text);
    const run = await runGateway(['--config', path]);
    t.equal(run.code, 2, 'exit code 2');
    const line = lineOf(c.text, c.at);
    t.match(run.stderr, `${path}:${line}:`, `points at line ${line}`);
    t.match(run.stderr, c.field);
    t.match(run.stderr, c.problem);
  });
}

t.test('several mistakes are reported together', async (t) => {
  const text = GOOD.replace('ctRatio: 60', 'ctRatio: 0').replace('unit: 2', 'unit: 0');
  const run = await runGateway(['--config', write('many.yaml', text)]);
  t.equal(run.code, 2);
  t.match(run.stderr, 'devices[0].ctRatio');
  t.match(run.stderr, 'devices[1].unit');
});

t.test('JSON config errors carry line numbers too', async (t) => {
  const json = JSON.stringify(
    {
      gateway: { id: 'gw-j' },
      buses: [{ id: 'b', kind: 'tcp', host: 'h', port: 70000 }],
      devices: [{ id: 'd', bus: 'b', unit: 1, profile: 'sdm630' }],
    },
    null,
    2,
  );
  const path = write('bad.json', json);
  const run = await runGateway(['--config', path]);
  t.equal(run.code, 2);
  t.match(run.stderr, `${path}:${lineOf(json, '70000')}:`);
  t.match(run.stderr, /buses\[0\]\.port: must be a whole number from 1 to 65535, got 70000/);
});

t.test('broken YAML syntax names the line', async (t) => {
  const text = 'gateway:\n  id: gw-1\nbuses: [\n  {id: a\n';
  const path = write('syntax.yaml', text);
  const run = await runGateway(['--config', path]);
  t.equal(run.code, 2);
  t.match(run.stderr, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: not valid YAML or JSON`));
});

t.test('a missing file is named', async (t) => {
  const path = join(dir, 'nope.yaml');
  const run = await runGateway(['--config', path]);
  t.equal(run.code, 2);
  t.match(run.stderr, `${path}: cannot read the config file (ENOENT)`);
});

t.test('a bad broker URL in the environment names the variable', async (t) => {
  const run = await runGateway(['--check'], { GRIDSAFE_BROKER_URL: 'http//nonsense' });
  t.equal(run.code, 2);
  t.match(run.stderr, 'environment variable GRIDSAFE_BROKER_URL');
});

t.test('an unknown option exits 2; --help lists the environment', async (t) => {
  const bad = await runGateway(['--frobnicate']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /Unknown option '--frobnicate'/);
  const help = await runGateway(['--help']);
  t.equal(help.code, 0);
  for (const name of [
    'GRIDSAFE_BROKER_URL',
    'GRIDSAFE_GATEWAY_SECRET',
    'GRIDSAFE_DATA_DIR',
    'GRIDSAFE_SIM_HOST',
    'GRIDSAFE_SIM_TCP_PORT',
  ])
    t.match(help.stdout, name);
});
