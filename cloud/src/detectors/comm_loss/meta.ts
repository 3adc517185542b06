/** How people read `comm_loss` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'comm_loss',
  label: { zh: '通信中断', en: 'communication loss' },
  description: {
    zh: '设备或网关超过允许时长未上报',
    en: 'a device or gateway has not reported for longer than its allowance',
  },
  subjectKind: 'gateway',
  defaultSkill: 'communications',
  chartGroups: chartsByUnit('p_kw'),
  evidence: {
    lastSeen: field.time('最后上报', 'last report'),
    allowanceSeconds: field.durationS('允许时长', 'allowance'),
    silentSeconds: field.durationS('中断时长', 'silent for'),
    resumedAt: field.time('恢复时间', 'resumed at'),
    gateway: field.text('网关', 'gateway'),
    device: field.text('设备', 'device'),
    detail: field.object('详情', 'detail'),
  },
};
