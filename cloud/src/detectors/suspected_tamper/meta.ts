/** How people read `suspected_tamper` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'suspected_tamper',
  label: { zh: '疑似窃电', en: 'suspected tamper' },
  description: {
    zh: '提示绕越计量或篡改电表的特征',
    en: 'a pattern that suggests meter bypass or tampering',
  },
  subjectKind: 'device',
  defaultSkill: 'metering',
  chartGroups: [
    { unit: 'kW', quantities: ['p_kw', 'p_a_kw', 'p_b_kw', 'p_c_kw'] },
    { unit: 'V', quantities: ['v_a', 'v_b', 'v_c'] },
    { unit: 'A', quantities: ['i_a', 'i_b', 'i_c'] },
  ],
  evidence: {
    signatures: { label: { zh: '特征', en: 'signatures' }, kind: 'object' },
    since: { label: { zh: '开始', en: 'since' }, kind: 'time' },
    lossPhase: { label: { zh: '失压相', en: 'phase without voltage' }, kind: 'text' },
    currentLossPhase: { label: { zh: '失流相', en: 'phase without current' }, kind: 'text' },
    voltageLossPhase: { label: { zh: '失压相', en: 'phase without voltage' }, kind: 'text' },
    reversedPhase: { label: { zh: '反接相', en: 'reversed phase' }, kind: 'text' },
    register: { label: { zh: '电能表示数与功率积分', en: 'register against ∫P dt' }, kind: 'object' },
    registerStep: { label: { zh: '示数倒走', en: 'register step back' }, kind: 'object' },
    voltageAvg: { label: { zh: '平均电压', en: 'average voltage' }, kind: 'number', unit: 'V' },
  },
};
