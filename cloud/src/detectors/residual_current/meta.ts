/** How people read `residual_current` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'residual_current',
  label: { zh: '剩余电流（漏电）', en: 'residual current' },
  description: {
    zh: '剩余（漏电）电流超过报警设定值',
    en: 'residual (leakage) current above its alarm setting',
  },
  subjectKind: 'device',
  defaultSkill: 'fire_safety',
  chartGroups: chartsByUnit('i_res_ma'),
  evidence: {
    residualMa: field.number('剩余电流', 'residual current', 'mA'),
    alarmMa: field.number('报警设定值', 'alarm setting', 'mA'),
    criticalMa: field.number('严重设定值', 'critical setting', 'mA'),
    raiseAt: field.number('告警阈值', 'alarm at', 'mA'),
    criticalAt: field.number('严重阈值', 'critical at', 'mA'),
    clearAt: field.number('恢复阈值', 'clears at', 'mA'),
    transformer: field.text('变压器', 'transformer'),
  },
};
