/** How people read `capacity_violation` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'capacity_violation',
  label: { zh: '超容用电', en: 'capacity violation' },
  description: {
    zh: '用户最大需量持续超过合同容量（私自增容）',
    en: "a customer's maximum demand above the contract capacity in a sustained way (unauthorized capacity)",
  },
  subjectKind: 'customer',
  defaultSkill: 'metering',
  chartGroups: chartsByUnit('p_kw', 'i_a', 'i_b', 'i_c'),
  evidence: {
    contractKva: field.number('合同容量', 'contract capacity', 'kVA'),
    maxDemandKw: field.number('最大需量', 'maximum demand', 'kW'),
    maxDemandKva: field.number('最大视在需量', 'maximum apparent demand', 'kVA'),
    maxDemandAt: field.time('最大需量时刻', 'maximum demand at'),
    excessKva: field.number('超容', 'excess', 'kVA'),
    excessPct: field.number('超容比例', 'excess', '%'),
    thresholdKw: field.number('判定阈值', 'threshold', 'kW'),
    periodsAbove: field.number('超限需量周期数', 'demand periods above'),
    daysAbove: field.number('超限天数', 'days above'),
    demandPeriodMinutes: field.number('需量周期', 'demand period', 'min'),
    maxSecondaryA: field.number('CT 二次最大电流', 'largest CT secondary current', 'A'),
    demandSeries: field.series('需量曲线', 'demand series', 'kW'),
    firstSeen: field.time('首次发现', 'first seen'),
    lastSeen: field.time('最近发现', 'last seen'),
    basis: field.text('依据', 'basis'),
    implausibleReadingsSkipped: field.number('剔除的异常读数', 'implausible readings skipped'),
    lastImplausible: field.object('最近异常读数', 'last implausible reading'),
    slideMinutes: field.number('滑差', 'sliding step', 'min'),
    alertSeverity: field.text('告警级别', 'alert severity'),
    demandKw: field.number('需量', 'demand', 'kW'),
  },
};
