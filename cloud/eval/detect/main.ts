/**
 * `npm run eval:detect`: for each scenario family (families.ts), generates the labelled
 * data set, replays it through the real ingest path, scores each detector and each
 * episode class, checks that a late backlog gives the same alerts as live data, and
 * prints one JSON line last.
 *
 * Options: --days N (default 28, firmware-sim family), --seed N (default 7), --family NAME
 * (repeatable; default both), --skip-backlog, --details, --in-process, --set detector.setting=value.
 */
import { parseArgs } from 'node:util';
import { SCORED } from './plan.js';
import { replay, type ReplayResult } from './replay.js';
import { runInProcess } from './inproc.js';
import {
  alertsPerEpisode,
  benignCapacityViolations,
  score,
  scoreByClass,
  type DetectorScore,
  type ScoredAlert,
} from './score.js';
import { buildFamily, deviceDays, FAMILY_NAMES, subjectsOf, type Family, type FamilyName } from './families.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

function key(a: ScoredAlert): string {
  return `${a.type}|${a.subject}|${a.openedAt}|${a.resolvedAt}|${a.severity}`;
}

type Figures = { precision: number; recall: number; f1: number; delaySeconds: number | null };
interface FamilyResult {
  detectors: Record<string, Figures>;
  alertsPerEpisode: number;
  benignCapacityViolations: number;
}

interface Options {
  inProcess: boolean;
  skipBacklog: boolean;
  details: boolean;
  overrides: Record<string, Record<string, unknown>>;
}

async function runFamily(family: Family, o: Options): Promise<FamilyResult> {
  const { plan, gen, episodes } = family;
  out();
  out(
    `== family ${family.name}: ${plan.registry.devices.length} devices × ${family.days} days = ${deviceDays(plan)} device-days, ${gen.count} readings`,
  );
  const byKind = new Map<string, number>();
  for (const e of episodes) if (e.expect.length > 0 || e.benign) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
  out(`episodes: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const settings: Record<string, Record<string, unknown>> = {};
  for (const [d, s] of Object.entries(family.settings)) settings[d] = { ...s };
  for (const [d, s] of Object.entries(o.overrides)) settings[d] = { ...settings[d], ...s };

  const live: ReplayResult = o.inProcess
    ? await runInProcess(plan, gen, settings)
    : await replay(plan, gen, 'live', settings);
  out(
    `live replay: ${live.batches} batches in ${live.seconds.toFixed(1)} s (${Math.round((plan.end - plan.start) / 1000 / live.seconds)}× real time), ${live.alerts.length} alerts, ${live.cases.length} cases`,
  );
  const customerOf = (device: string) => plan.registry.devices.find((d) => d.id === device)?.customer;
  const result = score(live.alerts, episodes);
  const benign = benignCapacityViolations(live.alerts, episodes, customerOf);
  const perEpisode = alertsPerEpisode(result.hits);

  out();
  out('detector                 events  alerts  TP   FP  tol  precision  recall   F1     median delay');
  for (const type of SCORED) {
    const d: DetectorScore = result.detectors[type]!;
    out(
      `${type.padEnd(24)} ${String(d.events).padStart(6)}  ${String(d.alerts).padStart(6)} ${String(d.truePositives).padStart(4)} ${String(d.falsePositives).padStart(4)} ${String(d.tolerated).padStart(4)}  ${d.precision.toFixed(3).padStart(9)}  ${d.recall.toFixed(3).padStart(6)}  ${d.f1.toFixed(3)}  ${d.delaySeconds === null ? '-' : `${d.delaySeconds} s`}`,
    );
  }
  out();
  out(
    'episode class                 episodes  passed  alerts  (look-alikes: passed = no false alarm; alerts = false alarms)',
  );
  for (const c of scoreByClass(episodes, result, (dev) => subjectsOf(plan, dev)))
    out(
      `${`${c.kind}${c.benign ? ' (look-alike)' : ''}`.padEnd(30)} ${String(c.episodes).padStart(7)} ${String(c.passed).padStart(7)} ${String(c.alerts).padStart(7)}`,
    );
  out(`alerts per detected episode: ${perEpisode}`);
  out(`capacity_violation on benign look-alikes: ${benign}`);
  if (o.details) {
    for (const a of result.falseAlarms)
      out(
        `false alarm: ${a.type} ${a.subject} at ${new Date(a.openedAt).toISOString()} ${JSON.stringify(a.evidence ?? {}).slice(0, 300)}`,
      );
    for (const e of result.missed)
      out(
        `missed: ${e.kind} #${e.id} on ${e.device} ${new Date(e.start).toISOString()}..${new Date(e.end).toISOString()} expecting ${e.expect.join(', ')} ${JSON.stringify(e.params)}`,
      );
  }

  if (!o.skipBacklog && !o.inProcess) {
    const backlog = await replay(plan, gen, 'backlog', settings);
    const a = new Set(live.alerts.map(key));
    const b = new Set(backlog.alerts.map(key));
    const onlyLive = [...a].filter((k) => !b.has(k));
    const onlyBacklog = [...b].filter((k) => !a.has(k));
    out(
      `backlog replay: ${backlog.batches} batches in ${backlog.seconds.toFixed(1)} s; same alerts as live: ${onlyLive.length === 0 && onlyBacklog.length === 0 ? 'yes' : 'NO'} (${a.size} live, ${b.size} backlog, ${onlyLive.length} only live, ${onlyBacklog.length} only backlog)`,
    );
    for (const k of [...onlyLive.slice(0, 5), ...onlyBacklog.slice(0, 5)]) out(`  differs: ${k}`);
  }

  const detectors: Record<string, Figures> = {};
  for (const type of SCORED) {
    const d = result.detectors[type]!;
    detectors[type] = { precision: d.precision, recall: d.recall, f1: d.f1, delaySeconds: d.delaySeconds };
  }
  return { detectors, alertsPerEpisode: perEpisode, benignCapacityViolations: benign };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      days: { type: 'string', default: '28' },
      seed: { type: 'string', default: '7' },
      family: { type: 'string', multiple: true, default: [] },
      'skip-backlog': { type: 'boolean', default: false },
      'in-process': { type: 'boolean', default: false },
      set: { type: 'string', multiple: true, default: [] },
      details: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    out(
      `usage: eval:detect [--family ${FAMILY_NAMES.join('|')} ...] [--days N] [--seed N] [--skip-backlog] [--details] [--in-process] [--set detector.setting=value ...]`,
    );
    return;
  }
  const days = Number(values.days);
  const seed = Number(values.seed);
  // Baseline rules need two weeks of history before their episodes start (plan.ts).
  if (!Number.isInteger(days) || days < 21)
    throw new Error(
      `--days must be a whole number of at least 21 (baselines need two weeks before their episodes), got ${values.days}`,
    );
  if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, got ${values.seed}`);
  const names = (values.family ?? []).length === 0 ? [...FAMILY_NAMES] : values.family!;
  for (const n of names)
    if (!(FAMILY_NAMES as readonly string[]).includes(n))
      throw new Error(`--family ${n}: unknown family (known: ${FAMILY_NAMES.join(', ')})`);
  const overrides: Record<string, Record<string, unknown>> = {};
  for (const item of values.set ?? []) {
    const m = /^([a-z_]+)\.([A-Za-z]+)=(.+)$/.exec(item);
    if (!m) throw new Error(`--set ${item}: expected detector.setting=value`);
    const parsed: unknown = /^(true|false|-?[0-9.]+)$/.test(m[3]!) ? JSON.parse(m[3]!) : m[3];
    (overrides[m[1]!] ??= {})[m[2]!] = parsed;
  }
  const options: Options = {
    inProcess: values['in-process']!,
    skipBacklog: values['skip-backlog']!,
    details: values.details!,
    overrides,
  };

  out(`eval:detect: seed ${seed}, families ${names.join(', ')}`);
  const families: Record<string, FamilyResult> = {};
  for (const name of names) {
    const t0 = Date.now();
    const family = buildFamily(name as FamilyName, { seed, days });
    out(`(${name} generated in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    families[name] = await runFamily(family, options);
  }

  // Today's keys: each detector's figures from the family where it scored worst (lowest F1),
  // benign capacity cases summed over the families.
  const detectors: Record<string, Figures> = {};
  for (const type of SCORED)
    for (const f of Object.values(families))
      if (!detectors[type] || f.detectors[type]!.f1 < detectors[type]!.f1) detectors[type] = f.detectors[type]!;
  const all = Object.values(families);
  out(
    JSON.stringify({
      eval: 'detect',
      detectors,
      benignCapacityViolations: all.reduce((n, f) => n + f.benignCapacityViolations, 0),
      alertsPerEpisode: Math.max(...all.map((f) => f.alertsPerEpisode)),
      families,
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `eval:detect failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
