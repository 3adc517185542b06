/**
 * `npm run eval:detect`: generates the labelled data set, replays it through the real
 * ingest path, scores each detector, checks that a late backlog gives the same alerts
 * as live data, and prints one JSON line last.
 *
 * Options: --days N (default 28), --seed N (default 7), --skip-backlog, --details.
 */
import { parseArgs } from 'node:util';
import { buildPlan, DAY, SCORED } from './plan.js';
import { generate } from './generate.js';
import { derivedEpisodes } from './truth.js';
import { replay, type ReplayResult } from './replay.js';
import { runInProcess } from './inproc.js';
import { benignCapacityViolations, score, type ScoredAlert } from './score.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

function key(a: ScoredAlert): string {
  return `${a.type}|${a.subject}|${a.openedAt}|${a.resolvedAt}|${a.severity}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      days: { type: 'string', default: '28' },
      seed: { type: 'string', default: '7' },
      'skip-backlog': { type: 'boolean', default: false },
      'in-process': { type: 'boolean', default: false },
      set: { type: 'string', multiple: true, default: [] },
      details: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    out(
      'usage: eval:detect [--days N] [--seed N] [--skip-backlog] [--details] [--in-process] [--set detector.setting=value ...]',
    );
    return;
  }
  const days = Number(values.days);
  // Baseline rules need two weeks of history before their episodes start (plan.ts).
  const seed = Number(values.seed);
  if (!Number.isInteger(days) || days < 21)
    throw new Error(
      `--days must be a whole number of at least 21 (baselines need two weeks before their episodes), got ${values.days}`,
    );
  if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, got ${values.seed}`);

  const t0 = Date.now();
  const plan = buildPlan({ days, seed });
  const gen = generate(plan);
  const episodes = [...plan.episodes, ...derivedEpisodes(plan, gen, plan.episodes.length + 1)];
  const deviceDays = (plan.registry.devices.length * (plan.end - plan.start)) / DAY;
  out(
    `eval:detect: ${plan.registry.devices.length} devices × ${days} days = ${deviceDays} device-days, ${gen.count} readings, seed ${seed} (generated in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  const byKind = new Map<string, number>();
  for (const e of episodes) if (e.expect.length > 0 || e.benign) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
  out(`episodes: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);

  const settings: Record<string, Record<string, unknown>> = {
    consumption_anomaly: { holidays: plan.holidays.listed },
    suspected_tamper: { holidays: plan.holidays.listed },
  };
  for (const item of values.set ?? []) {
    const m = /^([a-z_]+)\.([A-Za-z]+)=(.+)$/.exec(item);
    if (!m) throw new Error(`--set ${item}: expected detector.setting=value`);
    const parsed: unknown = /^(true|false|-?[0-9.]+)$/.test(m[3]!) ? JSON.parse(m[3]!) : m[3];
    (settings[m[1]!] ??= {})[m[2]!] = parsed;
  }
  const live: ReplayResult = values['in-process']
    ? await runInProcess(plan, gen, settings)
    : await replay(plan, gen, 'live', settings);
  out(
    `live replay: ${live.batches} batches in ${live.seconds.toFixed(1)} s (${Math.round((plan.end - plan.start) / 1000 / live.seconds)}× real time), ${live.alerts.length} alerts, ${live.cases.length} cases`,
  );

  const customerOf = (device: string) => plan.registry.devices.find((d) => d.id === device)?.customer;
  const result = score(live.alerts, episodes);
  const benign = benignCapacityViolations(live.alerts, episodes, customerOf);

  out();
  out('detector                 events  alerts  TP   FP  tol  precision  recall   F1     median delay');
  for (const type of SCORED) {
    const d = result.detectors[type]!;
    out(
      `${type.padEnd(24)} ${String(d.events).padStart(6)}  ${String(d.alerts).padStart(6)} ${String(d.truePositives).padStart(4)} ${String(d.falsePositives).padStart(4)} ${String(d.tolerated).padStart(4)}  ${d.precision.toFixed(3).padStart(9)}  ${d.recall.toFixed(3).padStart(6)}  ${d.f1.toFixed(3)}  ${d.delaySeconds === null ? '-' : `${d.delaySeconds} s`}`,
    );
  }
  out(`capacity_violation on benign look-alikes: ${benign}`);
  if (values.details) {
    for (const a of result.falseAlarms)
      out(
        `false alarm: ${a.type} ${a.subject} at ${new Date(a.openedAt).toISOString()} ${JSON.stringify(a.evidence ?? {}).slice(0, 300)}`,
      );
    for (const e of result.missed)
      out(
        `missed: ${e.kind} #${e.id} on ${e.device} ${new Date(e.start).toISOString()}..${new Date(e.end).toISOString()} expecting ${e.expect.join(', ')} ${JSON.stringify(e.params)}`,
      );
  }

  if (!values['skip-backlog'] && !values['in-process']) {
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

  const detectors: Record<string, { precision: number; recall: number; f1: number; delaySeconds: number | null }> = {};
  for (const type of SCORED) {
    const d = result.detectors[type]!;
    detectors[type] = { precision: d.precision, recall: d.recall, f1: d.f1, delaySeconds: d.delaySeconds };
  }
  out(JSON.stringify({ eval: 'detect', detectors, benignCapacityViolations: benign }));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `eval:detect failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
