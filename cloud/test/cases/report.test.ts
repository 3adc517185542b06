import t from 'tap';
import { renderCaseReport } from '../../src/cases/report.js';
import { downsampleMinMax, niceCeil } from '../../src/cases/demand-chart.js';
import { estimatePenalty } from '../../src/cases/penalty.js';
import { type CaseRecord, formatSiteTime } from '@gridsafe/shared';

const start = Date.UTC(2026, 0, 5, 16, 0, 0); // 2026-01-06 00:00 in Asia/Shanghai
const series: Array<[number, number]> = Array.from({ length: 2000 }, (_, i) => [
  start + i * 60_000,
  i === 1234 ? 234.2 : 150 + (i % 7),
]);
const record: CaseRecord = {
  id: 'case-1',
  customer: 'c-001',
  state: 'confirmed',
  contractKva: 100,
  maxDemandKw: 234.2,
  maxDemandKva: 251.8,
  excessKva: 134.2,
  firstSeen: start,
  lastSeen: start + 1999 * 60_000,
  demandSeries: series,
  detail: { ctSecondaryA: 6.1, note: '<script>alert(1)</script>' },
  openedAt: start,
  updatedAt: start,
  penalty: null,
  equipment: null,
};

t.test('times are shown in the site time zone', async (t) => {
  t.equal(formatSiteTime(start, 'Asia/Shanghai'), '2026-01-06 00:00:00');
  t.equal(formatSiteTime(start, 'UTC'), '2026-01-05 16:00:00');
  t.equal(formatSiteTime(null, 'UTC'), '—');
});

t.test('report carries evidence, chart, trail and penalty, escaped', async (t) => {
  const penalty = estimatePenalty({
    tariff: 'two_part',
    contractKva: 100,
    maxDemandKw: 234.2,
    excessKva: 134.2,
    firstSeen: record.firstSeen,
    lastSeen: record.lastSeen,
  });
  const html = renderCaseReport({
    record,
    customer: { id: 'c-001', name: 'Demo Textile & Co.', tariff: 'two_part' },
    history: [
      { id: 1, caseId: 'case-1', at: start, actor: 'detection', action: 'opened', from: null, to: 'new', note: null },
      {
        id: 2,
        caseId: 'case-1',
        at: start + 3_600_000,
        actor: 'auditor1',
        action: 'transition',
        from: 'field_check',
        to: 'confirmed',
        note: 'larger transformer found',
      },
    ],
    comments: [{ id: 1, caseId: 'case-1', at: start, author: 'auditor1', text: 'CT ratio checked' }],
    penalty,
    timeZone: 'Asia/Shanghai',
    generatedAt: start,
    generatedBy: 'auditor1',
  });
  t.match(html, /^<!doctype html>/);
  t.match(html, /Demo Textile &amp; Co\./);
  t.notMatch(html, /<script>alert/, 'evidence is escaped');
  t.match(html, /&lt;script&gt;/);
  t.match(html, /<svg[^>]*class="demand-chart"/);
  t.match(html, /class="demand-line"/);
  t.match(html, /max 234\.2 kW/, 'the peak survives downsampling');
  t.match(html, /field_check → confirmed/);
  t.match(html, /larger transformer found/);
  t.match(html, /2026-01-06 01:00:00/, 'trail time in Asia/Shanghai');
  t.match(html, new RegExp(`data-total="${penalty.totalYuan}"`));
  t.match(html, /第一百条/);
  t.notMatch(html, /(src|href)="https?:/, 'no external assets');
});

t.test('report of an unconfirmed case has no estimate', async (t) => {
  const html = renderCaseReport({
    record: { ...record, state: 'under_review' },
    customer: null,
    history: [],
    comments: [],
    penalty: null,
    timeZone: 'UTC',
    generatedAt: start,
    generatedBy: 'a',
  });
  t.match(html, /Estimated once the case is confirmed/);
  t.match(html, /No comments/);
});

t.test('chart helpers', async (t) => {
  const down = downsampleMinMax(series, 100);
  t.ok(down.length <= 200);
  t.ok(down.some(([, v]) => v === 234.2));
  t.equal(niceCeil(234), 500);
  t.equal(niceCeil(180), 200);
  t.equal(niceCeil(0), 1);
});
