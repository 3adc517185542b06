/** How people read `comm_loss` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'comm_loss',
  label: { zh: '通信中断', en: 'communication loss' },
  description: {
    zh: '设备或网关超过允许时长未上报',
    en: 'a device or gateway has not reported for longer than its allowance',
  },
  subjectKind: 'gateway',
  defaultSkill: 'communications',
  chartGroups: [{ unit: 'kW', quantities: ['p_kw'] }],
  evidence: {
    lastSeen: { label: { zh: '最后上报', en: 'last report' }, kind: 'time' },
    allowanceSeconds: { label: { zh: '允许时长', en: 'allowance' }, kind: 'duration_s' },
    silentSeconds: { label: { zh: '中断时长', en: 'silent for' }, kind: 'duration_s' },
    resumedAt: { label: { zh: '恢复时间', en: 'resumed at' }, kind: 'time' },
    gateway: { label: { zh: '网关', en: 'gateway' }, kind: 'text' },
    device: { label: { zh: '设备', en: 'device' }, kind: 'text' },
    detail: { label: { zh: '详情', en: 'detail' }, kind: 'object' },
  },
};
