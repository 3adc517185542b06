/** How people read `low_power_factor` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'low_power_factor',
  label: { zh: '功率因数低', en: 'low power factor' },
  description: {
    zh: '功率因数低于用户类别的考核标准',
    en: "power factor below the customer's standard",
  },
  subjectKind: 'device',
  defaultSkill: 'high_voltage',
  chartGroups: [
    { unit: 'kW', quantities: ['p_kw'] },
    { unit: 'kvar', quantities: ['q_kvar'] },
    { unit: '1', quantities: ['pf'] },
  ],
  evidence: {
    pf: { label: { zh: '功率因数', en: 'power factor' }, kind: 'number' },
    limit: { label: { zh: '考核标准', en: 'standard' }, kind: 'number' },
    pKw: { label: { zh: '有功功率', en: 'active power' }, kind: 'number', unit: 'kW' },
    loadKva: { label: { zh: '视在功率', en: 'apparent power' }, kind: 'number', unit: 'kVA' },
    customer: { label: { zh: '用户', en: 'customer' }, kind: 'text' },
    raiseAt: { label: { zh: '告警阈值', en: 'alarm at' }, kind: 'number' },
    criticalAt: { label: { zh: '严重阈值', en: 'critical at' }, kind: 'number' },
    clearAt: { label: { zh: '恢复阈值', en: 'clears at' }, kind: 'number' },
  },
};
