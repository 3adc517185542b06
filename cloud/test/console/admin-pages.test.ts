/**
 * Administration pages (issue 15), in real Chromium: the registry with a CSV import (a
 * bad file refused with its line and column, a good one shown at once), inspectors with
 * their areas, skills and open orders, API users without tokens, webhooks added (secret
 * shown once) and removed; for admins only: others have no link and are refused.
 */
import t from 'tap';
import { startWorkflowCloud, TOKENS } from '../workflow-support/cloud.js';
import { launchBrowser, leakageRamp, newPage, screenshot, signIn } from './browser.js';

t.test('administration: registry import, inspectors, users, webhooks; admins only', async (t) => {
  const wf = await startWorkflowCloud(t);
  await wf.publish(leakageRamp(Date.now())); // a residual_current order for a north inspector
  t.match(await wf.api('auditor', 'GET', '/api/v1/users'), { status: 403 }, 'the users list is for admins');
  const browser = await launchBrowser(t);
  const page = await newPage(t, browser, wf.url, { width: 1440, height: 900 });
  await signIn(page, wf.url, TOKENS.admin);
  await page.click('header a[href="#/admin"]');
  await page.waitForSelector('main[data-loaded="true"] #admin-transformers');
  t.match(await page.textContent('#admin-transformers'), /tx-001.*North substation room 1.*100 kVA.*north/s);
  t.match(await page.textContent('#admin-devices'), /m-002/);

  await page.selectOption('#import-kind', 'customers');
  await page.fill('#import-csv', 'id,name,contractKva,tariff\nc-009,Mill,-5,single\n');
  await page.click('#import-submit');
  await page.locator('#import-problems li', { hasText: 'line 2, contractKva' }).waitFor();
  t.pass('a bad row is refused with its line and column');
  await page.fill('#import-csv', 'id,name,contractKva,tariff\nc-009,East Mill,315,two_part\n');
  await page.click('#import-submit');
  await page.locator('#admin-customers', { hasText: 'East Mill' }).waitFor();
  t.match(await page.textContent('#admin-status'), /Imported: 1/);
  t.match((await wf.api('admin', 'GET', '/api/v1/customers/c-009')).body, { name: 'East Mill', contractKva: 315 });
  await screenshot(page, '60-admin-registry');

  await page.click('nav.subnav a[href="#/admin/inspectors"]');
  await page.waitForSelector('#admin-inspectors');
  const orders = (await wf.api('admin', 'GET', '/api/v1/workorders')).body.items as Array<{ assignee: string }>;
  const assignee = orders[0]!.assignee;
  t.match(
    await page.textContent(`#admin-inspectors tr:has-text("${assignee}")`),
    /north.*fire_safety.*1$/s,
    'area, skill and one open order',
  );
  t.match(await page.textContent('#admin-inspectors tr:has-text("chen")'), /high_voltage.*Yes/s, 'chen leads');

  await page.click('nav.subnav a[href="#/admin/users"]');
  await page.waitForSelector('#admin-users');
  const usersText = await page.textContent('#admin-users');
  t.match(usersText, /zhao.*inspector.*south/s);
  t.notMatch(usersText, /token-0123/, 'never a token');

  await page.click('nav.subnav a[href="#/admin/webhooks"]');
  await page.waitForSelector('#admin-webhooks');
  await page.fill('#webhook-url', 'http://127.0.0.1:9/hook');
  await page.click('#webhook-add');
  await page.locator('#admin-webhooks', { hasText: 'http://127.0.0.1:9/hook' }).waitFor();
  await page.locator('#admin-status', { hasText: /Signing secret/ }).waitFor();
  t.equal((await wf.api('admin', 'GET', '/api/v1/webhooks')).body.length, 1);
  await page.click('#admin-webhooks button.webhook-remove');
  await page.locator('#admin-webhooks', { hasText: '127.0.0.1:9' }).waitFor({ state: 'detached' });
  t.equal((await wf.api('admin', 'GET', '/api/v1/webhooks')).body.length, 0, 'removed');

  const auditor = await newPage(t, browser, wf.url, { width: 390, height: 844 });
  await signIn(auditor, wf.url, TOKENS.auditor);
  t.equal(await auditor.locator('header a[href="#/admin"]').count(), 0, 'no administration link for an auditor');
  await auditor.goto(`${wf.url}/console/#/admin/users`);
  await auditor.locator('#admin-error', { hasText: 'For administrators only' }).waitFor();
  t.pass('and the page refuses them');
});
