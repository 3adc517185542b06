/**
 * Reads a scenario file (YAML or JSON) into a checked `Scenario`, with defaults filled
 * in: the top-level fields and the checks across lists here; buses, devices and events
 * each in their own module. Mistakes are reported as file:line:col: field: problem,
 * before anything starts.
 */
import { readFileSync } from 'node:fs';
import { loadBuiltinProfiles, type DeviceProfile } from '@gridsafe/shared';
import { Fields, SourceDoc } from './fields.js';
import { ID, ID_TEXT } from './ids.js';
import { parseBus } from './parse-buses.js';
import { parseDevice } from './parse-devices.js';
import { parseEvent } from './parse-events.js';
import type { CustomerSpec, Scenario, TransformerSpec } from './types.js';

export interface ParseOptions {
  profiles?: Map<string, DeviceProfile>;
  /** Host for TCP buses that name none (GRIDSAFE_SIM_HOST). */
  defaultHost?: string;
}

export function loadScenarioFile(path: string, options: ParseOptions = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `scenario file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parseScenario(SourceDoc.parse(text, path), options);
}

export function parseScenarioText(text: string, source: string, options: ParseOptions = {}): Scenario {
  return parseScenario(SourceDoc.parse(text, source), options);
}

export function parseScenario(src: SourceDoc, options: ParseOptions = {}): Scenario {
  const profiles = options.profiles ?? loadBuiltinProfiles();
  const top: Fields = Fields.of(src, [], src.data, [
    'name',
    'seed',
    'tickMs',
    'tick',
    'utcOffsetMinutes',
    'start',
    'transformers',
    'customers',
    'buses',
    'devices',
    'events',
    '$comment',
  ]);
  const tickMs = top.has('tick') ? top.duration('tick') : top.number('tickMs', 1000, 10, 3_600_000, true);
  if (tickMs < 10) top.fail('tick', 'must be at least 10 ms');
  let startMs: number | undefined;
  if (top.has('start')) {
    const ref = top.time('start');
    if (!('absoluteMs' in ref)) top.fail('start', 'must be an ISO 8601 timestamp, such as 2025-03-03T00:00:00+08:00');
    startMs = ref.absoluteMs;
  }

  const transformers = top.list('transformers').map((item, i): TransformerSpec => {
    const f: Fields = Fields.of(src, ['transformers', i], item, ['id', 'ratedKva', 'site']);
    return { id: f.string('id', undefined, ID, ID_TEXT), ratedKva: f.number('ratedKva', undefined, 1, 1e6) };
  });
  unique(
    src,
    'transformers',
    transformers.map((t) => t.id),
  );
  const customers = top.list('customers').map((item, i): CustomerSpec => {
    const f: Fields = Fields.of(src, ['customers', i], item, ['id', 'contractKva', 'name']);
    return { id: f.string('id', undefined, ID, ID_TEXT), contractKva: f.number('contractKva', undefined, 1, 1e6) };
  });
  unique(
    src,
    'customers',
    customers.map((c) => c.id),
  );

  const buses = top
    .list('buses', true)
    .flatMap((item, i) => parseBus(src, ['buses', i], item, options.defaultHost ?? '127.0.0.1'));
  unique(
    src,
    'buses',
    buses.map((b) => b.id),
  );
  const tcpPorts = buses.flatMap((b) => (b.kind === 'tcp' && b.port !== 0 ? [`${b.host}:${b.port}`] : []));
  if (new Set(tcpPorts).size !== tcpPorts.length)
    top.fail(
      'buses',
      'two TCP buses listen on the same host and port; put their devices on one bus (unit ids tell them apart)',
    );

  const devices = top
    .list('devices', true)
    .flatMap((item, i) => parseDevice(src, ['devices', i], item, profiles, buses, transformers, customers));
  unique(
    src,
    'devices',
    devices.map((d) => d.id),
  );
  const taken = new Map<string, string>();
  for (const d of devices) {
    const key = d.dlt645 ? `${d.bus}/dlt645:${d.dlt645.address}` : `${d.bus}/${d.unit}`;
    const other = taken.get(key);
    if (other)
      src.fail(
        ['devices'],
        `devices "${other}" and "${d.id}" share ${d.dlt645 ? `address ${d.dlt645.address}` : `unit ${d.unit}`} on bus "${d.bus}"`,
      );
    taken.set(key, d.id);
  }

  const events = top
    .list('events')
    .map((item, i) => parseEvent(src, ['events', i], item, devices, profiles, transformers));
  return {
    source: src.source,
    name: top.string('name', src.source),
    seed: top.number('seed', 1, 0, 0xffffffff, true),
    tickMs,
    utcOffsetMinutes: top.number('utcOffsetMinutes', 480, -720, 840, true),
    ...(startMs !== undefined ? { startMs } : {}),
    transformers,
    customers,
    buses,
    devices,
    events,
  };
}

function unique(src: SourceDoc, list: string, ids: string[]): void {
  const seen = new Set<string>();
  ids.forEach((id) => {
    if (seen.has(id)) src.fail([list], `id "${id}" is used twice`);
    seen.add(id);
  });
}
