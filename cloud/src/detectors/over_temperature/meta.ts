/** How people read `over_temperature` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'over_temperature',
  label: { zh: '温度超限', en: 'over temperature' },
  description: {
    zh: '监测温度超过报警设定值',
    en: 'a monitored temperature above its alarm setting',
  },
  subjectKind: 'device',
  defaultSkill: 'fire_safety',
  chartGroups: [{ unit: '°C', quantities: ['t1_c', 't2_c', 't3_c', 't4_c'] }],
  evidence: {
    temperatureC: { label: { zh: '温度', en: 'temperature' }, kind: 'number', unit: '°C' },
    channel: { label: { zh: '通道', en: 'channel' }, kind: 'text' },
    alarmC: { label: { zh: '报警设定值', en: 'alarm setting' }, kind: 'number', unit: '°C' },
    criticalC: { label: { zh: '严重设定值', en: 'critical setting' }, kind: 'number', unit: '°C' },
    raiseAt: { label: { zh: '告警阈值', en: 'alarm at' }, kind: 'number', unit: '°C' },
    criticalAt: { label: { zh: '严重阈值', en: 'critical at' }, kind: 'number', unit: '°C' },
    clearAt: { label: { zh: '恢复阈值', en: 'clears at' }, kind: 'number', unit: '°C' },
    transformer: { label: { zh: '变压器', en: 'transformer' }, kind: 'text' },
  },
};
