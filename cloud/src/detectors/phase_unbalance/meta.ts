/** How people read `phase_unbalance` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'phase_unbalance',
  label: { zh: '三相不平衡', en: 'phase unbalance' },
  description: {
    zh: '三相负荷不平衡度超过限值',
    en: 'three-phase load unbalance above its limit',
  },
  subjectKind: 'transformer',
  defaultSkill: 'high_voltage',
  chartGroups: chartsByUnit('i_a', 'i_b', 'i_c', 'i_n'),
  evidence: {
    unbalancePct: field.number('不平衡度', 'unbalance', '%'),
    currentsA: field.object('三相电流', 'phase currents', 'A'),
    neutralA: field.number('中性线电流', 'neutral current', 'A'),
    ratedA: field.number('额定电流', 'rated current', 'A'),
    vectorGroup: field.text('联结组别', 'vector group'),
    since: field.time('开始', 'since'),
  },
};
