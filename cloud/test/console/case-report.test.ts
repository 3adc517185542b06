/**
 * The case report as a shareable, printable page and as a PDF (issue 15), in real
 * Chromium: a link opened before signing in lands on the report after sign-in; the
 * evidence and the demand series are tables with units and local times, in 中文 and
 * English; printing hides the console's frame; "Download PDF" gives the server's PDF,
 * whose text is read back with pdf.js; an inspector of another area is refused; no
 * horizontal overflow on a phone.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { startWorkflowCloud, TOKENS } from '../workflow-support/cloud.js';
import { pdfText } from '../support/pdf-text.js';
import { capacityCase, launchBrowser, newPage, screenshot } from './browser.js';

const DESK = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

t.test('case report: shareable URL, tables, print, PDF', async (t) => {
  const wf = await startWorkflowCloud(t);
  const now = Date.UTC(2026, 3, 1, 12, 0, 0); // 20:00 in Asia/Shanghai
  const caseId = await wf.cloud.ctx.cases.openOrUpdate(capacityCase(now, 234.2));
  const url = `${wf.url}/console/#/case/${caseId}/report`;
  const browser = await launchBrowser(t);

  const page = await newPage(t, browser, wf.url, DESK);
  await page.goto(url);
  await page.fill('#token', TOKENS.auditor);
  await page.click('#signin-submit');
  await page.waitForSelector('main[data-loaded="true"] #report-series');
  t.equal(new URL(page.url()).hash, `#/case/${caseId}/report`, 'the shared link is where sign-in leads');
  const facts = await page.textContent('#report-facts');
  t.match(facts, /North Textile Co\./);
  t.match(facts, /100 kVA/);
  t.match(facts, /234\.2 kW/);
  const series = await page.locator('#report-series tr').allTextContents();
  t.equal(series.length, 3, 'a header and a row per demand point');
  t.match(series[2], /2026-04-01 20:00:00\s*234\.2\s*100/, 'local time (Asia/Shanghai), kW, contract');
  const evidence = await page.textContent('table.evidence');
  t.match(evidence, /maximum demand at/, 'evidence labelled from the detector metadata');
  t.notMatch(evidence, /maxDemandAt|17750/, 'no raw keys or epoch numbers');
  await page.waitForSelector('.demand-chart canvas');
  await screenshot(page, '40-case-report-desk-en');

  await page.emulateMedia({ media: 'print' });
  t.notOk(await page.isVisible('header'), 'printing hides the console header');
  t.notOk(await page.isVisible('#print-report'), 'and the buttons');
  await page.emulateMedia({ media: 'screen' });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-pdf')]);
  t.equal(download.suggestedFilename(), `${caseId}-report.pdf`);
  const { text } = await pdfText(new Uint8Array(readFileSync((await download.path())!)));
  const flat = text.replace(/\s+/g, ' ');
  t.match(flat, `Capacity case report 超容用电稽查报告 — ${caseId}`, 'the PDF names the case in both languages');
  t.match(flat, 'c-001 — North Textile Co.');
  t.match(flat, '2026-04-01 20:00:00 234.2 100', 'its demand series in local time');
  t.match(flat, /Penalty estimate 违约使用电费估算 \(preview/);

  await page.click('#lang-switch');
  await page.locator('h1', { hasText: '超容用电稽查报告' }).waitFor();
  t.match(await page.textContent('#report-facts'), /合同容量/);
  await screenshot(page, '40-case-report-desk-zh');

  const phone = await newPage(t, browser, wf.url, PHONE);
  await phone.goto(url);
  await phone.fill('#token', TOKENS.admin);
  await phone.click('#signin-submit');
  for (const lang of ['en', 'zh']) {
    if (lang === 'zh') await phone.click('#lang-switch');
    await phone.waitForSelector('main[data-loaded="true"] #report-series');
    await phone.waitForTimeout(300); // the chart sizes itself after the tables
    const width = Number(await phone.evaluate('document.documentElement.scrollWidth'));
    t.ok(width <= PHONE.width, `report (${lang}): ${width} px wide on a ${PHONE.width} px screen`);
    await screenshot(phone, `40-case-report-phone-${lang}`);
  }

  const zhao = await newPage(t, browser, wf.url, DESK);
  await zhao.goto(url);
  await zhao.fill('#token', TOKENS.zhao);
  await zhao.click('#signin-submit');
  await zhao.locator('#report-error', { hasText: /outside your areas/ }).waitFor();
  t.pass('an inspector of another area is refused the report');
});
