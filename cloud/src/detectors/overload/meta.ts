/** How people read `overload` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'overload',
  label: { zh: '过载', en: 'overload' },
  description: {
    zh: '变压器负载超过额定容量，按 IEC 60076-7 热模型判断热点与顶油温度',
    en: 'a transformer loaded beyond its rating, judged on the IEC 60076-7 thermal model (hot-spot and top-oil temperature)',
  },
  subjectKind: 'transformer',
  defaultSkill: 'high_voltage',
  chartGroups: [
    { unit: 'kW', quantities: ['p_kw'] },
    { unit: 'kVA', quantities: ['s_kva'] },
    { unit: 'A', quantities: ['i_a', 'i_b', 'i_c'] },
  ],
  evidence: {
    loadKva: { label: { zh: '负载', en: 'load' }, kind: 'number', unit: 'kVA' },
    ratedKva: { label: { zh: '额定容量', en: 'rating' }, kind: 'number', unit: 'kVA' },
    pu: { label: { zh: '负载率', en: 'load factor' }, kind: 'number', unit: 'p.u.' },
    since: { label: { zh: '开始', en: 'since' }, kind: 'time' },
    hotSpotC: { label: { zh: '热点温度', en: 'hot-spot temperature' }, kind: 'number', unit: '°C' },
    topOilC: { label: { zh: '顶油温度', en: 'top-oil temperature' }, kind: 'number', unit: '°C' },
    ambientC: { label: { zh: '环境温度', en: 'ambient temperature' }, kind: 'number', unit: '°C' },
    ageingRate: { label: { zh: '相对老化率', en: 'relative ageing rate' }, kind: 'number' },
    episodeAgeingHours: { label: { zh: '本次过载老化', en: 'ageing this episode' }, kind: 'number', unit: 'h' },
    loadingMode: { label: { zh: '负载方式', en: 'loading mode' }, kind: 'text' },
    limits: { label: { zh: '限值', en: 'limits' }, kind: 'object' },
    meters: { label: { zh: '计入电表', en: 'meters counted' }, kind: 'object' },
    minutesToLimit: { label: { zh: '距限值', en: 'time to limit' }, kind: 'number', unit: 'min' },
  },
};
