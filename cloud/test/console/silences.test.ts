/**
 * A silence in the console (issue 15), in real Chromium: an alert raised during a
 * maintenance window is hidden from the default triage list, shown with its
 * "silenced: reason, until" badge when the filter includes silenced alerts, and visible
 * again once the window is over, when new alerts of the site are not silenced either.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { startWorkflowCloud, TOKENS } from '../workflow-support/cloud.js';
import { launchBrowser, newPage, screenshot, signIn } from './browser.js';

const DESK = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

const shownIds = (page: Page) =>
  page.locator('tr[data-alert-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-id')));

t.test('a silence hides an alert until it expires', async (t) => {
  const wf = await startWorkflowCloud(t);
  const browser = await launchBrowser(t);
  const raise = (type: 'overload' | 'residual_current', subject: string) =>
    wf.cloud.ctx.alerts.raise({
      type,
      subject,
      subjectKind: type === 'overload' ? 'transformer' : 'device',
      severity: 'critical',
      ts: Date.now(),
      evidence: {},
    });
  // A window long enough for the browser to look at the silenced alert, short enough to wait out.
  const endsAt = Date.now() + 25_000;
  const created = await wf.api('li', 'POST', '/api/v1/silences', {
    kind: 'maintenance',
    target: 'tx-001',
    endsAt,
    reason: 'oil change',
  });
  t.equal(created.status, 201);
  const hidden = (await raise('overload', 'tx-001')).alert;
  const elsewhere = (await raise('residual_current', 't-009')).alert;

  const desk = await newPage(t, browser, wf.url, DESK);
  await signIn(desk, wf.url, TOKENS.admin);
  await desk.locator(`tr[data-alert-id="${elsewhere.id}"]`).waitFor();
  t.same(await shownIds(desk), [elsewhere.id], 'the silenced alert is not in the default list');
  await screenshot(desk, '20-silence-hidden-desk');

  await desk.selectOption('#filter-silenced', 'include');
  const badge = desk.locator(`tr[data-alert-id="${hidden.id}"] .badge.silenced`);
  await badge.waitFor();
  t.match(await badge.textContent(), /^silenced: oil change, until \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  t.equal(await desk.locator(`tr[data-alert-id="${elsewhere.id}"] .badge.silenced`).count(), 0);
  await screenshot(desk, '21-silence-badge-desk');
  await desk.click(`tr[data-alert-id="${hidden.id}"] a`);
  await desk.locator('#alert-state .badge.silenced').waitFor();
  t.pass('the alert page shows the badge too');

  const phone = await newPage(t, browser, wf.url, PHONE);
  await signIn(phone, wf.url, TOKENS.admin);
  await phone.selectOption('#filter-silenced', 'include');
  await phone.locator(`tr[data-alert-id="${hidden.id}"] .badge.silenced`).waitFor();
  const width = Number(await phone.evaluate('document.documentElement.scrollWidth'));
  t.ok(width <= PHONE.width, `the list with a silenced alert is ${width} px wide on a ${PHONE.width} px phone`);
  await screenshot(phone, '22-silence-badge-phone');
  await phone.selectOption('#filter-silenced', '');
  await phone.locator(`tr[data-alert-id="${hidden.id}"]`).waitFor({ state: 'detached' });

  // The window ends: the alert shows in the default list, without a badge, and a new alert of the site too.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, endsAt - Date.now()) + 200));
  const fresh = (await raise('residual_current', 't-001')).alert;
  await phone.reload();
  await phone.locator(`tr[data-alert-id="${fresh.id}"]`).waitFor();
  t.same((await shownIds(phone)).sort(), [hidden.id, elsewhere.id, fresh.id].sort(), 'all three shown');
  t.equal(await phone.locator('.badge.silenced').count(), 0, 'no badge once the window is over');
  await screenshot(phone, '23-silence-expired-phone');
});
