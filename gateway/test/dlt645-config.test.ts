/** DL/T 645 devices in the gateway configuration: defaults, and each mistake named with its field. */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config/load.js';
import { runGateway } from './support/gateway-process.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-config-645-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const config = (devices: string, buses = '  - { id: rs485-1, kind: serial, path: /dev/ttyUSB0 }') => {
  const path = join(dir, 'gateway.yaml');
  writeFileSync(
    path,
    `gateway: { id: gw-test }\nbuses:\n${buses}\n  - { id: tcp-1, kind: tcp, host: 127.0.0.1 }\ndevices:\n${devices}\n`,
  );
  return () => loadConfig(path, { env: {} });
};

t.test('a bus of DL/T 645 meters defaults to 2400 baud; wake-up preamble 4; meter clock +08:00', async (t) => {
  const loaded = config('  - { id: d-1, bus: rs485-1, profile: dlt645-3p, address: "000000001234" }')();
  const bus = loaded.buses[0]!;
  t.equal(bus.kind === 'serial' && bus.baudRate, 2400);
  t.equal(bus.kind === 'serial' && bus.parity, 'even', '8E1 (FACTS.md)');
  t.same(loaded.devices[0]!.dlt645, { address: '000000001234', preamble: 4, utcOffsetMinutes: 480 });
  const check = await runGateway(['--config', join(dir, 'gateway.yaml'), '--check']);
  t.match(check.stdout, /d-1 \(dlt645-3p on rs485-1\/000000001234\)/, '--check names the meter by its address');
  const mixed = config(
    '  - { id: d-1, bus: rs485-1, profile: dlt645-3p, address: "000000001234", preamble: 0, utcOffset: "-03:30" }\n' +
      '  - { id: m-1, bus: rs485-1, unit: 1, profile: dtsu666 }',
  )();
  const mixedBus = mixed.buses[0]!;
  t.equal(mixedBus.kind === 'serial' && mixedBus.baudRate, 9600, 'a bus with Modbus devices keeps the Modbus default');
  t.same(mixed.devices[0]!.dlt645, { address: '000000001234', preamble: 0, utcOffsetMinutes: -210 });
});

const problems = (load: () => unknown): string[] => {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

t.test('mistakes are named with the field', async (t) => {
  const cases: Array<[string, RegExp]> = [
    [
      '  - { id: d-1, bus: rs485-1, profile: dlt645-3p, address: "12AB" }',
      /devices\[0\]\.address: "12AB" must be the meter's 12-digit address/,
    ],
    ['  - { id: d-1, bus: rs485-1, profile: dlt645-3p }', /devices\[0\]\.address/],
    [
      '  - { id: d-1, bus: rs485-1, profile: dlt645-3p, address: "000000001234", unit: 3 }',
      /devices\[0\]\.unit: a DL\/T 645 meter has an address, not a Modbus unit/,
    ],
    [
      '  - { id: d-1, bus: tcp-1, profile: dlt645-3p, address: "000000001234" }',
      /devices\[0\]\.bus: "tcp-1" is a tcp bus; a DL\/T 645 meter needs a serial bus/,
    ],
    [
      '  - { id: d-1, bus: rs485-1, profile: dlt645-3p, address: "000000001234", utcOffset: "8h" }',
      /devices\[0\]\.utcOffset: "8h" must be an offset from UTC/,
    ],
    [
      '  - { id: d-1, bus: rs485-1, profile: dlt645-3p, address: "000000001234", preamble: 20 }',
      /devices\[0\]\.preamble/,
    ],
    [
      '  - { id: m-1, bus: rs485-1, unit: 1, profile: dtsu666, address: "000000001234" }',
      /devices\[0\]\.address: applies to DL\/T 645 meters only/,
    ],
    [
      '  - { id: d-1, bus: rs485-1, profile: dlt645-3p, address: "000000001234" }\n  - { id: d-2, bus: rs485-1, profile: dlt645-3p, address: "000000001234" }',
      /devices\[1\]\.address: address 000000001234 on bus "rs485-1" is already used by device "d-1"/,
    ],
  ];
  for (const [devices, problem] of cases) t.match(problems(config(devices)).join('\n'), problem, devices);
});
