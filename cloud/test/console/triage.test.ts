/**
 * The alert list as inspectors triage it (issue 15), in real Chromium at desk (1440x900)
 * and phone (390x844) sizes: most urgent first, resolved set apart, server-side filters,
 * search and paging, bulk acknowledge, "my work"; and no page wider than a phone.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import type { AlertType, Severity } from '@gridsafe/shared';
import { startWorkflowCloud, TOKENS } from '../workflow-support/cloud.js';
import { launchBrowser, leakageRamp, newPage, screenshot, signIn } from './browser.js';

const DESK = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

const rowSeverities = (page: Page) =>
  page.locator('tr[data-alert-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-severity')));
const rowStates = (page: Page) =>
  page.locator('tr[data-alert-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')));

/** Waits for the list to settle after a change: the page info shows the expected text. */
const pageInfo = async (page: Page, text: RegExp) => {
  try {
    await page.locator('#page-info', { hasText: text }).waitFor({ timeout: 15_000 });
  } catch (error) {
    throw new Error(
      `page info "${await page.textContent('#page-info').catch(() => null)}", error "${await page.textContent('#board-error').catch(() => null)}": ${(error as Error).message}`,
    );
  }
};

t.test('triage list: urgent first, filters, search, paging, bulk acknowledge, my work', async (t) => {
  const wf = await startWorkflowCloud(t);
  const alerts = wf.cloud.ctx.alerts;
  const base = Date.now() - 6 * 3_600_000;
  const types: AlertType[] = ['overload', 'residual_current', 'over_temperature', 'voltage_deviation'];
  const severities: Severity[] = ['info', 'warning', 'critical'];
  // 60 alerts over 30 subjects, so the list has two pages; a few resolved.
  for (let i = 0; i < 60; i++) {
    const { alert } = await alerts.raise({
      type: types[i % types.length] as AlertType,
      subject: `dev-${String(i % 30).padStart(2, '0')}`,
      subjectKind: 'device',
      severity: severities[i % 3] as Severity,
      ts: base + i * 60_000,
      evidence: {},
    });
    if (i % 10 === 0) await alerts.transition(alert.id, 'resolved', 'admin', 'test');
  }
  const browser = await launchBrowser(t);
  const admin = await newPage(t, browser, wf.url, DESK);
  await signIn(admin, wf.url, TOKENS.admin);
  await pageInfo(admin, /^1–50 of 60$/);
  const severitiesShown = await rowSeverities(admin);
  t.equal(severitiesShown[0], 'critical', 'criticals first by default');
  t.equal(severitiesShown.indexOf('warning') > severitiesShown.lastIndexOf('critical'), true, 'then warnings');
  await screenshot(admin, '10-triage-list-desk');

  await admin.click('#page-next');
  await pageInfo(admin, /^51–60 of 60$/);
  const states = await rowStates(admin);
  t.same(states.slice(-6), Array(6).fill('resolved'), 'the six resolved alerts come last, after every active one');
  t.notOk(states.slice(0, -6).includes('resolved'));
  await admin.click('#page-prev');
  await pageInfo(admin, /^1–50 of 60$/);

  await admin.selectOption('#filter-severity', 'critical');
  await pageInfo(admin, /^1–20 of 20$/);
  t.same([...new Set(await rowSeverities(admin))], ['critical']);
  await admin.selectOption('#filter-state', 'active');
  await pageInfo(admin, /^1–18 of 18$/);
  await admin.fill('#filter-q', 'DEV-02');
  await admin.press('#filter-q', 'Enter');
  await pageInfo(admin, /^1–2 of 2$/);
  t.match(await admin.textContent('#alert-rows'), /dev-02/);
  await screenshot(admin, '11-triage-list-filtered');
  // The view is kept: a reload comes back to it.
  await admin.reload();
  await pageInfo(admin, /^1–2 of 2$/);
  t.equal(await admin.inputValue('#filter-q'), 'DEV-02', 'the saved view survives a reload');
  await admin.selectOption('#filter-severity', '');
  await admin.selectOption('#filter-state', 'open');
  await admin.fill('#filter-q', '');
  await admin.press('#filter-q', 'Enter');
  await pageInfo(admin, /^1–50 of 54$/);

  // Bulk acknowledge: two ticked, both acknowledged in one action.
  const picked = await admin
    .locator('tr[data-alert-id] input.pick:not([disabled])')
    .evaluateAll((els) => els.slice(0, 2).map((e) => e.closest('tr')?.getAttribute('data-alert-id')));
  for (const id of picked) await admin.check(`tr[data-alert-id="${id}"] input.pick`);
  await admin.click('#ack-selected');
  await pageInfo(admin, /^1–50 of 52$/);
  for (const id of picked)
    t.equal((await wf.api('admin', 'GET', `/api/v1/alerts/${id}`)).body.state, 'acknowledged', `${id} acknowledged`);
});

t.test('my work lists the orders assigned to the signed-in inspector', async (t) => {
  const wf = await startWorkflowCloud(t);
  const now = Date.now();
  await wf.publish(leakageRamp(now));
  await wf.cloud.ctx.alerts.raise({
    type: 'overload',
    subject: 'tx-001',
    subjectKind: 'transformer',
    severity: 'warning',
    ts: now,
    evidence: {},
  });
  const browser = await launchBrowser(t);
  const li = await newPage(t, browser, wf.url, DESK);
  await signIn(li, wf.url, TOKENS.li);
  await li.locator('tr[data-alert-id]').nth(1).waitFor();
  await li.check('#filter-mine');
  await li.locator('#page-info', { hasText: /of 1$/ }).waitFor();
  t.match(await li.textContent('tr[data-alert-id] td.assignee'), /^li$/, 'only the order assigned to li');
});

t.test('no page is wider than a phone, in either language', async (t) => {
  const wf = await startWorkflowCloud(t);
  const now = Date.now();
  await wf.publish(leakageRamp(now, { t1_c: 30 }));
  const caseId = await wf.cloud.ctx.cases.openOrUpdate({
    customer: 'c-001',
    contractKva: 100,
    maxDemandKw: 234.2,
    excessKva: 134.2,
    firstSeen: now - 86_400_000,
    lastSeen: now,
    demandSeries: [
      [now - 3_600_000, 150],
      [now, 234.2],
    ],
    detail: { maxSecondaryA: 6.2, maxDemandAt: now },
  });
  const browser = await launchBrowser(t);
  const phone = await newPage(t, browser, wf.url, PHONE);
  await signIn(phone, wf.url, TOKENS.admin);
  await phone.locator('tr[data-alert-id]').first().waitFor();
  const alertId = await phone.getAttribute('tr[data-alert-id]', 'data-alert-id');
  const pages: Array<[string, string]> = [
    ['alerts', '#/alerts'],
    ['alert', `#/alert/${alertId}`],
    ['cases', '#/cases'],
    ['case', `#/case/${caseId}`],
    ['fleet', '#/fleet'],
  ];
  for (const lang of ['en', 'zh']) {
    if (lang === 'zh') await phone.click('#lang-switch');
    for (const [name, hash] of pages) {
      await phone.goto(`${wf.url}/console/${hash}`);
      await phone.waitForSelector('main[data-loaded="true"]');
      await phone.waitForTimeout(300); // charts and photos settle after the first rows
      const width = Number(await phone.evaluate('document.documentElement.scrollWidth'));
      t.ok(width <= PHONE.width, `${name} (${lang}): ${width} px wide on a ${PHONE.width} px screen`);
      await screenshot(phone, `12-phone-${name}-${lang}`);
    }
  }
});
