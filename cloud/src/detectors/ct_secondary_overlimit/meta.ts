/** How people read `ct_secondary_overlimit` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'ct_secondary_overlimit',
  label: { zh: '计量二次电流越限', en: 'CT secondary over limit' },
  description: {
    zh: '计量 CT 二次电流高于其额定值，常是私自增容的最早信号',
    en: "the metering CT's secondary current above its rating, often the first sign of unauthorized capacity",
  },
  subjectKind: 'device',
  defaultSkill: 'metering',
  chartGroups: chartsByUnit('i_a', 'i_b', 'i_c'),
  evidence: {
    secondaryA: field.number('二次电流', 'secondary current', 'A'),
    primaryA: field.number('一次电流', 'primary current', 'A'),
    ratedSecondaryA: field.number('额定二次电流', 'rated secondary current', 'A'),
    ctRatio: field.number('CT 变比', 'CT ratio'),
    customer: field.text('用户', 'customer'),
    raiseAt: field.number('告警阈值', 'alarm at', 'A'),
    criticalAt: field.number('严重阈值', 'critical at', 'A'),
    clearAt: field.number('恢复阈值', 'clears at', 'A'),
    implausibleReadingsSkipped: field.number('剔除的异常读数', 'implausible readings skipped'),
  },
};
