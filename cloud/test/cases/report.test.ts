/**
 * The case report PDF (issue 15): produced with the CJK font, its text read back with
 * pdf.js: headings in both languages, facts with units, evidence labelled from the
 * detector's metadata, the demand series in the site's local time, penalty and trail.
 */
import t from 'tap';
import { estimatePenalty } from '../../src/cases/penalty.js';
import { type CaseRecord, formatSiteTime } from '@gridsafe/shared';
import { renderCaseReportPdf, reportFont } from '../../src/cases/report-pdf.js';
import { pdfText } from '../support/pdf-text.js';

const start = Date.UTC(2026, 0, 5, 16, 0, 0); // 2026-01-06 00:00 in Asia/Shanghai
const series: Array<[number, number]> = Array.from({ length: 200 }, (_, i) => [
  start + i * 900_000,
  i === 123 ? 234.2 : 150 + (i % 7),
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
  lastSeen: start + 199 * 900_000,
  demandSeries: series,
  detail: { maxSecondaryA: 6.1, maxDemandAt: start + 123 * 900_000 },
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

t.test('the PDF carries facts, evidence, series, penalty and trail in both languages', async (t) => {
  const estimate = estimatePenalty({
    tariff: 'two_part',
    contractKva: 100,
    maxDemandKw: 234.2,
    excessKva: 134.2,
    firstSeen: record.firstSeen,
    lastSeen: record.lastSeen,
  });
  const pdf = await renderCaseReportPdf(
    {
      record,
      customer: { id: 'c-001', name: 'Demo Textile Co.', tariff: 'two_part' },
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
          note: '现场发现 315 kVA 变压器',
        },
      ],
      comments: [{ id: 1, caseId: 'case-1', at: start, author: 'auditor1', text: 'nameplate photographed' }],
      penalty: { estimate, stored: true },
      timeZone: 'Asia/Shanghai',
      generatedAt: start,
      generatedBy: 'auditor1',
    },
    reportFont(),
  );
  t.equal(pdf.subarray(0, 5).toString(), '%PDF-', 'a PDF');
  const { pages, text } = await pdfText(new Uint8Array(pdf));
  t.ok(pages >= 2, `${pages} pages: the 200-row series flows onto further pages`);
  const flat = text.replace(/\s+/g, ' ');
  for (const expected of [
    'Capacity case report 超容用电稽查报告 — case-1',
    'c-001 — Demo Textile Co.',
    'Contract capacity 合同容量',
    '100 kVA',
    '234.2 kW',
    '251.8 kVA',
    'largest CT secondary current CT 二次最大电流',
    '6.1 A',
    'maximum demand at 最大需量时刻',
    '2026-01-07 06:45:00', // the peak, in Shanghai time
    'Demand series 需量曲线 (200)',
    '2026-01-06 00:00:00',
    'Penalty estimate 违约使用电费估算',
    estimate.totalYuan.toFixed(2),
    '现场发现 315 kVA 变压器',
    'field check 现场核查 → confirmed 已确认',
    'nameplate photographed',
    '沿用 1996 年的数值',
  ])
    t.ok(flat.includes(expected), `the text has "${expected}"`);
  t.notOk(/maxSecondaryA|maxDemandAt|1767/.test(flat), 'no raw keys or epoch numbers');
});

t.test('a missing font is a clear error', async (t) => {
  t.throws(
    () => reportFont({ GRIDSAFE_REPORT_FONT: '/nonexistent/font.ttc' }),
    /install the Debian package fonts-wqy-microhei/,
  );
});
