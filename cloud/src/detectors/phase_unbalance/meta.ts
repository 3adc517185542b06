/** How people read `phase_unbalance` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'phase_unbalance',
  label: { zh: '三相不平衡', en: 'phase unbalance' },
  description: {
    zh: '三相负荷不平衡度超过限值',
    en: 'three-phase load unbalance above its limit',
  },
  subjectKind: 'transformer',
  defaultSkill: 'high_voltage',
  chartGroups: [{ unit: 'A', quantities: ['i_a', 'i_b', 'i_c', 'i_n'] }],
  evidence: {
    unbalancePct: { label: { zh: '不平衡度', en: 'unbalance' }, kind: 'number', unit: '%' },
    currentsA: { label: { zh: '三相电流', en: 'phase currents' }, kind: 'object', unit: 'A' },
    neutralA: { label: { zh: '中性线电流', en: 'neutral current' }, kind: 'number', unit: 'A' },
    ratedA: { label: { zh: '额定电流', en: 'rated current' }, kind: 'number', unit: 'A' },
    vectorGroup: { label: { zh: '联结组别', en: 'vector group' }, kind: 'text' },
    since: { label: { zh: '开始', en: 'since' }, kind: 'time' },
  },
};
