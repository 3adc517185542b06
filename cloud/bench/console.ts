/**
 * bench:console — how fast the console's alert list shows its first rows with 10,000
 * alerts in the store, and how much it downloads to do it (issue 15: under 1 s on these
 * machines, under 200 KB).
 *
 * A real cloud (embedded SQLite) and Debian's chromium through playwright-core. The
 * baseline, measured in the same run, is the same page with 10 alerts in the store: the
 * ratio says how much the store's size costs (paging and sorting in the database should
 * keep it near 1). Each figure is the median of BENCH_ROUNDS (5) cold page loads.
 * Last line: {"bench":"console","firstRowsMs":n,"payloadKb":n}.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { AlertType, Severity } from '@gridsafe/shared';
import { startCloud, type CloudHandle } from '../src/service.js';
import { parseWorkflowSettings } from '../src/workflow-plugin/settings.js';
import { workflowStartOptions } from '../src/workflow-plugin/start.js';
import { DEMO_SEED, localCloudConfig } from '../test/support/cloud.js';

const ALERTS = Number(process.env['BENCH_ALERTS'] ?? 10_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const TYPES: AlertType[] = ['overload', 'residual_current', 'over_temperature', 'voltage_deviation', 'comm_loss'];
const SEVERITIES: Severity[] = ['info', 'warning', 'critical'];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function cloudWith(alertCount: number): Promise<{ cloud: CloudHandle; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-bench-console-'));
  const config = localCloudConfig(dir, { seed: DEMO_SEED, env: { GRIDSAFE_LOG_LEVEL: 'warn' } });
  // As the command line starts it: with the workflow (work orders, notifications, the console).
  const cloud = await startCloud(config, workflowStartOptions(config, parseWorkflowSettings(config.workflow)));
  const start = Date.now() - alertCount * 60_000;
  for (let i = 0; i < alertCount; i++) {
    const { alert } = await cloud.ctx.alerts.raise({
      type: TYPES[i % TYPES.length] as AlertType,
      subject: `dev-${i % 2000}`,
      subjectKind: 'device',
      severity: SEVERITIES[i % 3] as Severity,
      ts: start + i * 60_000,
      evidence: { value: i, limit: 100, since: start + i * 60_000 },
    });
    if (i % 3 === 0) await cloud.ctx.alerts.transition(alert.id, 'resolved', 'bench', 'closed');
  }
  return { cloud, dir };
}

/** One cold load of the console: ms from navigation to the first alert row, and bytes of API answers. */
async function firstRows(browser: Browser, url: string): Promise<{ ms: number; bytes: number }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  let bytes = 0;
  page.on('response', (response) => {
    if (!response.url().includes('/api/v1/')) return;
    void response.body().then(
      (body) => (bytes += body.length),
      () => undefined,
    );
  });
  const started = performance.now();
  await page.goto(`${url}/console/#/alerts`);
  await page
    .locator('tr[data-alert-id]')
    .first()
    .waitFor()
    .catch(async (error: Error) => {
      throw new Error(`no alert rows: ${(await page.textContent('main').catch(() => '')) ?? ''} (${error.message})`);
    });
  const ms = performance.now() - started;
  // The live event stream never ends, so no 'network idle': give the answers already received time to be read.
  await page.waitForTimeout(500);
  await context.close();
  return { ms, bytes };
}

async function measure(browser: Browser, alertCount: number): Promise<{ ms: number; kb: number }> {
  const { cloud, dir } = await cloudWith(alertCount);
  try {
    await firstRows(browser, cloud.httpUrl); // warm the server's caches and the browser's compile cache
    const runs = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await firstRows(browser, cloud.httpUrl));
    return { ms: median(runs.map((r) => r.ms)), kb: median(runs.map((r) => r.bytes)) / 1024 };
  } finally {
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const browser = await chromium.launch({
  executablePath: process.env['GRIDSAFE_CHROMIUM'] ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const baseline = await measure(browser, 10);
  const full = await measure(browser, ALERTS);
  console.log(`alerts in store     first rows (median of ${ROUNDS})   API payload`);
  console.log(
    `${String(10).padEnd(20)}${baseline.ms.toFixed(0).padStart(8)} ms${baseline.kb.toFixed(1).padStart(22)} KB`,
  );
  console.log(`${String(ALERTS).padEnd(20)}${full.ms.toFixed(0).padStart(8)} ms${full.kb.toFixed(1).padStart(22)} KB`);
  console.log(
    `ratio to the 10-alert baseline: time ${(full.ms / baseline.ms).toFixed(2)}, payload ${(full.kb / baseline.kb).toFixed(2)}`,
  );
  console.log(
    JSON.stringify({ bench: 'console', firstRowsMs: Math.round(full.ms), payloadKb: Number(full.kb.toFixed(1)) }),
  );
} finally {
  await browser.close();
}
