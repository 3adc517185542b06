/**
 * Demo mode (issue 15): the sign-in lists the demo users of each role with their public
 * tokens, says it is demo mode, and each role, signed in by a click, sees only what it
 * may: the inspector only their area's alerts and no case decisions, the auditor every
 * alert but no acknowledge, the admin everything. Real Chromium, both sizes.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { startTestCloud } from '../support/cloud.js';
import { SEED } from '../workflow-support/cloud.js';
import { workflowStartOptions } from '../../src/workflow-plugin/start.js';
import { parseWorkflowSettings } from '../../src/workflow-plugin/settings.js';
import { DEMO_USERS } from '../../src/config/demo-users.js';
import { capacityCase, launchBrowser, newPage, screenshot } from './browser.js';

const DESK = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

/** The workflow tests' registry, its areas renamed to the demo inspector's (demo-north, as in deploy/demo/registry.json) and another. */
const DEMO_AREA_SEED = {
  ...SEED,
  transformers: SEED.transformers.map((tx) => ({ ...tx, area: `demo-${tx.area}` })),
};

const alertIds = (page: Page) =>
  page.locator('tr[data-alert-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-id')));

t.test('demo sign-in lists a user of each role, and each sees only what it may', async (t) => {
  const cloud = await startTestCloud(t, {
    seed: DEMO_AREA_SEED,
    config: {
      api: { demo: true },
      workflow: { inspectors: { 'demo-inspector': { name: 'Demo Inspector', skills: ['fire_safety'] } } },
    },
    start: (config) => workflowStartOptions(config, parseWorkflowSettings(config.workflow)),
  });
  const now = Date.now();
  const raise = (subject: string) =>
    cloud.ctx.alerts.raise({
      type: 'overload',
      subject,
      subjectKind: 'transformer',
      severity: 'warning',
      ts: now,
      evidence: {},
    });
  const north = (await raise('tx-001')).alert.id;
  const south = (await raise('tx-002')).alert.id;
  const caseId = await cloud.ctx.cases.openOrUpdate(capacityCase(now, 180));

  // The API asks for tokens: demo mode is not open access.
  t.equal((await fetch(`${cloud.httpUrl}/api/v1/alerts`)).status, 401, 'no token, no alerts');
  const demo = (await (await fetch(`${cloud.httpUrl}/api/v1/demo`)).json()) as { demo: boolean; users: unknown[] };
  t.same(
    demo,
    { demo: true, users: DEMO_USERS.map(({ name, role, areas, token }) => ({ name, role, areas, token })) },
    'the demo users come from the embedded defaults',
  );

  const browser = await launchBrowser(t);
  for (const [size, viewport] of [
    ['desk', DESK],
    ['phone', PHONE],
  ] as const) {
    const page = await newPage(t, browser, cloud.httpUrl, viewport);
    await page.goto(`${cloud.httpUrl}/console/`);
    await page.waitForSelector('#demo-users tr[data-role]');
    t.match(await page.textContent('#demo-users h2'), /Demo mode/, 'the page says it is demo mode');
    t.same(
      await page
        .locator('#demo-users tr[data-role]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-role'))),
      ['admin', 'inspector', 'auditor'],
      'one user of each role listed',
    );
    t.match(await page.textContent('#demo-users'), /demo-inspector-token/, 'with its token');
    await screenshot(page, `20-demo-signin-${size}-en`);
    await page.click('#lang-switch');
    await page.locator('#demo-users h2', { hasText: '演示模式' }).waitFor();
    await screenshot(page, `20-demo-signin-${size}-zh`);
    await page.click('#lang-switch');
    await page.locator('#demo-users h2', { hasText: 'Demo mode' }).waitFor();
    const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
    t.ok(width <= viewport.width, `sign-in (${size}): ${width} px wide on ${viewport.width}`);
    if (size === 'phone') continue;

    const signInAs = async (user: string) => {
      await page.waitForSelector(`#demo-users button[data-user="${user}"]`);
      await page.click(`#demo-users button[data-user="${user}"]`);
      await page.waitForSelector('main[data-loaded="true"] tr[data-alert-id]');
      t.match(await page.textContent('#current-user'), user, `signed in as ${user}`);
      t.equal(
        await page.locator('header a[href="#/admin"]').count(),
        user === 'demo-admin' ? 1 : 0,
        `the administration link ${user === 'demo-admin' ? 'shown' : 'hidden'}`,
      );
    };
    /** How many decision panels the case page shows the signed-in user (0 or 1). */
    const decisionPanels = async () => {
      await page.goto(`${cloud.httpUrl}/console/#/case/${caseId}`);
      await page.waitForSelector('main[data-loaded="true"]');
      return page.locator('#decision').count();
    };
    const signOut = async () => {
      await page.click('#sign-out');
      await page.waitForSelector('#signin-form');
    };

    await signInAs('demo-admin');
    t.same((await alertIds(page)).sort(), [north, south].sort(), 'the admin sees every area');
    t.equal(await page.locator('tr[data-alert-id] input.pick:not([disabled])').count(), 2, 'and may acknowledge');
    t.equal(await decisionPanels(), 1, 'the admin may decide a case');
    await signOut();

    await signInAs('demo-inspector');
    t.same(await alertIds(page), [north], 'the inspector sees only demo-north');
    t.equal(await page.locator('tr[data-alert-id] input.pick:not([disabled])').count(), 1, 'and acknowledges there');
    await screenshot(page, '21-demo-inspector-alerts');
    await page.goto(`${cloud.httpUrl}/console/#/alert/${south}`);
    await page.locator('#detail-error', { hasText: /outside your areas/ }).waitFor();
    t.equal(await decisionPanels(), 0, 'the inspector does not decide cases');
    await signOut();

    await signInAs('demo-auditor');
    t.same((await alertIds(page)).sort(), [north, south].sort(), 'the auditor reads every area');
    t.equal(await page.locator('tr[data-alert-id] input.pick:not([disabled])').count(), 0, 'but acknowledges nothing');
    t.equal(await decisionPanels(), 1, 'the auditor decides cases');
    await screenshot(page, '22-demo-auditor-case');
    await signOut();
  }
});
