/**
 * Command-line and environment settings of the link emulator, checked at start-up:
 * every mistake names the flag (or variable) and what is wrong with it.
 */
import { parseDuration } from '@gridsafe/shared';
import { checkCutSchedule, type CutMode, type CutSchedule } from './cut-plan.js';
import type { LinkEmulatorOptions } from './emulator.js';

export interface LinkCliSettings {
  emulator: LinkEmulatorOptions;
  statsEveryMs: number;
}

export type RawLinkSettings = Partial<
  Record<
    | 'target'
    | 'listen'
    | 'bps'
    | 'up-bps'
    | 'down-bps'
    | 'latency'
    | 'burst'
    | 'cut-at'
    | 'cut-every'
    | 'cut-for'
    | 'cut-first'
    | 'random-cuts'
    | 'seed'
    | 'mode'
    | 'stats-every',
    string
  >
>;

/** The environment variable that can stand for each flag. */
export const LINK_ENV: Record<keyof RawLinkSettings, string> = {
  target: 'GRIDSAFE_LINK_TARGET',
  listen: 'GRIDSAFE_LINK_LISTEN',
  bps: 'GRIDSAFE_LINK_BPS',
  'up-bps': 'GRIDSAFE_LINK_UP_BPS',
  'down-bps': 'GRIDSAFE_LINK_DOWN_BPS',
  latency: 'GRIDSAFE_LINK_LATENCY',
  burst: 'GRIDSAFE_LINK_BURST',
  'cut-at': 'GRIDSAFE_LINK_CUT_AT',
  'cut-every': 'GRIDSAFE_LINK_CUT_EVERY',
  'cut-for': 'GRIDSAFE_LINK_CUT_FOR',
  'cut-first': 'GRIDSAFE_LINK_CUT_FIRST',
  'random-cuts': 'GRIDSAFE_LINK_RANDOM_CUTS',
  seed: 'GRIDSAFE_LINK_SEED',
  mode: 'GRIDSAFE_LINK_MODE',
  'stats-every': 'GRIDSAFE_LINK_STATS_EVERY',
};

export class LinkSettingsError extends Error {}

function bad(flag: string, problem: string): never {
  throw new LinkSettingsError(`--${flag} (${LINK_ENV[flag as keyof RawLinkSettings]}): ${problem}`);
}

function endpoint(flag: string, text: string, defaultHost: string): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65535) bad(flag, `"${text}" is not [host:]port with a port 0..65535`);
  return { host: match[1]?.replace(/^\[|\]$/g, '') ?? defaultHost, port };
}

/** "40000", "40k", "40kbit", "1.5M": bits a second. */
export function parseBits(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kKmM]?)(?:bit|bps|b\/s)?$/.exec(text.trim());
  const value = match
    ? Number(match[1]) * (match[2] === '' ? 1 : match[2]?.toLowerCase() === 'k' ? 1e3 : 1e6)
    : Number.NaN;
  if (!(value > 0)) bad(flag, `"${text}" is not a positive rate in bits a second (e.g. 40000, 40k, 1.5M)`);
  return value;
}

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) bad(flag, `"${text}" is not a duration (e.g. 250ms, 30s, 10m, 1h)`);
  return ms;
}

function mode(text: string | undefined): CutMode {
  if (text === undefined || text === 'reset' || text === 'stall') return text ?? 'reset';
  bad('mode', `"${text}" is not reset or stall`);
}

export function parseLinkSettings(raw: RawLinkSettings): LinkCliSettings {
  if (!raw.target) bad('target', 'is required: the broker the gateway should reach, as host:port');
  const target = endpoint('target', raw.target, '127.0.0.1');
  const listen = endpoint('listen', raw.listen ?? '0', '127.0.0.1');
  const both = raw.bps === undefined ? null : parseBits('bps', raw.bps);
  const cutMode = mode(raw.mode);
  const schedules: CutSchedule[] = [];
  if (raw['cut-at'] !== undefined) {
    const windows = raw['cut-at'].split(',').map((part) => {
      const [at, length] = part.split('+');
      if (at === undefined || length === undefined) bad('cut-at', `"${part}" is not start+duration (e.g. 30s+10m)`);
      return { atMs: duration('cut-at', at), forMs: duration('cut-at', length), mode: cutMode };
    });
    schedules.push({ kind: 'windows', windows });
  }
  if (raw['cut-every'] !== undefined || raw['cut-for'] !== undefined) {
    if (raw['cut-every'] === undefined || raw['cut-for'] === undefined)
      bad(raw['cut-every'] === undefined ? 'cut-every' : 'cut-for', '--cut-every and --cut-for go together');
    schedules.push({
      kind: 'periodic',
      everyMs: duration('cut-every', raw['cut-every']),
      forMs: duration('cut-for', raw['cut-for']),
      ...(raw['cut-first'] === undefined ? {} : { firstAtMs: duration('cut-first', raw['cut-first']) }),
      mode: cutMode,
    });
  }
  if (raw['random-cuts'] !== undefined) {
    const [up, down] = raw['random-cuts'].split('/');
    if (up === undefined || down === undefined)
      bad('random-cuts', `"${raw['random-cuts']}" is not meanUp/meanDown (e.g. 5m/30s)`);
    const seed = Number(raw.seed ?? 1);
    if (!Number.isInteger(seed)) bad('seed', `"${raw.seed}" is not an integer`);
    schedules.push({
      kind: 'random',
      meanUpMs: duration('random-cuts', up),
      meanDownMs: duration('random-cuts', down),
      seed,
      mode: cutMode,
    });
  }
  if (schedules.length > 1) bad('cut-at', 'choose one of --cut-at, --cut-every/--cut-for and --random-cuts');
  const schedule = schedules[0];
  if (schedule) {
    const problem = checkCutSchedule(schedule);
    if (problem)
      bad(schedule.kind === 'windows' ? 'cut-at' : schedule.kind === 'periodic' ? 'cut-every' : 'random-cuts', problem);
  }
  const burst = raw.burst === undefined ? 1500 : Number(raw.burst);
  if (!(Number.isInteger(burst) && burst >= 1))
    bad('burst', `"${raw.burst}" is not a whole number of bytes, 1 or more`);
  return {
    emulator: {
      target,
      listen,
      upBitsPerSecond: raw['up-bps'] === undefined ? both : parseBits('up-bps', raw['up-bps']),
      downBitsPerSecond: raw['down-bps'] === undefined ? both : parseBits('down-bps', raw['down-bps']),
      latencyMs: raw.latency === undefined ? 0 : duration('latency', raw.latency),
      burstBytes: burst,
      ...(schedule ? { schedule } : {}),
    },
    statsEveryMs: raw['stats-every'] === undefined ? 10_000 : duration('stats-every', raw['stats-every']),
  };
}
