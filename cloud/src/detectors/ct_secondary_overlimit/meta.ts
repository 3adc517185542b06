/** How people read `ct_secondary_overlimit` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'ct_secondary_overlimit',
  label: { zh: '计量二次电流越限', en: 'CT secondary over limit' },
  description: {
    zh: '计量 CT 二次电流高于其额定值，常是私自增容的最早信号',
    en: "the metering CT's secondary current above its rating, often the first sign of unauthorized capacity",
  },
  subjectKind: 'device',
  defaultSkill: 'metering',
  chartGroups: [{ unit: 'A', quantities: ['i_a', 'i_b', 'i_c'] }],
  evidence: {
    secondaryA: { label: { zh: '二次电流', en: 'secondary current' }, kind: 'number', unit: 'A' },
    primaryA: { label: { zh: '一次电流', en: 'primary current' }, kind: 'number', unit: 'A' },
    ratedSecondaryA: { label: { zh: '额定二次电流', en: 'rated secondary current' }, kind: 'number', unit: 'A' },
    ctRatio: { label: { zh: 'CT 变比', en: 'CT ratio' }, kind: 'number' },
    customer: { label: { zh: '用户', en: 'customer' }, kind: 'text' },
    raiseAt: { label: { zh: '告警阈值', en: 'alarm at' }, kind: 'number', unit: 'A' },
    criticalAt: { label: { zh: '严重阈值', en: 'critical at' }, kind: 'number', unit: 'A' },
    clearAt: { label: { zh: '恢复阈值', en: 'clears at' }, kind: 'number', unit: 'A' },
    implausibleReadingsSkipped: { label: { zh: '剔除的异常读数', en: 'implausible readings skipped' }, kind: 'number' },
  },
};
