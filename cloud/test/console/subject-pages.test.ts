/**
 * The transformer and customer pages (issue 15), in real Chromium at 1440x900 and 390x844:
 * reached by links from the alert list, the fleet and a case; load against rating with the
 * forecast band and the thermal state, a free time range (quick choices and a drag across
 * the chart), meters and terminals, alerts; demand against the contract, cases; no page
 * wider than a phone in either language; screenshots of each.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { ForecastStore } from '../../src/forecast/forecast-store.js';
import { startWorkflowCloud, TOKENS, type WorkflowCloud } from '../workflow-support/cloud.js';
import { launchBrowser, newPage, screenshot, signIn } from './browser.js';

const DESK = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Two hours at 150 kW on m-001 (tx-001's only meter, 100 kVA; customer c-001), a forecast for tx-001, a case. */
async function seed(wf: WorkflowCloud): Promise<{ caseId: string; alertId: string }> {
  const end = Date.now() - MINUTE;
  await wf.publish(
    Array.from({ length: 120 }, (_, i) => ({
      device: 'm-001',
      ts: end - (120 - i) * MINUTE,
      values: { p_kw: 150, q_kvar: 0 },
      quality: 'good' as const,
    })),
  );
  const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
  await new ForecastStore(wf.cloud.ctx.rdb).put(
    'transformer',
    'tx-001',
    {
      origin: hourStart - 6 * HOUR,
      model: 'profile',
      backtestMape: { profile: 12 },
      intervalLevel: 0.8,
      points: Array.from({ length: 30 }, (_, i) => ({
        ts: hourStart - 6 * HOUR + i * HOUR,
        value: 120,
        low: 100,
        high: 140,
      })),
    },
    hourStart - 6 * HOUR,
  );
  const caseId = await wf.cloud.ctx.cases.openOrUpdate({
    customer: 'c-001',
    contractKva: 100,
    maxDemandKw: 150,
    excessKva: 50,
    firstSeen: end - 2 * HOUR,
    lastSeen: end,
    demandSeries: [
      [end - HOUR, 150],
      [end, 150],
    ],
    detail: { maxSecondaryA: 6.2, maxDemandAt: end },
  });
  const { alert } = await wf.cloud.ctx.alerts.raise({
    type: 'residual_current',
    subject: 't-001',
    subjectKind: 'device',
    severity: 'critical',
    ts: Date.now(),
    evidence: {},
  });
  return { caseId, alertId: alert.id };
}

const legend = (page: Page, chart: string) => page.locator(`.${chart}[data-ready="true"] .u-legend`).textContent();

/** The range of the next loading or demand request the page makes. */
const nextRange = async (page: Page, path: string, action: () => Promise<void>) => {
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes(path)), action()]);
  const url = new URL(response.url());
  return Number(url.searchParams.get('to')) - Number(url.searchParams.get('from'));
};

t.test('transformer and customer pages, linked from alerts, fleet and cases', async (t) => {
  const wf = await startWorkflowCloud(t);
  const { caseId, alertId } = await seed(wf);
  const browser = await launchBrowser(t);
  const desk = await newPage(t, browser, wf.url, DESK);
  await signIn(desk, wf.url, TOKENS.li);

  // From an alert of a device to its transformer.
  await desk.goto(`${wf.url}/console/#/alert/${alertId}`);
  await desk.locator('#alert-subject a[data-transformer="tx-001"]').click();
  await desk.waitForSelector('main[data-loaded="true"] .load-chart[data-ready="true"]');
  t.match(await desk.textContent('h1'), /tx-001/);
  const load = await legend(desk, 'load-chart');
  t.match(load, /load/, 'the load');
  t.match(load, /rating 100/, 'the rating line');
  t.match(load, /loading limit 150/, "the loading mode's current limit");
  t.match(load, /forecast 80 %/, 'the forecast band');
  const thermal = await legend(desk, 'thermal-chart');
  t.match(thermal, /hot-spot.*top oil.*hot-spot limit 120.*top-oil limit 105/s, 'temperatures against their limits');
  t.match(await desk.textContent('#transformer-devices'), /m-001\s*counted.*t-001.*t-002/s, 'its meters and terminals');
  t.equal(await desk.locator(`#subject-alerts tr[data-alert-id="${alertId}"]`).count(), 1, "its terminal's alert");
  await screenshot(desk, '30-transformer-desk');

  // A maintenance window on the site, from its page: an alert raised meanwhile is marked; ended early.
  await desk.selectOption('#silence-kind', 'maintenance');
  await desk.click('#silence-create');
  t.match(await desk.textContent('#silence-error'), /give a reason/, 'a reason is asked for before anything is sent');
  await desk.fill('#silence-reason', 'oil sampling');
  await desk.selectOption('#silence-hours', '4');
  await desk.click('#silence-create');
  await desk.locator('#silences li', { hasText: 'oil sampling' }).waitFor();
  t.match(await desk.textContent('#silences li'), /maintenance oil sampling · until .* · li/);
  const during = (
    await wf.cloud.ctx.alerts.raise({
      type: 'over_temperature',
      subject: 't-002',
      subjectKind: 'device',
      severity: 'warning',
      ts: Date.now(),
      evidence: {},
    })
  ).alert;
  await desk.reload();
  await desk.locator(`#subject-alerts tr[data-alert-id="${during.id}"] .badge.silenced`).waitFor();
  t.pass('the alert raised in the window is shown with its badge on the page');
  await screenshot(desk, '30-transformer-silenced-desk');
  await desk.click('#silences button.end-silence');
  await desk.locator('p#silences').waitFor();
  const ended = await wf.api('li', 'GET', '/api/v1/silences?target=tx-001');
  t.match(ended.body.items, [{ reason: 'oil sampling', kind: 'maintenance', endedBy: 'li' }], 'ended early, by li');
  t.equal(await desk.locator(`#subject-alerts tr[data-alert-id="${during.id}"] .badge.silenced`).count(), 0);

  // A free time range: a quick choice, then a drag across the chart picks a part of it.
  const sixHours = await nextRange(desk, '/loading?', () => desk.click('button[data-range="6h"]'));
  t.ok(Math.abs(sixHours - 6 * HOUR) < MINUTE, 'six hours');
  await desk.waitForSelector('.load-chart[data-ready="true"] .u-over');
  const box = (await desk.locator('.load-chart .u-over').boundingBox())!;
  const dragged = await nextRange(desk, '/loading?', async () => {
    await desk.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await desk.mouse.down();
    await desk.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 5 });
    await desk.mouse.up();
  });
  t.ok(
    dragged > HOUR && dragged < 2 * HOUR,
    `a quarter of the six hours was dragged (${Math.round(dragged / MINUTE)} min)`,
  );
  await desk.waitForSelector('main[data-loaded="true"] .load-chart[data-ready="true"]');

  // On to the customer of the meter.
  await desk.locator('#transformer-devices a[data-customer="c-001"]').click();
  await desk.waitForSelector('.demand-kva-chart[data-ready="true"]');
  t.match(await desk.textContent('h1'), /North Textile Co\. \(c-001\)/);
  t.match(await legend(desk, 'demand-kva-chart'), /apparent demand.*peak 150.*Contract capacity 100.*105 % 105/s);
  await desk.waitForSelector('.demand-kw-chart[data-ready="true"]');
  t.match(await desk.textContent('#active-panel'), /No forecast yet/, 'no customer forecast yet, and the page says so');
  t.equal(await desk.locator(`#customer-cases a[data-case-id="${caseId}"]`).count(), 1, 'its case');
  t.match(await desk.textContent('#customer-facts'), /tx-001/);
  await screenshot(desk, '31-customer-desk');

  // Links from the fleet and from a case.
  await desk.goto(`${wf.url}/console/#/fleet`);
  await desk.locator('a[data-transformer="tx-001"]').first().waitFor();
  await desk.goto(`${wf.url}/console/#/case/${caseId}`);
  await desk.locator('#case-evidence a[data-customer="c-001"]').click();
  await desk.waitForSelector('.demand-kva-chart[data-ready="true"]');
  t.pass('fleet and case link to the pages');

  // Both sizes, both languages: no page wider than its screen.
  const phone = await newPage(t, browser, wf.url, PHONE);
  await signIn(phone, wf.url, TOKENS.li);
  for (const lang of ['en', 'zh']) {
    for (const page of [desk, phone]) if (lang === 'zh') await page.click('#lang-switch');
    for (const [name, hash, chart] of [
      ['transformer', '#/transformer/tx-001', 'thermal-chart'],
      ['customer', '#/customer/c-001', 'demand-kw-chart'],
    ] as const) {
      for (const [size, page, screen] of [
        ['desk', desk, DESK],
        ['phone', phone, PHONE],
      ] as const) {
        await page.goto(`${wf.url}/console/${hash}`);
        await page.waitForSelector(`main[data-loaded="true"] .${chart}[data-ready="true"]`);
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
        t.ok(width <= screen.width, `${name} (${size}, ${lang}): ${width} px wide on a ${screen.width} px screen`);
        await screenshot(page, `32-${name}-${size}-${lang}`);
      }
    }
  }
});
