/** How people read `residual_current` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'residual_current',
  label: { zh: '剩余电流（漏电）', en: 'residual current' },
  description: {
    zh: '剩余（漏电）电流超过报警设定值',
    en: 'residual (leakage) current above its alarm setting',
  },
  subjectKind: 'device',
  defaultSkill: 'fire_safety',
  chartGroups: [{ unit: 'mA', quantities: ['i_res_ma'] }],
  evidence: {
    residualMa: { label: { zh: '剩余电流', en: 'residual current' }, kind: 'number', unit: 'mA' },
    alarmMa: { label: { zh: '报警设定值', en: 'alarm setting' }, kind: 'number', unit: 'mA' },
    criticalMa: { label: { zh: '严重设定值', en: 'critical setting' }, kind: 'number', unit: 'mA' },
    raiseAt: { label: { zh: '告警阈值', en: 'alarm at' }, kind: 'number', unit: 'mA' },
    criticalAt: { label: { zh: '严重阈值', en: 'critical at' }, kind: 'number', unit: 'mA' },
    clearAt: { label: { zh: '恢复阈值', en: 'clears at' }, kind: 'number', unit: 'mA' },
    transformer: { label: { zh: '变压器', en: 'transformer' }, kind: 'text' },
  },
};
