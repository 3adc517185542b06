/** How people read `overload_forecast` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'overload_forecast',
  label: { zh: '过载预警', en: 'overload forecast' },
  description: {
    zh: '预测负荷经 IEC 60076-7 热模型计算，将在预警时段内达到变压器热点或顶油温度限值',
    en: "the forecast load, through the IEC 60076-7 thermal model, reaches a transformer's hot-spot or top-oil limit within the horizon",
  },
  subjectKind: 'transformer',
  defaultSkill: 'high_voltage',
  chartGroups: chartsByUnit('s_kva'),
  evidence: {
    predictedAt: field.time('预计到达限值时刻', 'limit reached at'),
    upperPredictedAt: field.time('负荷偏高时可能到达限值时刻', 'limit may be reached (load running high) at'),
    subHourlyMarginC: field.object('小时内波动裕度', 'sub-hourly margin', 'K'),
    prewarnQuantile: field.number('预警分位数', 'pre-warning quantile'),
    leadMinutes: field.number('提前量', 'lead time', 'min'),
    hotSpotC: field.number('预计热点温度', 'forecast hot-spot temperature', '°C'),
    topOilC: field.number('预计顶油温度', 'forecast top-oil temperature', '°C'),
    ratedKva: field.number('额定容量', 'rating', 'kVA'),
    forecast: field.object('预测负荷', 'forecast load', 'kVA'),
    model: field.text('预测模型', 'forecast model'),
    overloadAlert: field.text('过载告警', 'overload alert'),
    limits: field.object('温度限值', 'limits', '°C'),
    origin: field.time('预测起点', 'forecast from'),
  },
};
