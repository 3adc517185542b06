/** How people read `voltage_deviation` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'voltage_deviation',
  label: { zh: '电压偏差', en: 'voltage deviation' },
  description: {
    zh: '供电电压超出其电压等级的允许偏差（GB/T 12325）',
    en: 'supply voltage outside the limits of its class (GB/T 12325)',
  },
  subjectKind: 'device',
  defaultSkill: 'high_voltage',
  chartGroups: [{ unit: 'V', quantities: ['v_a', 'v_b', 'v_c'] }],
  evidence: {
    worstDeviationPct: { label: { zh: '最大偏差', en: 'worst deviation' }, kind: 'number', unit: '%' },
    nominalV: { label: { zh: '标称电压', en: 'nominal voltage' }, kind: 'number', unit: 'V' },
    class: { label: { zh: '电压等级', en: 'voltage class' }, kind: 'object' },
    since: { label: { zh: '开始', en: 'since' }, kind: 'time' },
    lowerPct: { label: { zh: '下限', en: 'lower limit' }, kind: 'number', unit: '%' },
    upperPct: { label: { zh: '上限', en: 'upper limit' }, kind: 'number', unit: '%' },
  },
};
