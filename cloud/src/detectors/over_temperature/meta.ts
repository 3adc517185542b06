/** How people read `over_temperature` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'over_temperature',
  label: { zh: '温度超限', en: 'over temperature' },
  description: {
    zh: '监测温度超过报警设定值',
    en: 'a monitored temperature above its alarm setting',
  },
  subjectKind: 'device',
  defaultSkill: 'fire_safety',
  chartGroups: chartsByUnit('t1_c', 't2_c', 't3_c', 't4_c'),
  evidence: {
    temperatureC: field.number('温度', 'temperature', '°C'),
    channel: field.text('通道', 'channel'),
    alarmC: field.number('报警设定值', 'alarm setting', '°C'),
    criticalC: field.number('严重设定值', 'critical setting', '°C'),
    raiseAt: field.number('告警阈值', 'alarm at', '°C'),
    criticalAt: field.number('严重阈值', 'critical at', '°C'),
    clearAt: field.number('恢复阈值', 'clears at', '°C'),
    transformer: field.text('变压器', 'transformer'),
  },
};
