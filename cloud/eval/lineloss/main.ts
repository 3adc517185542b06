/**
 * eval:lineloss — line-loss figures against ground truth: the loss rate where coverage is
 * complete (against the exact rate from the counters at midnight), abnormal days
 * (precision, recall), the thief among the top-3 candidates, and the cause class. The
 * analysis is the cloud's own (LineLossAnalyzer over the real SQLite series and relational
 * stores), run day by day as the daily pass runs, with the registry as it was each day.
 * Last line: one JSON object.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AlertRecord, createLogger } from '@gridsafe/shared';
import { openRelational } from '../../src/storage/relational/db.js';
import { RegistryStore } from '../../src/storage/relational/registry-store.js';
import { SqlAlertStore } from '../../src/storage/relational/alert-store.js';
import { SqliteSeriesStore } from '../../src/storage/series/sqlite.js';
import { LINE_LOSS_MIGRATIONS } from '../../src/lineloss/migration.js';
import { LineLossStore } from '../../src/lineloss/day-store.js';
import { LineLossAnalyzer } from '../../src/lineloss/analyzer.js';
import { isAbnormal } from '../../src/lineloss/balance.js';
import { DEFAULT_LINE_LOSS_SETTINGS } from '../../src/lineloss/settings.js';
import { localDayStart } from '../../src/lineloss/local-day.js';
import { DAY_MS, EXPECTED_CAUSE, planLineLoss, truthDays } from './scenarios.js';
import { generateLineLoss } from './generate.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const seed = arg('seed', 16);
const days = arg('days', 35);
// Meter clocks kept by broadcast time sync (DL/T 645 0x08, FACTS.md) are off by seconds; --skew-seconds 60 shows minutes.
const skewSeconds = arg('skew-seconds', 20);
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const dir = mkdtempSync(join(base, 'gridsafe-eval-lineloss-'));
const log = createLogger('eval-lineloss', { level: 'warn' });
const settings = DEFAULT_LINE_LOSS_SETTINGS;
const start = localDayStart(Date.UTC(2026, 3, 6), settings.utcOffsetMinutes);
const plan = planLineLoss(seed, days, start);

const rdb = await openRelational(
  { kind: 'sqlite', path: join(dir, 'gridsafe.sqlite') },
  { extraMigrations: LINE_LOSS_MIGRATIONS },
);
const series = new SqliteSeriesStore({ path: join(dir, 'series.sqlite') });
await series.init();
try {
  const registry = new RegistryStore(rdb);
  await registry.refresh();
  const alerts = new SqlAlertStore(rdb);
  const store = new LineLossStore(rdb);
  const analyzer = new LineLossAnalyzer({ series, registry, alerts, store, settings, log });
  const t0 = Date.now();
  const { midnight, readings } = await generateLineLoss(plan, series, skewSeconds * 1000);
  console.log(
    `generated ${readings} readings of ${plan.areas.length} areas × ${days} days in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  for (const a of plan.areas) {
    await registry.putGateway(`gw-${a.id}`, undefined);
    await registry.putTransformer({ id: a.id, site: a.id, ratedKva: 400, area: a.family }, 'upsert');
    const device = (id: string, customer?: string) => ({
      id,
      gateway: `gw-${a.id}`,
      kind: 'meter' as const,
      transformer: a.id,
      ...(customer ? { customer } : {}),
      ctRatio: 1,
      ptRatio: 1,
      ctSecondaryA: 5,
    });
    await registry.putDevice(device(a.supplyDevice), 'upsert');
    for (const c of a.customers) {
      await registry.putCustomer({ id: c.id, name: c.id, contractKva: 50, tariff: 'single' }, 'upsert');
      await registry.putDevice(device(c.device, c.id), 'upsert');
    }
  }

  const opened: AlertRecord[] = [];
  alerts.events.on('change', (alert: AlertRecord, change: string) => {
    if (change === 'opened') opened.push(alert);
  });
  const t1 = Date.now();
  for (let d = 0; d < days; d++) {
    const dayStart = start + d * DAY_MS;
    // The registry as it was that day: a wrong mapping takes effect from its day on.
    for (const e of plan.episodes)
      if (e.kind === 'mapping' && e.start === dayStart && e.mappedTo) {
        const dev = registry.device(e.device)!;
        await registry.putDevice({ ...dev, transformer: e.mappedTo }, 'replace');
      }
    for (const a of plan.areas) await analyzer.analyzeDay(a.id, dayStart);
  }
  console.log(`analysed ${plan.areas.length * days} area-days in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

  // Loss rate where coverage is complete, against the exact rate from the midnight counters.
  let worst = 0;
  let worstAt = '';
  let judged = 0;
  const predicted = new Set<string>();
  for (const a of plan.areas) {
    for (const day of await store.days(a.id, start, start + days * DAY_MS)) {
      const d = Math.round((day.dayStart - start) / DAY_MS);
      if (isAbnormal(day.status)) predicted.add(`${a.id}/${d}`);
      if (day.coverage < 1 || day.ratePct === null) continue;
      let supplied = 0;
      let sold = 0;
      for (const m of day.meters) {
        const c = midnight.get(m.device)!;
        const imp = c[d + 1]!.imp - c[d]!.imp;
        const exp = c[d + 1]!.exp - c[d]!.exp;
        if (m.role === 'supply') supplied += imp - exp;
        else {
          sold += imp;
          supplied += exp;
        }
      }
      const error = Math.abs(((supplied - sold) / supplied) * 100 - day.ratePct);
      if (error > worst) worstAt = `${a.id}/${d} (${day.status}, supplied ${day.suppliedKwh} kWh)`;
      worst = Math.max(worst, error);
      judged++;
    }
  }
  const truth = new Set<string>();
  for (const e of plan.episodes) for (const d of truthDays(plan, e)) for (const a of e.areas) truth.add(`${a}/${d}`);
  const hits = [...predicted].filter((k) => truth.has(k)).length;
  const precision = predicted.size === 0 ? 0 : hits / predicted.size;
  const recall = truth.size === 0 ? 0 : hits / truth.size;

  // Cause (and, for theft, the candidates) of the alert each episode opened on each area it moved.
  let causeRight = 0;
  let causeTotal = 0;
  let top3 = 0;
  let thefts = 0;
  const rows: string[] = [];
  for (const e of plan.episodes) {
    const tdays = truthDays(plan, e);
    for (const area of e.areas) {
      const alert = opened.find(
        (al) =>
          al.subject === area &&
          al.openedAt >= start + (tdays[0] ?? 0) * DAY_MS &&
          al.openedAt <= start + ((tdays.at(-1) ?? 0) + 1) * DAY_MS,
      );
      const cause = (alert?.evidence['cause'] as string | undefined) ?? 'none';
      const candidates = ((alert?.evidence['candidates'] ?? []) as Array<{ customer: string }>).map((c) => c.customer);
      causeTotal++;
      if (cause === EXPECTED_CAUSE[e.kind]) causeRight++;
      if (e.kind === 'theft') {
        thefts++;
        if (candidates.slice(0, 3).includes(e.customer)) top3++;
      }
      rows.push(
        `${area.padEnd(4)} ${e.kind.padEnd(10)} → ${cause.padEnd(16)} ${e.kind === 'theft' ? `rank ${candidates.indexOf(e.customer) + 1}` : ''}`,
      );
    }
  }
  const falseAlarms = [...predicted].filter((k) => !truth.has(k));
  const misses = [...truth].filter((k) => !predicted.has(k));
  console.log(rows.join('\n'));
  console.log(
    `area-days judged at complete coverage: ${judged}; worst rate error ${round(worst, 5)} % points at ${worstAt}`,
  );
  console.log(
    `abnormal days: ${truth.size} true, ${predicted.size} flagged, ${hits} right; false: ${falseAlarms.join(' ') || 'none'}; missed: ${misses.join(' ') || 'none'}`,
  );
  console.log(
    JSON.stringify({
      eval: 'lineloss',
      rateErrorPct: round(worst, 5),
      precision: round(precision),
      recall: round(recall),
      top3: round(thefts === 0 ? 0 : top3 / thefts),
      causeAccuracy: round(causeTotal === 0 ? 0 : causeRight / causeTotal),
    }),
  );
} finally {
  await series.close();
  await rdb.close();
  rmSync(dir, { recursive: true, force: true });
}
