/**
 * Map of sites (issue 15), in real Chromium: coordinates come from the registry (set
 * through the API and a CSV import), positions are drawn offline over each area's
 * outline, markers are coloured by the worst open alert (on the transformer or its
 * devices), a click opens the transformer's page, an inspector sees only their area;
 * no overflow on a phone, in either language.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { SEED, startWorkflowCloud, TOKENS } from '../workflow-support/cloud.js';
import { launchBrowser, newPage, screenshot, signIn } from './browser.js';

const DESK = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

const markers = (page: Page) =>
  page
    .locator('#site-map a.site-marker')
    .evaluateAll((links) =>
      links.map((a) => [a.getAttribute('data-transformer'), a.querySelector('circle')?.getAttribute('data-severity')]),
    );

t.test('map of sites: positions, area outlines, worst alert, click through', async (t) => {
  const wf = await startWorkflowCloud(t);
  const [north, south] = SEED.transformers;
  t.equal(
    (await wf.api('admin', 'PUT', '/api/v1/transformers/tx-001', { ...north, lat: 31.23, lon: 121.47 })).status,
    200,
  );
  t.equal(
    (await wf.api('admin', 'PUT', '/api/v1/transformers/tx-002', { ...south, lat: 31.1, lon: 121.4 })).status,
    200,
  );
  const half = await wf.api('admin', 'PUT', '/api/v1/transformers/tx-002', { ...south, lat: 31.1 });
  t.equal(half.status, 400, 'a latitude without its longitude is refused');
  const csv = (body: string) =>
    wf.api('admin', 'POST', '/api/v1/import/transformers', Buffer.from(body), { 'content-type': 'text/csv' });
  const bad = await csv('id,site,ratedKva,area,lat,lon\ntx-003,East room,315,east,131.2,121.6\n');
  t.match(
    bad,
    { status: 400, body: { errors: [{ where: 'line 2, lat' }] } },
    'a latitude out of range, by line and column',
  );
  t.equal((await csv('id,site,ratedKva,area,lat,lon\ntx-003,East room,315,east,31.2,121.6\n')).status, 200);
  t.match((await wf.api('admin', 'GET', '/api/v1/transformers/tx-003')).body, { lat: 31.2, lon: 121.6 });

  const alerts = wf.cloud.ctx.alerts;
  const now = Date.now();
  await alerts.raise({
    type: 'residual_current',
    subject: 't-001',
    subjectKind: 'device',
    severity: 'warning',
    ts: now,
    evidence: {},
  });
  await alerts.raise({
    type: 'over_temperature',
    subject: 't-001',
    subjectKind: 'device',
    severity: 'critical',
    ts: now,
    evidence: {},
  });
  await alerts.raise({
    type: 'overload',
    subject: 'tx-002',
    subjectKind: 'transformer',
    severity: 'warning',
    ts: now,
    evidence: {},
  });

  const browser = await launchBrowser(t);
  const page = await newPage(t, browser, wf.url, DESK);
  await signIn(page, wf.url, TOKENS.admin);
  await page.goto(`${wf.url}/console/#/map`);
  await page.waitForSelector('main[data-loaded="true"] #site-map');
  t.same(
    (await markers(page)).sort(),
    [
      ['tx-001', 'critical'],
      ['tx-002', 'warning'],
      ['tx-003', 'none'],
    ],
    "each transformer's marker in the colour of its worst open alert (its devices' too)",
  );
  t.same(
    (
      await page.locator('#site-map .area-outline').evaluateAll((p) => p.map((e) => e.getAttribute('data-area')))
    ).sort(),
    ['east', 'north', 'south'],
    'an outline per area',
  );
  await screenshot(page, '50-map-desk-en');
  await page.click('#lang-switch');
  await page.locator('h1', { hasText: '站点地图' }).waitFor();
  await screenshot(page, '50-map-desk-zh');
  await page.click('#site-map a.site-marker[data-transformer="tx-001"] circle');
  await page.waitForURL(/#\/transformer\/tx-001$/);
  await page.waitForSelector('main[data-loaded="true"]');
  t.pass('a marker opens the transformer page');

  const phone = await newPage(t, browser, wf.url, PHONE);
  await signIn(phone, wf.url, TOKENS.zhao);
  for (const lang of ['en', 'zh']) {
    if (lang === 'zh') await phone.click('#lang-switch');
    await phone.goto(`${wf.url}/console/#/map`);
    await phone.waitForSelector('main[data-loaded="true"] #site-map');
    if (lang === 'en') t.same(await markers(phone), [['tx-002', 'warning']], 'an inspector sees only their area');
    const width = Number(await phone.evaluate('document.documentElement.scrollWidth'));
    t.ok(width <= PHONE.width, `map (${lang}): ${width} px wide on a ${PHONE.width} px screen`);
    await screenshot(phone, `50-map-phone-${lang}`);
  }
});
