/** Debian's chromium driven by playwright-core, started by the test and closed with it. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Test } from 'tap';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOTS = resolve(new URL('../../../test-output/screenshots', import.meta.url).pathname);

export async function launchBrowser(t: Test): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env['GRIDSAFE_CHROMIUM'] ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.teardown(() => browser.close());
  return browser;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A new page that fails the test on any script error or console error. */
export async function newPage(
  t: Test,
  browser: Browser,
  baseUrl: string,
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'en-GB' });
  const page = await context.newPage();
  page.on('pageerror', (error) => t.fail(`script error in the console: ${error.message}`));
  page.on('console', (message) => {
    // A forecast that does not exist yet (404) is normal: the page says so.
    const noForecast = /status of 404/.test(message.text()) && message.location().url.includes('/api/v1/forecasts/');
    // Refusals the tests provoke on purpose (400: a bad CSV import) are the console's to show, not errors.
    if (message.type() === 'error' && !noForecast && !/status of (400|401|403|409|413|415|422)/.test(message.text()))
      t.fail(`console error: ${message.text()}`);
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(baseUrl) && !url.startsWith('blob:') && !url.startsWith('data:'))
      t.fail(`the console fetched something from outside the cloud: ${url}`);
  });
  return page;
}

export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.fill('#token', token);
  await page.click('#signin-submit');
  await page.waitForSelector('main[data-loaded="true"]');
}

/** Twenty half-minute readings of a leakage current rising from 400 mA on terminal t-001: a residual_current alert. */
export function leakageRamp(now: number, extra: Record<string, number> = {}) {
  return Array.from({ length: 20 }, (_, i) => ({
    device: 't-001',
    ts: now - (20 - i) * 30_000,
    values: { i_res_ma: 400 + i * 10, ...extra },
    quality: 'good' as const,
  }));
}

/** A capacity case of c-001 (contract 100 kVA) seen over the last day, peaking at `maxDemandKw` now. */
export function capacityCase(now: number, maxDemandKw: number) {
  return {
    customer: 'c-001',
    contractKva: 100,
    maxDemandKw,
    excessKva: maxDemandKw - 100,
    firstSeen: now - 86_400_000,
    lastSeen: now,
    demandSeries: [[now - 3_600_000, 100] as [number, number], [now, maxDemandKw] as [number, number]],
    detail: { maxDemandAt: now },
  };
}
