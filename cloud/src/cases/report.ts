/**
 * The printable case report an auditor files: one self-contained HTML page (inline CSS and
 * SVG, no external assets) with the evidence, the decision trail and the penalty estimate.
 * Labels are bilingual, as the report may go to either audience.
 */
import { type AuditEntry, type CaseRecord, formatSiteTime, type PenaltyEstimate } from '@gridsafe/shared';
import { renderDemandChart } from './demand-chart.js';
import { esc } from './html.js';
import type { CaseComment, CustomerSummary } from './types.js';

export interface CaseReportInput {
  record: CaseRecord;
  customer: CustomerSummary | null;
  history: AuditEntry[];
  comments: CaseComment[];
  /** The estimate to print; present once the case is confirmed. */
  penalty: PenaltyEstimate | null;
  timeZone: string;
  generatedAt: number;
  generatedBy: string;
}

const STATE_LABELS: Record<string, string> = {
  new: 'new 新建',
  under_review: 'under review 审核中',
  field_check: 'field check 现场核查',
  confirmed: 'confirmed 已确认',
  dismissed: 'dismissed 已驳回',
};

const STYLE = `
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:24px auto;max-width:800px;color:#1f2328}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{width:34%;font-weight:600}.muted{color:#656d76;font-size:12px}.total td{font-weight:700}
.state{display:inline-block;padding:1px 8px;border-radius:10px;background:#ddf4ff}
@media print{body{margin:0;max-width:none}.noprint{display:none}h2{break-after:avoid}table,svg{break-inside:avoid}}
`;

export function renderCaseReport(input: CaseReportInput): string {
  const { record, customer, timeZone } = input;
  const t = (ms: number | null) => formatSiteTime(ms, timeZone);
  const row = (label: string, value: string) => `<tr><th>${label}</th><td>${value}</td></tr>`;
  const evidenceRows = [
    row('Customer 用户', `${esc(record.customer)}${customer ? ` — ${esc(customer.name)}` : ''}`),
    row('Tariff 电价类别', customer ? esc(customer.tariff === 'two_part' ? 'two-part 两部制' : 'single 单一制') : '—'),
    row('Contract capacity 合同容量', `${esc(record.contractKva)} kVA`),
    row('Maximum demand 最大需量', `${esc(record.maxDemandKw)} kW`),
    row(
      'Apparent maximum demand 视在最大需量',
      record.maxDemandKva === null ? '— (not recorded)' : `${esc(record.maxDemandKva)} kVA`,
    ),
    row(
      'Equipment found 现场设备铭牌容量',
      record.equipment
        ? `<span data-nameplate="${esc(record.equipment.nameplateKva)}">${esc(record.equipment.nameplateKva)} kVA</span>` +
            `${record.equipment.description ? ` — ${esc(record.equipment.description)}` : ''}` +
            `${record.equipment.photo ? ` (photo 照片: ${esc(record.equipment.photo)})` : ''}` +
            ` <span class="muted">${esc(record.equipment.recordedBy)}, ${esc(t(record.equipment.recordedAt))}</span>`
        : '— (not recorded)',
    ),
    row('Excess 超容', `${esc(record.excessKva)} kVA`),
    row('First seen 首次发现', esc(t(record.firstSeen))),
    row('Last seen 最近发现', esc(t(record.lastSeen))),
    ...Object.entries(record.detail).map(([key, value]) =>
      row(esc(key), esc(typeof value === 'object' ? JSON.stringify(value) : value)),
    ),
  ].join('');
  const chart = renderDemandChart({
    series: record.demandSeries,
    contractKva: record.contractKva,
    thresholdKva: record.contractKva * 1.05,
    formatTime: (ms) => formatSiteTime(ms, timeZone),
  });
  const history = input.history
    .map(
      (h) =>
        `<tr><td>${esc(t(h.at))}</td><td>${esc(h.actor)}</td><td>${esc(h.action)}${h.to ? `: ${esc(h.from ?? '')} → ${esc(h.to)}` : ''}</td><td>${esc(h.note ?? '')}</td></tr>`,
    )
    .join('');
  const comments = input.comments.length
    ? `<table><tr><th>Time 时间</th><th>Author 作者</th><th>Comment 意见</th></tr>${input.comments
        .map((c) => `<tr><td>${esc(t(c.at))}</td><td>${esc(c.author)}</td><td>${esc(c.text)}</td></tr>`)
        .join('')}</table>`
    : '<p class="muted">No comments 无意见</p>';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Case ${esc(record.id)} 稽查报告</title><style>${STYLE}</style></head>
<body>
<h1>Capacity case report 超容用电稽查报告 — ${esc(record.id)}</h1>
<p>State 状态: <span class="state" data-state="${esc(record.state)}">${esc(STATE_LABELS[record.state] ?? record.state)}</span>
<span class="muted">Generated 生成于 ${esc(t(input.generatedAt))} (${esc(timeZone)}) by ${esc(input.generatedBy)}</span></p>
<h2>Evidence 证据</h2><table>${evidenceRows}</table>
<h2>Demand against contract 需量与合同容量</h2>${chart}
<h2>Penalty estimate 违约使用电费估算</h2>${renderPenalty(input.penalty, record.state)}
<h2>Audit trail 审计记录</h2>
<table><tr><th>Time 时间</th><th>Who 操作人</th><th>What 操作</th><th>Note 备注</th></tr>${history}</table>
<h2>Comments 意见</h2>${comments}
<p class="noprint"><button onclick="window.print()">Print 打印</button></p>
</body></html>`;
}

const BASIS_LABELS: Record<PenaltyEstimate['addedKvaBasis'], string> = {
  nameplate: 'from the nameplate of the equipment found 按现场设备铭牌',
  apparent_demand: 'no nameplate recorded: from the apparent maximum demand 未记录铭牌，按视在最大需量',
  active_demand: 'no nameplate or apparent demand recorded: active demand, a lower bound 按有功需量（下限）',
};

function renderPenalty(penalty: PenaltyEstimate | null, state: string): string {
  if (!penalty) {
    return `<p class="muted">Estimated once the case is confirmed (now: ${esc(state)}) 案件确认后估算</p>`;
  }
  const items = penalty.items
    .map(
      (item) =>
        `<tr><td>${esc(item.label)}<br><span class="muted">${esc(item.labelZh)}</span></td><td>${esc(item.formula)}</td><td>${esc(item.amountYuan.toFixed(2))}</td></tr>`,
    )
    .join('');
  return `<table class="penalty"><tr><th>Item 项目</th><th>Formula 计算</th><th>Yuan 元</th></tr>${items}
<tr class="total"><td>Total 合计</td><td>${esc(penalty.addedKva)} kVA, ${esc(penalty.monthsUsed)} month(s)</td><td data-total="${esc(penalty.totalYuan)}">${esc(penalty.totalYuan.toFixed(2))}</td></tr></table>
<p data-added-basis="${esc(penalty.addedKvaBasis)}">Added capacity 私增容量: ${esc(penalty.addedKva)} kVA = ${esc(penalty.addedKvaFormula)}
(${esc(BASIS_LABELS[penalty.addedKvaBasis])}). Nameplate found 铭牌容量: ${penalty.capacity.nameplateKva === null ? '—' : `${esc(penalty.capacity.nameplateKva)} kVA`};
apparent maximum demand 视在最大需量: ${penalty.capacity.apparentDemandKva === null ? '—' : `${esc(penalty.capacity.apparentDemandKva)} kVA`};
active maximum demand 有功最大需量: ${esc(penalty.capacity.activeDemandKw)} kW.</p>
<p class="muted">${esc(penalty.ruleSet)} — ${esc(penalty.citation)}. ${esc(penalty.note)}</p>`;
}
