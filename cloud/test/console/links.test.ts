/**
 * Links across the console (issue 15): the case list names each case's customer, shows the
 * penalty stored at confirmation and filters by state and customer on the server; a
 * capacity alert leads to its customer's case and the case back to the alert, by clicks.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { startWorkflowCloud, TOKENS } from '../workflow-support/cloud.js';
import { launchBrowser, newPage, screenshot, signIn } from './browser.js';

const shownCases = (page: Page) =>
  page.locator('tr[data-case-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case-id')).sort());

/** Waits until the list shows exactly these cases (the filters reload it from the server). */
const waitForCases = async (page: Page, ids: string[]) => {
  const wanted = [...ids].sort();
  for (let i = 0; i < 150; i++) {
    if (JSON.stringify(await shownCases(page)) === JSON.stringify(wanted)) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`the case list shows ${JSON.stringify(await shownCases(page))}, not ${JSON.stringify(wanted)}`);
};

t.test('case list names, penalty and filters; alert → case → alert links', async (t) => {
  const wf = await startWorkflowCloud(t);
  const { cases, alerts } = wf.cloud.ctx;
  const start = Date.UTC(2026, 5, 1);
  const evidence = (customer: string, contractKva: number, maxDemandKw: number) => ({
    customer,
    contractKva,
    maxDemandKw,
    excessKva: maxDemandKw - contractKva,
    firstSeen: start,
    lastSeen: start + 20 * 86_400_000,
    demandSeries: [[start, maxDemandKw]] as Array<[number, number]>,
    detail: { maxDemandAt: start, periodsAbove: 12, basis: 'kw' },
  });
  const northCase = await cases.openOrUpdate(evidence('c-001', 100, 160));
  const southCase = await cases.openOrUpdate(evidence('c-002', 50, 80));
  // The south case goes through to confirmed, so it carries a stored penalty.
  await cases.transition(southCase, 'under_review', 'auditor', undefined);
  await cases.transition(southCase, 'field_check', 'auditor', undefined);
  const confirmed = await cases.transition(southCase, 'confirmed', 'auditor', 'added capacity found on site');
  t.ok(confirmed.penalty && confirmed.penalty.totalYuan > 0, 'the confirmed case has a penalty');
  const { alert } = await alerts.raise({
    type: 'capacity_violation',
    subject: 'c-001',
    subjectKind: 'customer',
    severity: 'warning',
    ts: Date.now() - 60_000,
    evidence: {},
  });

  const browser = await launchBrowser(t);
  const page = await newPage(t, browser, wf.url);
  await signIn(page, wf.url, TOKENS.auditor);
  await page.goto(`${wf.url}/console/#/cases`);
  await page.waitForSelector('#case-filter-customer option[value="c-002"]', { state: 'attached' });
  await waitForCases(page, [northCase, southCase]);
  t.match(await page.textContent(`tr[data-case-id="${northCase}"]`), /c-001\s*North Textile Co\./);
  t.match(await page.textContent(`tr[data-case-id="${southCase}"]`), /c-002\s*South Bakery/);
  t.equal(
    await page.textContent(`tr[data-case-id="${northCase}"] td.case-penalty`),
    '—',
    'no penalty before confirmation',
  );
  t.equal(
    await page.textContent(`tr[data-case-id="${southCase}"] td.case-penalty`),
    `${confirmed.penalty!.totalYuan.toFixed(2)} yuan`,
    'the stored penalty total',
  );
  await screenshot(page, '20-case-list-names-penalty');

  await page.selectOption('#case-filter-state', 'confirmed');
  await waitForCases(page, [southCase]);
  await page.selectOption('#case-filter-state', 'new');
  await waitForCases(page, [northCase]);
  await page.selectOption('#case-filter-customer', 'c-002');
  await page.locator('#case-rows td.muted').waitFor();
  t.same(await shownCases(page), [], 'no new case for c-002: the two filters combine');
  await page.selectOption('#case-filter-state', '');
  await waitForCases(page, [southCase]);
  await screenshot(page, '21-case-list-filtered');

  // From the alert to its customer's open case, and back.
  await page.goto(`${wf.url}/console/#/alert/${alert.id}`);
  await page.waitForSelector(`#alert-case[data-case-id="${northCase}"]`);
  await screenshot(page, '22-capacity-alert-links-its-case');
  await page.click('#alert-case');
  await page.waitForSelector('#case-state[data-state="new"]');
  t.match(page.url(), new RegExp(`#/case/${northCase}$`), 'the link opened the case');
  await page.waitForSelector(`#case-alerts a[data-alert-id="${alert.id}"]`);
  await screenshot(page, '23-case-links-its-alert');
  await page.click(`#case-alerts a[data-alert-id="${alert.id}"]`);
  await page.waitForSelector(`#alert-case[data-case-id="${northCase}"]`);
  t.match(page.url(), new RegExp(`#/alert/${alert.id}$`), 'and back to the alert');

  // A customer without a capacity alert: the case says so, and the subject stays text.
  await page.goto(`${wf.url}/console/#/case/${southCase}`);
  await page.waitForSelector('#case-state[data-state="confirmed"]');
  t.equal(await page.locator('#case-alerts a').count(), 0);
  t.match(await page.textContent('#case-alerts'), /none/);

  // Live: a capacity alert for c-002 appears on its case page without a reload...
  await page.evaluate('window.mark = 7');
  const { alert: southAlert } = await alerts.raise({
    type: 'capacity_violation',
    subject: 'c-002',
    subjectKind: 'customer',
    severity: 'warning',
    ts: Date.now(),
    evidence: {},
  });
  await page.waitForSelector(`#case-alerts a[data-alert-id="${southAlert.id}"]`);
  t.equal(await page.evaluate('window.mark'), 7, 'the alert link arrived without a reload');
  // ...whose page links the latest case while none is open, then the new open one as it opens.
  await page.click(`#case-alerts a[data-alert-id="${southAlert.id}"]`);
  await page.waitForSelector(`#alert-case[data-case-id="${southCase}"]`);
  const reopened = await cases.openOrUpdate(evidence('c-002', 50, 90));
  t.not(reopened, southCase, 'a confirmed case is not reopened: a new one starts');
  await page.waitForSelector(`#alert-case[data-case-id="${reopened}"]`);
  t.equal(await page.evaluate('window.mark'), 7, 'the case link changed without a reload');

  // The filters in Chinese.
  await page.goto(`${wf.url}/console/#/cases`);
  await page.click('#lang-switch');
  await page.waitForSelector('#case-filter-customer option[value="c-001"]', { state: 'attached' });
  t.match(await page.textContent('#case-filter-state'), /全部状态/);
  t.match(await page.textContent('#case-filter-customer'), /全部用户/);
  await screenshot(page, '24-case-list-zh');
});
