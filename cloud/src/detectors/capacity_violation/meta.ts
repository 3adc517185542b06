/** How people read `capacity_violation` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'capacity_violation',
  label: { zh: '超容用电', en: 'capacity violation' },
  description: {
    zh: '用户最大需量持续超过合同容量（私自增容）',
    en: "a customer's maximum demand above the contract capacity in a sustained way (unauthorized capacity)",
  },
  subjectKind: 'customer',
  defaultSkill: 'metering',
  chartGroups: [
    { unit: 'kW', quantities: ['p_kw'] },
    { unit: 'A', quantities: ['i_a', 'i_b', 'i_c'] },
  ],
  evidence: {
    contractKva: { label: { zh: '合同容量', en: 'contract capacity' }, kind: 'number', unit: 'kVA' },
    maxDemandKw: { label: { zh: '最大需量', en: 'maximum demand' }, kind: 'number', unit: 'kW' },
    maxDemandKva: { label: { zh: '最大视在需量', en: 'maximum apparent demand' }, kind: 'number', unit: 'kVA' },
    maxDemandAt: { label: { zh: '最大需量时刻', en: 'maximum demand at' }, kind: 'time' },
    excessKva: { label: { zh: '超容', en: 'excess' }, kind: 'number', unit: 'kVA' },
    excessPct: { label: { zh: '超容比例', en: 'excess' }, kind: 'number', unit: '%' },
    thresholdKw: { label: { zh: '判定阈值', en: 'threshold' }, kind: 'number', unit: 'kW' },
    periodsAbove: { label: { zh: '超限需量周期数', en: 'demand periods above' }, kind: 'number' },
    daysAbove: { label: { zh: '超限天数', en: 'days above' }, kind: 'number' },
    demandPeriodMinutes: { label: { zh: '需量周期', en: 'demand period' }, kind: 'number', unit: 'min' },
    maxSecondaryA: { label: { zh: 'CT 二次最大电流', en: 'largest CT secondary current' }, kind: 'number', unit: 'A' },
    demandSeries: { label: { zh: '需量曲线', en: 'demand series' }, kind: 'series', unit: 'kW' },
    firstSeen: { label: { zh: '首次发现', en: 'first seen' }, kind: 'time' },
    lastSeen: { label: { zh: '最近发现', en: 'last seen' }, kind: 'time' },
    basis: { label: { zh: '依据', en: 'basis' }, kind: 'text' },
    implausibleReadingsSkipped: { label: { zh: '剔除的异常读数', en: 'implausible readings skipped' }, kind: 'number' },
    lastImplausible: { label: { zh: '最近异常读数', en: 'last implausible reading' }, kind: 'object' },
    slideMinutes: { label: { zh: '滑差', en: 'sliding step' }, kind: 'number', unit: 'min' },
    alertSeverity: { label: { zh: '告警级别', en: 'alert severity' }, kind: 'text' },
    demandKw: { label: { zh: '需量', en: 'demand' }, kind: 'number', unit: 'kW' },
  },
};
