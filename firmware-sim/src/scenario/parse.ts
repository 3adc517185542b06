/**
 * Reads a scenario file (YAML or JSON) into a checked `Scenario`, with defaults filled
 * in. The document is checked against its schema (schema.ts, by the validator every
 * gridsafe program shares), then the rules across fields by the parse-* modules, in
 * order: grid and buses, devices (which name them), events (which name devices). Every
 * mistake of a stage is reported at once as `file:line:col: field: problem`, before
 * anything starts.
 */
import { readFileSync } from 'node:fs';
import {
  ConfigError,
  ConfigSource,
  loadBuiltinProfiles,
  schemaProblems,
  toMs,
  type DeviceProfile,
} from '@gridsafe/shared';
import { busesOf } from './parse-buses.js';
import { devicesOf } from './parse-devices.js';
import { eventOf } from './parse-events.js';
import { gridOf } from './parse-grid.js';
import { Problems, SCENARIO_HEADLINE } from './problems.js';
import { scenarioSchema, type ScenarioFile } from './schema.js';
import { instantOf } from './times.js';
import { uniqueBusAddresses, uniqueIds, uniqueTcpAddresses } from './uniqueness.js';
import type { EventSpec, Scenario } from './types.js';

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
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError([`scenario file ${path} cannot be read: ${reason}`], SCENARIO_HEADLINE);
  }
  return parseScenarioText(text, path, options);
}

export function parseScenarioText(text: string, name: string, options: ParseOptions = {}): Scenario {
  let source: ConfigSource;
  try {
    source = ConfigSource.fromText(text, name);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.problems, SCENARIO_HEADLINE);
    throw error;
  }
  return parseScenario(source, options);
}

/** A scenario document (from a file, or built in code: the embedded demo); throws a ConfigError naming every mistake. */
export function parseScenario(source: ConfigSource, options: ParseOptions = {}): Scenario {
  const profiles = options.profiles ?? loadBuiltinProfiles();
  const problems = new Problems(source);
  const data = source.data ?? {};
  problems.addFormatted(schemaProblems(scenarioSchema, data, source));
  problems.throwIfAny();
  const file = data as ScenarioFile;

  if (file.tick !== undefined && file.tickMs !== undefined)
    problems.add(['tickMs'], 'give tick or tickMs, not both', true);
  const startMs = file.start === undefined ? undefined : instantOf(file.start, ['start'], problems);
  const { transformers, customers } = gridOf(file, problems);
  const buses = file.buses.flatMap((bus, i) =>
    busesOf(bus, ['buses', i], options.defaultHost ?? '127.0.0.1', problems),
  );
  uniqueIds('buses', buses, problems);
  uniqueTcpAddresses(buses, problems);
  problems.throwIfAny();

  const devices = file.devices.flatMap((device, i) =>
    devicesOf(device, ['devices', i], { profiles, buses, transformers, customers }, problems),
  );
  uniqueIds('devices', devices, problems);
  uniqueBusAddresses(devices, problems);
  problems.throwIfAny();

  const events = (file.events ?? []).flatMap((event, i): EventSpec[] => {
    const spec = eventOf(event, ['events', i], { devices, profiles, transformers }, problems);
    return spec ? [spec] : [];
  });
  problems.throwIfAny();

  return {
    source: source.name,
    name: file.name ?? source.name,
    seed: file.seed ?? 1,
    tickMs: file.tick !== undefined ? toMs(file.tick) : (file.tickMs ?? 1000),
    utcOffsetMinutes: file.utcOffsetMinutes ?? 480,
    ...(startMs !== undefined ? { startMs } : {}),
    transformers,
    customers,
    buses,
    devices,
    events,
  };
}
