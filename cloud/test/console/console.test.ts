/**
 * The web console in a real browser (Debian's chromium via playwright-core) against a
 * real cloud: an inspector sees a new alert arrive without reloading and acknowledges
 * it, and another watching page sees the change; an auditor reviews a capacity case on
 * its chart, moves it to field_check then confirmed, and sees the trail and the penalty.
 */
import t from 'tap';
import { DEFAULT_PENALTY_RULES, estimatePenalty } from '../../src/cases/penalty.js';
import { startWorkflowCloud, TOKENS } from '../workflow-support/cloud.js';
import { launchBrowser, leakageRamp, newPage, screenshot, signIn } from './browser.js';

t.test('inspector: live alert board, acknowledge, work order through to resolved', async (t) => {
  const wf = await startWorkflowCloud(t);
  const browser = await launchBrowser(t);
  const li = await newPage(t, browser, wf.url);
  const wang = await newPage(t, browser, wf.url);

  await li.goto(`${wf.url}/console/`);
  await li.waitForSelector('#signin-form');
  await li.fill('#token', 'not-a-valid-token-at-all');
  await li.click('#signin-submit');
  await li.locator('#signin-error', { hasText: /./ }).waitFor();
  t.match(await li.textContent('#signin-error'), /not valid/);
  await screenshot(li, '01-sign-in');

  await signIn(li, wf.url, TOKENS.li);
  await signIn(wang, wf.url, TOKENS.wang);
  await li.waitForSelector('body[data-live="connected"]');
  await wang.waitForSelector('body[data-live="connected"]');
  t.match(await li.textContent('#current-user'), /li \(inspector: north\)/);
  t.equal(await li.locator('tr[data-alert-id]').count(), 0, 'the board starts empty');
  // A mark that a reload would wipe out.
  await li.evaluate('window.mark = 42');

  const now = Date.now();
  const readings = Array.from({ length: 20 }, (_, i) => ({
    device: 't-001',
    ts: now - (20 - i) * 30_000,
    values: { i_res_ma: 120 + i * 2, t1_c: 31 },
    quality: 'good' as const,
  }));
  await wf.publish(readings);
  await wf.publish([{ device: 't-001', ts: now, values: { i_res_ma: 560, t1_c: 33 }, quality: 'good' }]);

  const row = li.locator('tr[data-alert-id]');
  await row.first().waitFor();
  t.equal(await li.evaluate('window.mark'), 42, 'the alert arrived without a reload');
  await li.locator('tr[data-alert-id] td.assignee', { hasText: /^li$/ }).waitFor();
  t.match(await row.first().textContent(), /residual current/);
  await wang.locator('tr[data-alert-id]').first().waitFor();
  t.equal(await wang.locator('tr[data-alert-id][data-state="open"]').count(), 1, 'the other watcher sees it open');
  await screenshot(li, '02-alert-board-new-alert');

  await row.first().locator('button.ack').click();
  await wang.waitForSelector('tr[data-alert-id][data-state="acknowledged"]');
  await wang.locator('tr[data-alert-id] td.wo-state', { hasText: /acknowledged/ }).waitFor();
  t.pass('the other watching page shows the acknowledgement without a reload');
  await li.waitForSelector('tr[data-alert-id][data-state="acknowledged"]');
  t.equal(await li.locator('button.ack').count(), 0, 'nothing left to acknowledge');
  await screenshot(wang, '03-alert-board-acknowledged-seen-by-another-inspector');

  // The alert and its work order, with the device's readings around the event.
  await li.locator('tr[data-alert-id] a').first().click();
  await li.waitForSelector('#work-order');
  await li.locator('.series-chart[data-ready="true"] .u-legend', { hasText: 'i_res_ma' }).waitFor();
  // Evidence for people: labels from the detector's metadata and units, not raw keys or JSON.
  t.match(await li.textContent('table.evidence tr[data-field="residualMa"]'), /residual current\s*\d+(\.\d+)? mA/);
  t.equal(await li.getAttribute('#wo-state', 'data-state'), 'acknowledged');
  await li.fill('#wo-note', 'on my way with the clamp meter');
  await li.click('button.move-on_site');
  await li.waitForSelector('#wo-state[data-state="on_site"]');
  await li.click('button.move-resolved');
  await li.locator('#detail-error', { hasText: /needs a note/ }).waitFor();
  t.pass('resolving without a note is refused, and the refusal is shown');
  await li.fill('#wo-note', 'damaged insulation on feeder 3 replaced; 40 mA after');
  await li.click('button.move-resolved');
  await li.waitForSelector('#wo-state[data-state="resolved"]');
  t.equal(await li.locator('#wo-log tr[data-action]').count(), 5, 'created, assigned, acknowledged, on site, resolved');
  await wang.waitForSelector('tr[data-alert-id][data-state="resolved"]');
  await screenshot(li, '04-alert-work-order-page');

  await li.click('#lang-switch');
  await li.waitForSelector('#work-order');
  t.match(await li.textContent('header nav'), /告警/, 'Chinese labels after the switch');
  t.match(await li.textContent('#wo-state'), /已解决/);
  t.match(await li.textContent('h1'), /剩余电流/, 'the alert type in Chinese, from the detector metadata');
  await screenshot(li, '05-alert-work-order-page-zh');
});

t.test('auditor: case review with chart, field_check then confirmed, trail and penalty', async (t) => {
  const wf = await startWorkflowCloud(t);
  const day = 86_400_000;
  const start = Date.UTC(2026, 5, 1, 0, 0, 0);
  const demandSeries: Array<[number, number]> = [];
  for (let i = 0; i < 4 * 24 * 20; i++)
    demandSeries.push([start + i * 15 * 60_000, 150 + 60 * Math.sin(i / 20) + (i === 1500 ? 24.2 : 0)]);
  const caseId = await wf.cloud.ctx.cases.openOrUpdate({
    customer: 'c-001',
    contractKva: 100,
    maxDemandKw: 234.2,
    excessKva: 134.2,
    firstSeen: start,
    lastSeen: start + 20 * day,
    demandSeries,
    // The keys the capacity_violation detector writes.
    detail: { maxSecondaryA: 6.2, maxDemandAt: start + 1500 * 15 * 60_000, periodsAbove: 1210, basis: 'kw' },
  });
  await wf.publish([{ device: 'm-001', ts: Date.now(), values: { p_kw: 60 }, quality: 'good' }]);
  // The gateway's retained status, as the fleet page shows it.
  const mqtt = await import('mqtt');
  const gw = await mqtt.default.connectAsync(`mqtt://127.0.0.1:${wf.cloud.mqttPort}`, {
    clientId: 'gw-001-status',
    username: 'gw-001',
    password: 'gw-001-test-secret',
    reconnectPeriod: 0,
  });
  await gw.publishAsync(
    'gridsafe/v1/gw/gw-001/status',
    JSON.stringify({
      state: 'online',
      since: Date.now() - 3_600_000,
      version: '0.1.0',
      health: {
        outbox: { batches: 7, bytes: 20480, oldestTs: Date.now() - 60_000 },
        devices: {
          'm-001': { state: 'ok', lastOkAt: Date.now() },
          't-001': { state: 'comm_lost', lastOkAt: Date.now() - 600_000, failedPollsInRow: 12 },
        },
      },
    }),
    { qos: 1, retain: true },
  );
  await gw.endAsync();

  const browser = await launchBrowser(t);
  const page = await newPage(t, browser, wf.url);
  await signIn(page, wf.url, TOKENS.auditor);
  await page.goto(`${wf.url}/console/#/cases`);
  await page.waitForSelector(`tr[data-case-id="${caseId}"][data-state="new"]`);
  await screenshot(page, '06-case-list');
  await page.click(`tr[data-case-id="${caseId}"] a`);
  await page.waitForSelector('.demand-chart[data-ready="true"] canvas');
  await page.waitForSelector('#case-state[data-state="new"]');
  t.same(
    await page.locator('#decision button.case-move').evaluateAll((els) => els.map((e) => e.getAttribute('data-to'))),
    ['under_review'],
    'only the allowed move is offered',
  );
  t.match(await page.textContent('.demand-chart .u-legend'), /Maximum demand.*peak \d+/s, 'demand (kW) with its peak');
  t.equal(
    await page.getAttribute('.apparent-demand-chart', 'data-references'),
    'Contract capacity 100|105 % 105',
    'contract capacity and 105 % lines on the kVA chart, never on the kW one',
  );
  t.equal(await page.getAttribute('.demand-chart', 'data-references'), '');
  t.match(await page.textContent('#case-max-demand'), /234\.2 kW/);
  t.match(
    await page.textContent('table.evidence tr[data-field="maxDemandAt"] td'),
    /^2026-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/,
    'times in the evidence are dates, not epoch numbers',
  );

  await page.click('button.move-under_review');
  await page.waitForSelector('#case-state[data-state="under_review"]');
  await page.fill('#case-note', 'CT secondary above 5 A for weeks; sending a field check');
  await page.click('button.move-field_check');
  await page.waitForSelector('#case-state[data-state="field_check"]');
  await page.fill('#comment-text', 'Field team found a 400 kVA transformer in place of the 100 kVA one.');
  await page.click('#add-comment');
  await page.waitForSelector('#comments .comment');
  t.match(
    await page.textContent('#decision label'),
    /required for: confirmed, dismissed/,
    'the note is asked for up front',
  );
  await page.click('button.move-confirmed');
  await page.locator('#note-hint', { hasText: /Write a note first/ }).waitFor();
  t.equal(await page.getAttribute('#case-note', 'aria-invalid'), 'true');
  t.equal(
    await page.getAttribute('#case-state', 'data-state'),
    'field_check',
    'confirming without a note sends nothing',
  );
  await page.fill('#case-note', 'Unauthorized capacity confirmed on site (私自增容)');
  await page.click('button.move-confirmed');
  await page.waitForSelector('#confirm-move:not([hidden])');
  t.match(await page.textContent('#confirm-move'), /cannot be undone: field check → confirmed/);
  await screenshot(page, '08-case-confirm-step');
  await page.click('#confirm-no');
  await page.waitForSelector('#confirm-move[hidden]', { state: 'attached' });
  t.equal(await page.getAttribute('#case-state', 'data-state'), 'field_check', 'cancel changes nothing');
  await page.click('button.move-confirmed');
  await page.click('#confirm-yes');
  await page.waitForSelector('#case-state[data-state="confirmed"]');
  t.equal(await page.locator('#decision').count(), 0, 'no more moves from confirmed');

  const trail = await page
    .locator('#audit-trail tr[data-action]')
    .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-action'), r.getAttribute('data-to')]));
  t.same(trail, [
    ['opened', 'new'],
    ['transition', 'under_review'],
    ['transition', 'field_check'],
    ['comment', ''],
    ['transition', 'confirmed'],
  ]);
  t.match(await page.textContent('#audit-trail'), /auditor/);
  const expected = estimatePenalty(
    {
      tariff: 'two_part',
      contractKva: 100,
      maxDemandKw: 234.2,
      excessKva: 134.2,
      firstSeen: start,
      lastSeen: start + 20 * day,
    },
    DEFAULT_PENALTY_RULES,
  );
  t.equal(await page.getAttribute('#penalty', 'data-stored'), 'true', 'the estimate is the one stored at confirmation');
  t.equal(Number(await page.getAttribute('#penalty', 'data-total')), expected.totalYuan);
  t.match(await page.textContent('#penalty-total'), new RegExp(expected.totalYuan.toFixed(2)));
  await screenshot(page, '07-case-review-confirmed');

  await page.click('#open-report');
  await page.waitForSelector('main[data-loaded="true"] #report-penalty');
  t.match(await page.textContent('h1'), /Capacity case report/);
  t.match(await page.textContent('#report-penalty'), expected.totalYuan.toFixed(2));
  await screenshot(page, '08-case-report');

  await page.goto(`${wf.url}/console/#/fleet`);
  await page.waitForSelector('section.gateway[data-gateway="gw-001"][data-link="online"]');
  t.match(await page.textContent('section.gateway[data-gateway="gw-001"] .outbox-depth'), /7 batches/);
  t.equal(
    await page.getAttribute('section.gateway[data-gateway="gw-001"] tr[data-device="t-001"]', 'data-health'),
    'comm_lost',
  );
  t.match(
    await page.textContent('section.gateway[data-gateway="gw-001"] tr[data-device="m-001"] td.last-reading'),
    /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/,
    "a device's last reading is the newest one the cloud stored",
  );
  t.match(
    await page.textContent('#fleet-totals'),
    /^Gateways: 2 · online 1 · silent 0 · offline 1 · Devices: 5 · failing 1$/,
  );
  // The retained status still says online, but the cloud has a comm_loss alert open: silent it is.
  await wf.cloud.ctx.alerts.raise({
    type: 'comm_loss',
    subject: 'gw-001',
    subjectKind: 'gateway',
    severity: 'critical',
    ts: Date.now(),
    evidence: {},
  });
  await page.reload();
  await page.waitForSelector('section.gateway[data-gateway="gw-001"][data-link="silent"]');
  t.match(await page.textContent('#fleet-totals'), /online 0 · silent 1 · offline 1/);
  await page.check('#fleet-problems');
  t.equal(
    await page.locator('section.gateway[data-gateway="gw-001"] tr[data-device]').count(),
    3,
    'all its devices are problems now',
  );
  await screenshot(page, '09-fleet');
});

t.test('work-order assignment from the console: the area lead reassigns, others are not offered it', async (t) => {
  const wf = await startWorkflowCloud(t);
  const now = Date.now();
  await wf.publish(leakageRamp(now));
  const browser = await launchBrowser(t);
  const li = await newPage(t, browser, wf.url);
  const chen = await newPage(t, browser, wf.url);
  await signIn(li, wf.url, TOKENS.li);
  await signIn(chen, wf.url, TOKENS.chen);

  await li.locator('tr[data-alert-id] td.assignee', { hasText: /^li$/ }).waitFor();
  await li.locator('tr[data-alert-id] a').first().click();
  await li.waitForSelector('#work-order');
  t.equal(await li.locator('#assign').count(), 0, 'an inspector who is not the lead is not offered assignment');

  await chen.locator('tr[data-alert-id] a').first().click();
  await chen.waitForSelector('#assign-to');
  t.same(
    await chen.locator('#assign-to option').evaluateAll((els) => els.map((e) => e.getAttribute('value'))),
    ['wang', 'chen'],
    'active inspectors of the area other than the assignee, those with the skill first',
  );
  await chen.fill('#wo-note', 'Li is on leave today');
  await chen.selectOption('#assign-to', 'wang');
  await chen.click('#assign-button');
  await chen.locator('#wo-assignee', { hasText: /^wang$/ }).waitFor();
  t.match(await chen.textContent('#wo-log'), /Li is on leave today/, 'the note is in the log');
  t.match(await chen.textContent('#work-order'), /reassigned by chen/, 'the routing reason says who');
  await screenshot(chen, '07-work-order-reassigned');
  await li.locator('#wo-assignee', { hasText: /^wang$/ }).waitFor();
  t.pass('the previous assignee sees the change live');
});
