/** How people read `overload_forecast` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'overload_forecast',
  label: { zh: '过载预警', en: 'overload forecast' },
  description: {
    zh: '预测负荷经 IEC 60076-7 热模型计算，将在预警时段内达到变压器热点或顶油温度限值',
    en: "the forecast load, through the IEC 60076-7 thermal model, reaches a transformer's hot-spot or top-oil limit within the horizon",
  },
  subjectKind: 'transformer',
  defaultSkill: 'high_voltage',
  chartGroups: [{ unit: 'kVA', quantities: ['s_kva'] }],
  evidence: {
    predictedAt: { label: { zh: '预计到达限值时刻', en: 'limit reached at' }, kind: 'time' },
    upperPredictedAt: {
      label: { zh: '负荷偏高时可能到达限值时刻', en: 'limit may be reached (load running high) at' },
      kind: 'time',
    },
    subHourlyMarginC: { label: { zh: '小时内波动裕度', en: 'sub-hourly margin' }, kind: 'object', unit: 'K' },
    prewarnQuantile: { label: { zh: '预警分位数', en: 'pre-warning quantile' }, kind: 'number' },
    leadMinutes: { label: { zh: '提前量', en: 'lead time' }, kind: 'number', unit: 'min' },
    hotSpotC: { label: { zh: '预计热点温度', en: 'forecast hot-spot temperature' }, kind: 'number', unit: '°C' },
    topOilC: { label: { zh: '预计顶油温度', en: 'forecast top-oil temperature' }, kind: 'number', unit: '°C' },
    ratedKva: { label: { zh: '额定容量', en: 'rating' }, kind: 'number', unit: 'kVA' },
    forecast: { label: { zh: '预测负荷', en: 'forecast load' }, kind: 'object', unit: 'kVA' },
    model: { label: { zh: '预测模型', en: 'forecast model' }, kind: 'text' },
    overloadAlert: { label: { zh: '过载告警', en: 'overload alert' }, kind: 'text' },
    limits: { label: { zh: '温度限值', en: 'limits' }, kind: 'object', unit: '°C' },
    origin: { label: { zh: '预测起点', en: 'forecast from' }, kind: 'time' },
  },
};
