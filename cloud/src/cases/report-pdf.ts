/**
 * The case report as a PDF an auditor files or sends: facts with units, the evidence,
 * the demand series as a table in the site's local time, the penalty, the audit trail
 * and the comments, every heading and label in 中文 and English. Drawn with pdfkit and a
 * CJK font (fonts-wqy-microhei) rather than printed by a browser: the cloud then needs
 * no browser engine at run time (its image has none; a browser per request would cost
 * hundreds of MB), and the console's report page (#/case/{id}/report) is the same
 * content on screen, with the chart.
 */
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import {
  formatSiteTime,
  type AuditEntry,
  type CaseRecord,
  type EvidenceFieldMeta,
  type PenaltyEstimate,
  type CaseComment,
} from '@gridsafe/shared';
import { meta as capacityMeta } from '../detectors/capacity_violation/meta.js';
import { VALUE_LABELS } from '../messages/catalog.js';

import type { CustomerSummary } from './types.js';

export interface CaseReportInput {
  record: CaseRecord;
  customer: CustomerSummary | null;
  history: AuditEntry[];
  comments: CaseComment[];
  /** The estimate to print: stored at confirmation, else as it stands (marked as a preview). */
  penalty: { estimate: PenaltyEstimate; stored: boolean };
  timeZone: string;
  generatedAt: number;
  generatedBy: string;
}

/** Where Debian's fonts-wqy-microhei puts its font (GRIDSAFE_REPORT_FONT overrides). */
export const DEFAULT_REPORT_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
const FONT_FAMILY = 'WenQuanYiMicroHei'; // the face inside the collection

export class ReportFontMissing extends Error {}

/** The CJK font file the report needs; a clear error naming the package when it is not there. */
export function reportFont(env: NodeJS.ProcessEnv = process.env): string {
  const path = env['GRIDSAFE_REPORT_FONT'] || DEFAULT_REPORT_FONT;
  if (!existsSync(path))
    throw new ReportFontMissing(
      `the PDF report needs a CJK font and ${path} does not exist: install the Debian package fonts-wqy-microhei, or set GRIDSAFE_REPORT_FONT to a .ttf/.ttc with Chinese glyphs`,
    );
  return path;
}

/** A case state in both languages ('under review 审核中'), from the message catalogue. */
function stateLabel(state: string): string {
  const [zh, en] = VALUE_LABELS[state] ?? [];
  return zh && en ? `${en} ${zh}` : state;
}

const BASIS_LABELS: Record<PenaltyEstimate['addedKvaBasis'], string> = {
  nameplate: 'from the nameplate of the equipment found 按现场设备铭牌',
  apparent_demand: 'from the apparent maximum demand 按视在最大需量',
  active_demand: 'from the active demand, a lower bound 按有功需量（下限）',
};

const MARGIN = 40;
const GREY = '#656d76';

/** An evidence value as people read it: labelled, with its unit, times local. */
function evidenceValue(value: unknown, field: EvidenceFieldMeta | undefined, zone: string): string {
  if (field?.kind === 'time' && typeof value === 'number') return formatSiteTime(value, zone);
  if (typeof value === 'number') return `${value}${field?.unit ? ` ${field.unit}` : ''}`;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export async function renderCaseReportPdf(input: CaseReportInput, fontFile: string): Promise<Buffer> {
  const { record, customer, timeZone: zone } = input;
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `Capacity case report 超容用电稽查报告 ${record.id}`, Author: input.generatedBy },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.registerFont('cjk', fontFile, FONT_FAMILY);
  doc.font('cjk');
  const width = doc.page.width - 2 * MARGIN;
  const time = (ms: number | null) => formatSiteTime(ms, zone);

  /** One table row: cells laid side by side, the row as tall as its tallest cell, a new page when full. */
  const row = (cells: string[], fractions: number[], options: { bold?: boolean; size?: number } = {}) => {
    const size = options.size ?? 9;
    doc.fontSize(size);
    const widths = fractions.map((f) => f * width - 6);
    const height = Math.max(...cells.map((cell, i) => doc.heightOfString(cell, { width: widths[i] }))) + 4;
    if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
    const top = doc.y;
    let x = MARGIN;
    cells.forEach((cell, i) => {
      doc.fillColor(options.bold ? '#000' : '#1f2328').text(cell, x, top + 2, { width: widths[i] });
      x += (fractions[i] ?? 0) * width;
    });
    doc
      .moveTo(MARGIN, top + height)
      .lineTo(MARGIN + width, top + height)
      .lineWidth(0.3)
      .strokeColor('#d0d7de')
      .stroke();
    doc.x = MARGIN;
    doc.y = top + height;
  };
  const heading = (text: string) => {
    if (doc.y + 40 > doc.page.height - MARGIN) doc.addPage();
    doc.moveDown(0.8).fontSize(12).fillColor('#000').text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.3);
  };
  const note = (text: string) => doc.fontSize(8).fillColor(GREY).text(text, MARGIN, doc.y, { width });

  doc.fontSize(16).fillColor('#000').text(`Capacity case report 超容用电稽查报告 — ${record.id}`, { width });
  doc.moveDown(0.3);
  note(
    `State 状态: ${stateLabel(record.state)}. Generated 生成于 ${time(input.generatedAt)} (${zone}) by ${input.generatedBy}. Times in 时间按 ${zone}.`,
  );

  heading('Facts 案件信息');
  const facts: Array<[string, string]> = [
    ['Customer 用户', `${record.customer}${customer ? ` — ${customer.name}` : ''}`],
    ['Tariff 电价类别', customer ? (customer.tariff === 'two_part' ? 'two-part 两部制' : 'single 单一制') : '—'],
    ['Contract capacity 合同容量', `${record.contractKva} kVA`],
    ['Maximum demand 最大需量', `${record.maxDemandKw} kW`],
    ['Apparent maximum demand 视在最大需量', record.maxDemandKva === null ? '—' : `${record.maxDemandKva} kVA`],
    ['Excess 超容', `${record.excessKva} kVA`],
    ['First seen 首次发现', time(record.firstSeen)],
    ['Last seen 最近发现', time(record.lastSeen)],
    [
      'Equipment found 现场设备铭牌容量',
      record.equipment
        ? `${record.equipment.nameplateKva} kVA${record.equipment.description ? ` — ${record.equipment.description}` : ''} (${record.equipment.recordedBy}, ${time(record.equipment.recordedAt)})`
        : '— (not recorded 未登记)',
    ],
  ];
  for (const [label, value] of facts) row([label, value], [0.4, 0.6]);

  heading('Evidence 证据');
  for (const [key, value] of Object.entries(record.detail)) {
    const field = capacityMeta.evidence[key];
    const label = field ? `${field.label.en} ${field.label.zh}` : key;
    row([label, evidenceValue(value, field, zone)], [0.4, 0.6]);
  }

  heading(`Demand series 需量曲线 (${record.demandSeries.length})`);
  row([`Time 时间 (${zone})`, 'Demand 需量 (kW)', 'Contract 合同容量 (kVA)'], [0.45, 0.275, 0.275], { bold: true });
  for (const [ts, kw] of record.demandSeries)
    row([time(ts), kw.toFixed(1), String(record.contractKva)], [0.45, 0.275, 0.275]);

  const { estimate, stored } = input.penalty;
  heading(
    `Penalty estimate 违约使用电费估算${stored ? '' : ' (preview, applies once confirmed 预估：案件确认后生效)'}`,
  );
  row(['Item 项目', 'Formula 计算', 'Yuan 元'], [0.4, 0.45, 0.15], { bold: true });
  for (const item of estimate.items)
    row([`${item.label} ${item.labelZh}`, item.formula, item.amountYuan.toFixed(2)], [0.4, 0.45, 0.15]);
  row(
    ['Total 合计', `${estimate.addedKva} kVA, ${estimate.monthsUsed} month(s) 个月`, estimate.totalYuan.toFixed(2)],
    [0.4, 0.45, 0.15],
    { bold: true },
  );
  doc.moveDown(0.3);
  note(
    `Added capacity 私增容量 ${estimate.addedKva} kVA = ${estimate.addedKvaFormula} (${BASIS_LABELS[estimate.addedKvaBasis]}).`,
  );
  note(`${estimate.ruleSet} — ${estimate.citation}. ${estimate.note} ${estimate.noteZh ?? ''}`);

  heading('Audit trail 审计记录');
  row(['Time 时间', 'Who 操作人', 'What 操作', 'Note 备注'], [0.25, 0.15, 0.3, 0.3], { bold: true });
  for (const h of input.history)
    row(
      [
        time(h.at),
        h.actor,
        `${h.action}${h.to ? `: ${stateLabel(h.from ?? '')} → ${stateLabel(h.to)}` : ''}`,
        h.note ?? '',
      ],
      [0.25, 0.15, 0.3, 0.3],
    );

  heading('Comments 意见');
  if (!input.comments.length) note('No comments 无意见');
  for (const c of input.comments) row([time(c.at), c.author, c.text], [0.25, 0.15, 0.6]);

  doc.end();
  await finished;
  return Buffer.concat(chunks);
}
