/** How people read `overload` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'overload',
  label: { zh: '过载', en: 'overload' },
  description: {
    zh: '变压器负载超过额定容量，按 IEC 60076-7 热模型判断热点与顶油温度',
    en: 'a transformer loaded beyond its rating, judged on the IEC 60076-7 thermal model (hot-spot and top-oil temperature)',
  },
  subjectKind: 'transformer',
  defaultSkill: 'high_voltage',
  chartGroups: chartsByUnit('p_kw', 's_kva', 'i_a', 'i_b', 'i_c'),
  evidence: {
    loadKva: field.number('负载', 'load', 'kVA'),
    ratedKva: field.number('额定容量', 'rating', 'kVA'),
    pu: field.number('负载率', 'load factor', 'p.u.'),
    since: field.time('开始', 'since'),
    hotSpotC: field.number('热点温度', 'hot-spot temperature', '°C'),
    topOilC: field.number('顶油温度', 'top-oil temperature', '°C'),
    ambientC: field.number('环境温度', 'ambient temperature', '°C'),
    ageingRate: field.number('相对老化率', 'relative ageing rate'),
    episodeAgeingHours: field.number('本次过载老化', 'ageing this episode', 'h'),
    loadingMode: field.text('负载方式', 'loading mode'),
    limits: field.object('限值', 'limits'),
    meters: field.object('计入电表', 'meters counted'),
    minutesToLimit: field.number('距限值', 'time to limit', 'min'),
  },
};
