/** How people read `suspected_tamper` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'suspected_tamper',
  label: { zh: '疑似窃电', en: 'suspected tamper' },
  description: {
    zh: '提示绕越计量或篡改电表的特征',
    en: 'a pattern that suggests meter bypass or tampering',
  },
  subjectKind: 'device',
  defaultSkill: 'metering',
  chartGroups: chartsByUnit('p_kw', 'p_a_kw', 'p_b_kw', 'p_c_kw', 'v_a', 'v_b', 'v_c', 'i_a', 'i_b', 'i_c'),
  evidence: {
    signatures: field.object('特征', 'signatures'),
    since: field.time('开始', 'since'),
    lossPhase: field.text('失压相', 'phase without voltage'),
    currentLossPhase: field.text('失流相', 'phase without current'),
    voltageLossPhase: field.text('失压相', 'phase without voltage'),
    reversedPhase: field.text('反接相', 'reversed phase'),
    register: field.object('电能表示数与功率积分', 'register against ∫P dt'),
    registerStep: field.object('示数倒走', 'register step back'),
    voltageAvg: field.number('平均电压', 'average voltage', 'V'),
  },
};
