/** How people read `line_loss_abnormal` alerts: names, skill, charts and evidence fields (served at /api/v1/detectors). */
import { chartsByUnit, evidenceField as field, type AlertTypeMeta } from '@gridsafe/shared';

export const meta: AlertTypeMeta = {
  type: 'line_loss_abnormal',
  label: { zh: '台区线损异常', en: 'abnormal line loss' },
  description: {
    zh: '台区线损率超出合格区间，且表计覆盖率足够',
    en: "a transformer area's line-loss rate is out of its band with enough meter coverage",
  },
  subjectKind: 'transformer',
  defaultSkill: 'metering',
  chartGroups: chartsByUnit('e_imp_kwh', 'e_exp_kwh'),
  evidence: {
    area: field.text('台区', 'area'),
    band: field.object('合格区间', 'qualification band', '%'),
    since: field.text('开始日期', 'since'),
    days: field.object('逐日线损', 'daily balance'),
    cause: field.text('可能原因', 'likely cause'),
    signal: field.text('依据', 'signal'),
    candidates: field.object('嫌疑用户', 'candidate customers'),
    day: field.text('日期', 'day'),
    suppliedKwh: field.number('供电量', 'supplied', 'kWh'),
    soldKwh: field.number('售电量', 'sold', 'kWh'),
    lossKwh: field.number('损失电量', 'loss', 'kWh'),
    ratePct: field.number('线损率', 'loss rate', '%'),
    coverage: field.number('覆盖率', 'coverage'),
    status: field.text('状态', 'status'),
  },
};
