/**
 * The overflow sweep (issue 15): every console page at phone (390x844) and desk
 * (1440x900) sizes, in English and Chinese, is no wider than the screen, and a
 * screenshot of each is saved under test-output/screenshots/ (sweep-<page>-<size>-<lang>).
 */
import t from 'tap';
import { SEED, startWorkflowCloud, TOKENS } from '../workflow-support/cloud.js';
import { capacityCase, launchBrowser, leakageRamp, newPage, screenshot, signIn } from './browser.js';

const SIZES = { phone: { width: 390, height: 844 }, desk: { width: 1440, height: 900 } } as const;

t.test('every page, both sizes, both languages: no horizontal overflow', async (t) => {
  const wf = await startWorkflowCloud(t);
  const now = Date.now();
  await wf.publish(leakageRamp(now, { t1_c: 30 }));
  const caseId = await wf.cloud.ctx.cases.openOrUpdate(capacityCase(now, 234.2));
  await wf.api('admin', 'PUT', '/api/v1/transformers/tx-001', { ...SEED.transformers[0], lat: 31.23, lon: 121.47 });
  await wf.api('admin', 'PUT', '/api/v1/transformers/tx-002', { ...SEED.transformers[1], lat: 31.1, lon: 121.4 });
  const alertId = (await wf.api('admin', 'GET', '/api/v1/alerts?subject=t-001')).body.items[0].id as string;
  const pages: Array<[string, string]> = [
    ['alerts', '#/alerts'],
    ['alert', `#/alert/${alertId}`],
    ['cases', '#/cases'],
    ['case', `#/case/${caseId}`],
    ['case-report', `#/case/${caseId}/report`],
    ['fleet', '#/fleet'],
    ['map', '#/map'],
    ['transformer', '#/transformer/tx-001'],
    ['customer', '#/customer/c-001'],
    ['admin-registry', '#/admin/registry'],
    ['admin-inspectors', '#/admin/inspectors'],
    ['admin-users', '#/admin/users'],
    ['admin-webhooks', '#/admin/webhooks'],
  ];
  const browser = await launchBrowser(t);
  for (const [size, viewport] of Object.entries(SIZES)) {
    const page = await newPage(t, browser, wf.url, viewport);
    await signIn(page, wf.url, TOKENS.admin);
    for (const lang of ['en', 'zh']) {
      if (lang === 'zh') await page.click('#lang-switch');
      for (const [name, hash] of pages) {
        await page.goto(`${wf.url}/console/${hash}`);
        await page.waitForSelector('main[data-loaded="true"]');
        await page.waitForTimeout(300); // charts size themselves after the first render
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
        t.ok(width <= viewport.width, `${name} (${size}, ${lang}): ${width} px wide on a ${viewport.width} px screen`);
        await screenshot(page, `sweep-${name}-${size}-${lang}`);
      }
    }
  }
});
