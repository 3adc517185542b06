/** How people read `consumption_anomaly` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'consumption_anomaly',
  label: { zh: '用电异常', en: 'consumption anomaly' },
  description: {
    zh: '用电量偏离该用户自身按日类型学得的基线',
    en: "consumption departs from the subject's own baseline for the day type",
  },
  subjectKind: 'device',
  defaultSkill: 'metering',
  chartGroups: [{ unit: 'kW', quantities: ['p_kw'] }],
  evidence: {
    blockKw: { label: { zh: '时段平均负荷', en: 'block load' }, kind: 'number', unit: 'kW' },
    baselineKw: { label: { zh: '基线', en: 'baseline' }, kind: 'number', unit: 'kW' },
    baselineMadKw: { label: { zh: '基线离散度 (MAD)', en: 'baseline spread (MAD)' }, kind: 'number', unit: 'kW' },
    sigmaKw: { label: { zh: '判定尺度 σ', en: 'judged against σ' }, kind: 'number', unit: 'kW' },
    z: { label: { zh: '偏离程度 z', en: 'deviation z' }, kind: 'number' },
    direction: { label: { zh: '方向', en: 'direction' }, kind: 'text' },
    dayType: { label: { zh: '日类型', en: 'day type' }, kind: 'text' },
    localDate: { label: { zh: '日期', en: 'date' }, kind: 'text' },
    slot: { label: { zh: '时段', en: 'slot' }, kind: 'number' },
    since: { label: { zh: '开始', en: 'since' }, kind: 'time' },
    cusumUp: { label: { zh: '累积偏高', en: 'CUSUM up' }, kind: 'number' },
    cusumDown: { label: { zh: '累积偏低', en: 'CUSUM down' }, kind: 'number' },
  },
};
