/** How people read `low_power_factor` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'low_power_factor',
  label: { zh: '功率因数低', en: 'low power factor' },
  description: {
    zh: '功率因数低于用户类别的考核标准',
    en: "power factor below the customer's standard",
  },
  subjectKind: 'device',
  defaultSkill: 'high_voltage',
  chartGroups: chartsByUnit('p_kw', 'q_kvar', 'pf'),
  evidence: {
    pf: field.number('功率因数', 'power factor'),
    limit: field.number('考核标准', 'standard'),
    pKw: field.number('有功功率', 'active power', 'kW'),
    loadKva: field.number('视在功率', 'apparent power', 'kVA'),
    customer: field.text('用户', 'customer'),
    raiseAt: field.number('告警阈值', 'alarm at'),
    criticalAt: field.number('严重阈值', 'critical at'),
    clearAt: field.number('恢复阈值', 'clears at'),
  },
};
