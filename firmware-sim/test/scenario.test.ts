/** Scenario files: the shipped examples parse, and mistakes are named with file, line and field. */
import t from 'tap';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../src/index.js';
import { profiles, scenarioFrom, tempDir } from './support/helpers.js';

const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));

t.test('every shipped scenario parses', async (t) => {
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'));
  t.ok(files.length >= 4, `${files.length} example scenarios`);
  for (const file of files) {
    const s = loadScenarioFile(join(SCENARIOS, file), { profiles });
    t.ok(
      s.devices.length > 0,
      `${file}: ${s.devices.length} devices on ${s.buses.length} buses, ${s.events.length} events`,
    );
  }
  const fleet = loadScenarioFile(join(SCENARIOS, 'tcp-fleet.yaml'), { profiles });
  t.equal(fleet.devices.length, 500);
  t.same(
    fleet.buses.map((b) => (b.kind === 'tcp' ? b.port : 0)),
    [5101, 5102, 5103, 5104, 5105],
    'bus copies count their ports up',
  );
  t.match(fleet.devices[0], { id: 'm-0001', bus: 'tcp-001', unit: 1 });
  t.match(fleet.devices[6], { id: 'm-0007', bus: 'tcp-002', unit: 2 }, 'device copies go round-robin across the buses');
  const eval_ = loadScenarioFile(join(SCENARIOS, 'detector-eval.yaml'), { profiles });
  t.equal(eval_.devices.length * 10, 240, 'detector-eval: 240 device-days');
  t.equal(eval_.startMs, Date.parse('2025-03-03T00:00:00+08:00'));
});

t.test('durations follow the shared grammar; a bare number has no unit and is refused', async (t) => {
  const devices =
    'buses: [{ id: b, kind: tcp, port: 0 }]\ndevices:\n  - { id: m, profile: dtsu666, bus: b, load: { baseKva: 1 } }\n';
  t.equal(scenarioFrom(`tick: 1m30s\n${devices}`).tickMs, 90_000);
  t.equal(scenarioFrom(`tick: 500ms\n${devices}`).tickMs, 500);
  t.throws(() => scenarioFrom(`tick: 5\n${devices}`), {
    message: /:1:7: tick: 5 has no unit: say 5s or 5ms, whichever you mean/,
  });
  t.throws(() => scenarioFrom(`tick: 30m1h\n${devices}`), {
    message: /tick: must be a duration from 10ms to 1h \(units d h m s ms, largest first/,
  });
});

t.test('mistakes name the line, the field and the problem', async (t) => {
  const cases: Array<[string, RegExp]> = [
    [
      'buses: [{ id: b, kind: tcp, port: 0 }]\ndevices:\n  - { id: m, profile: dtsu999, bus: b }\n',
      /:3:\d+: devices\[0\]\.profile: no device profile "dtsu999"; known: .*dtsu666/,
    ],
    [
      'buses: [{ id: b, kind: tcp, port: 0 }]\ndevices:\n  - { id: m, profile: dtsu666, bus: c, load: { baseKva: 1 } }\n',
      /devices\[0\]\.bus: no bus "c"/,
    ],
    [
      'buses: [{ id: b, kind: tcp, port: 99999 }]\ndevices: []\n',
      /:1:\d+: buses\[0\]\.port: must be a whole number from 0 to 65535, got 99999/,
    ],
    [
      'buses: [{ id: b, kind: serial, port: 1 }]\ndevices: []\n',
      /buses\[0\]\.kind: must be one of tcp, rtu; got "serial"/,
    ],
    [
      'buses: [{ id: b, kind: tcp, port: 0 }]\ndevices:\n  - { id: m, profile: dtsu666, bus: b }\n',
      /devices\[0\]\.load: is missing: profile "dtsu666" is a meter/,
    ],
    [
      'buses: [{ id: b, kind: tcp, port: 0 }]\ndevices:\n  - { id: m, profile: dtsu666, bus: b, load: { baseKva: 1 } }\n  - { id: n, profile: sdm630, bus: b, load: { baseKva: 1 } }\n',
      /devices "m" and "n" share unit 1 on bus "b"/,
    ],
    [
      'buses: [{ id: b, kind: tcp, port: 0 }]\ndevices:\n  - { id: r, profile: gridsafe-rcm4, bus: b }\nevents:\n  - { device: r, type: overload_ramp, at: 1s, targetKva: 5 }\n',
      /:5:\d+: events\[0\]\.type: overload_ramp acts on a meter, and "r" is a terminal/,
    ],
    [
      'buses: [{ id: b, kind: tcp, port: 0 }]\ndevices:\n  - { id: r, profile: gridsafe-rcm4, bus: b }\nevents:\n  - { device: r, type: comm_fault, at: soon, fault: no_reply }\n',
      /events\[0\]\.at: must be a duration/,
    ],
    [
      'buses: [{ id: b, kind: tcp, port: 0 }]\ndevices:\n  - { id: r, profile: gridsafe-rcm4, bus: b }\nevents:\n  - { device: r, type: comm_fault, at: 1s, fault: exception }\n',
      /events\[0\]\.code: is missing: the exception code/,
    ],
    [
      'buses: [{ id: b, kind: tcp, port: 0 }]\ndevices:\n  - { id: m, profile: dtsu666, bus: b, load: { baseKva: 1 } }\nevents:\n  - { device: m, type: voltage_sag, at: 1s, factor: 1.2 }\n',
      /factor: a sag lowers the voltage/,
    ],
    [
      'buses: [{ id: b, kind: tcp, port: 0 }]\ndevices:\n  - { id: m, profile: dtsu666, bus: b, load: { baseKva: 1 } }\nevents:\n  - { device: m, type: overload_ramp, at: 1s, targetFactor: 1.2 }\n',
      /names no transformer, so give targetKva/,
    ],
    [
      'buses: [{ id: b, kind: tcp, port: 0 }]\ndevices:\n  - { id: "m", count: 3, profile: dtsu666, bus: b, load: { baseKva: 1 } }\n',
      /devices\[0\]\.id: with a count above 1 the id must contain \{n\}/,
    ],
    ['buses: [{ id: b, kind: tcp, port: 0 }\ndevices: []\n', /not valid YAML or JSON/],
  ];
  for (const [text, expected] of cases) t.throws(() => scenarioFrom(text), { message: expected }, String(expected));
  const dir = tempDir(t);
  const json = join(dir, 'bad.json');
  writeFileSync(
    json,
    JSON.stringify(
      {
        buses: [{ id: 'b', kind: 'tcp', port: 0 }],
        devices: [{ id: 'm', profile: 'dtsu666', bus: 'b', load: { baseKva: -5 } }],
      },
      null,
      2,
    ),
  );
  t.throws(
    () => loadScenarioFile(json, { profiles }),
    { message: /bad\.json:\d+:\d+: devices\[0\]\.load\.baseKva: must be a number from 0 to/ },
    'JSON files get lines too',
  );
});
