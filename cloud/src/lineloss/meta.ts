/** How people read `line_loss_abnormal` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import type { AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'line_loss_abnormal',
  label: { zh: '台区线损异常', en: 'abnormal line loss' },
  description: {
    zh: '台区线损率超出合格区间，且表计覆盖率足够',
    en: "a transformer area's line-loss rate is out of its band with enough meter coverage",
  },
  subjectKind: 'transformer',
  defaultSkill: 'metering',
  chartGroups: [{ unit: 'kWh', quantities: ['e_imp_kwh', 'e_exp_kwh'] }],
  evidence: {
    area: { label: { zh: '台区', en: 'area' }, kind: 'text' },
    band: { label: { zh: '合格区间', en: 'qualification band' }, kind: 'object', unit: '%' },
    since: { label: { zh: '开始日期', en: 'since' }, kind: 'text' },
    days: { label: { zh: '逐日线损', en: 'daily balance' }, kind: 'object' },
    cause: { label: { zh: '可能原因', en: 'likely cause' }, kind: 'text' },
    signal: { label: { zh: '依据', en: 'signal' }, kind: 'text' },
    candidates: { label: { zh: '嫌疑用户', en: 'candidate customers' }, kind: 'object' },
    day: { label: { zh: '日期', en: 'day' }, kind: 'text' },
    suppliedKwh: { label: { zh: '供电量', en: 'supplied' }, kind: 'number', unit: 'kWh' },
    soldKwh: { label: { zh: '售电量', en: 'sold' }, kind: 'number', unit: 'kWh' },
    lossKwh: { label: { zh: '损失电量', en: 'loss' }, kind: 'number', unit: 'kWh' },
    ratePct: { label: { zh: '线损率', en: 'loss rate' }, kind: 'number', unit: '%' },
    coverage: { label: { zh: '覆盖率', en: 'coverage' }, kind: 'number' },
    status: { label: { zh: '状态', en: 'status' }, kind: 'text' },
  },
};
