/** How people read `voltage_deviation` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'voltage_deviation',
  label: { zh: '电压偏差', en: 'voltage deviation' },
  description: {
    zh: '供电电压超出其电压等级的允许偏差（GB/T 12325）',
    en: 'supply voltage outside the limits of its class (GB/T 12325)',
  },
  subjectKind: 'device',
  defaultSkill: 'high_voltage',
  chartGroups: chartsByUnit('v_a', 'v_b', 'v_c'),
  evidence: {
    worstDeviationPct: field.number('最大偏差', 'worst deviation', '%'),
    nominalV: field.number('标称电压', 'nominal voltage', 'V'),
    class: field.object('电压等级', 'voltage class'),
    since: field.time('开始', 'since'),
    lowerPct: field.number('下限', 'lower limit', '%'),
    upperPct: field.number('上限', 'upper limit', '%'),
  },
};
