/**
 * Server texts in Chinese (issue 15), in real Chromium with the console in 中文: the
 * work order's routing reason and its log, an API refusal (an inspector outside their
 * area), and the penalty note come from the server as catalogue codes and values and
 * read in Chinese; the same pages in English keep the server's English.
 */
import t from 'tap';
import { startWorkflowCloud, TOKENS } from '../workflow-support/cloud.js';
import { capacityCase, launchBrowser, leakageRamp, newPage, screenshot, signIn } from './browser.js';

t.test('routing reason, refusal and penalty note in Chinese', async (t) => {
  const wf = await startWorkflowCloud(t);
  const now = Date.now();
  await wf.publish(leakageRamp(now));
  const caseId = await wf.cloud.ctx.cases.openOrUpdate(capacityCase(now, 160));
  const browser = await launchBrowser(t);
  const admin = await newPage(t, browser, wf.url, { width: 1440, height: 900 });
  await admin.addInitScript("localStorage.setItem('gridsafe.lang', 'zh')");
  await signIn(admin, wf.url, TOKENS.admin);
  await admin.locator('tr[data-alert-id]').first().waitFor();
  const alertId = (await admin.getAttribute('tr[data-alert-id]', 'data-alert-id'))!;
  const order = (await wf.api('admin', 'GET', `/api/v1/workorders?alert=${alertId}`)).body.items[0];
  t.match(order, { routingMessage: { code: /^routing\.skilled/, params: { area: 'north', skill: 'fire_safety' } } });

  await admin.goto(`${wf.url}/console/#/alert/${alertId}`);
  await admin.waitForSelector('#wo-routing');
  t.match(
    await admin.textContent('#wo-routing'),
    /^区域 north，技能 fire_safety，当前 \d 张未完成工单$/,
    'routing reason',
  );
  t.match(
    await admin.textContent('#wo-log tr[data-action="assigned"]'),
    /区域 north，技能 fire_safety/,
    'and in the log',
  );
  await screenshot(admin, '30-alert-routing-zh');

  await admin.goto(`${wf.url}/console/#/case/${caseId}`);
  await admin.waitForSelector('#penalty-note');
  t.match(await admin.textContent('#penalty-note'), /沿用 1996 年的数值/, 'the penalty note in Chinese');
  await admin.click('#lang-switch');
  await admin.locator('#penalty-note', { hasText: 'so the 1996 figures are used' }).waitFor();
  t.pass('and in English after switching');

  t.match(
    (await wf.api('admin', 'GET', '/api/v1/alerts/no-such-alert')).body,
    { status: 404, detail: 'alert "no-such-alert" does not exist', message: { code: 'problem.alert_not_found' } },
    'a missing record carries its message too',
  );

  const zhao = await newPage(t, browser, wf.url, { width: 390, height: 844 });
  await zhao.addInitScript("localStorage.setItem('gridsafe.lang', 'zh')");
  await signIn(zhao, wf.url, TOKENS.zhao);
  await zhao.goto(`${wf.url}/console/#/alert/${alertId}`);
  await zhao.locator('#detail-error', { hasText: '不在您负责的区域（south）内' }).waitFor();
  t.pass('an API refusal in Chinese');
  await screenshot(zhao, '31-refusal-zh-phone');
  const problem = (await wf.api('zhao', 'GET', `/api/v1/alerts/${alertId}`)).body;
  t.match(problem, {
    status: 403,
    detail: /is outside your areas \(south\)/,
    message: { code: 'problem.outside_area', params: { areas: 'south' } },
  });
});
