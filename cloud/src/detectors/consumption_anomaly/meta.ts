/** How people read `consumption_anomaly` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'consumption_anomaly',
  label: { zh: '用电异常', en: 'consumption anomaly' },
  description: {
    zh: '用电量偏离该用户自身按日类型学得的基线',
    en: "consumption departs from the subject's own baseline for the day type",
  },
  subjectKind: 'device',
  defaultSkill: 'metering',
  chartGroups: chartsByUnit('p_kw'),
  evidence: {
    blockKw: field.number('时段平均负荷', 'block load', 'kW'),
    baselineKw: field.number('基线', 'baseline', 'kW'),
    baselineMadKw: field.number('基线离散度 (MAD)', 'baseline spread (MAD)', 'kW'),
    sigmaKw: field.number('判定尺度 σ', 'judged against σ', 'kW'),
    z: field.number('偏离程度 z', 'deviation z'),
    direction: field.text('方向', 'direction'),
    dayType: field.text('日类型', 'day type'),
    localDate: field.text('日期', 'date'),
    slot: field.number('时段', 'slot'),
    since: field.time('开始', 'since'),
    cusumUp: field.number('累积偏高', 'CUSUM up'),
    cusumDown: field.number('累积偏低', 'CUSUM down'),
  },
};
