/**
 * Every server text that reaches a person, in 中文 and English: routing reasons, API
 * refusals, the penalty note, notification texts. A template names its values as
 * {name}; values that are states, severities or roles are shown in the reader's
 * language (VALUE_LABELS). Served at GET /api/v1/messages for the console, used here
 * for notifications and for the English `detail` of problems.
 */
import type { Message } from '@gridsafe/shared';

export type Lang = 'zh' | 'en';

/** code → [中文, English]. */
export const MESSAGES: Readonly<Record<string, readonly [string, string]>> = {
  // Work-order routing (workorders/routing.ts, service.ts).
  'routing.no_area': [
    '告警对象在登记信息中没有所属区域，等待人工派单',
    "the alert's subject has no area in the registry; waiting for manual assignment",
  ],
  'routing.no_inspector': [
    '区域 {area} 没有在岗巡检员，等待人工派单',
    'no active inspector covers area {area}; waiting for manual assignment',
  ],
  'routing.skilled': [
    '区域 {area}，技能 {skill}，当前 {open} 张未完成工单',
    'area {area}, skill {skill}, {open} open orders',
  ],
  'routing.skilled_one': ['区域 {area}，技能 {skill}，当前 1 张未完成工单', 'area {area}, skill {skill}, 1 open order'],
  'routing.unskilled': [
    '区域 {area} 无人具备技能 {skill}，派给该区域工单最少的巡检员（{open} 张未完成）',
    'area {area}; nobody there has skill {skill}, so the least-loaded inspector of the area ({open} open)',
  ],
  'routing.reassigned': ['由 {by} 改派', 'reassigned by {by}'],

  // Refusals of the API (problem documents). problem.status.<n>: any other refusal, with its English detail.
  'problem.unauthenticated': ['请提供 API 令牌', 'send an API token: "Authorization: Bearer <token>"'],
  'problem.bad_token': ['API 令牌无效', 'the API token is not valid'],
  'problem.too_many_failed_logins': [
    '该地址登录失败次数过多，请 {seconds} 秒后再试',
    'too many failed logins from this address; try again in {seconds} s',
  ],
  'problem.forbidden_role': ['角色“{role}”无权执行 {method} {path}', 'role "{role}" may not {method} {path}'],
  'problem.outside_area': ['{what} 不在您负责的区域（{areas}）内', '{what} is outside your areas ({areas})'],
  'problem.rate_limited': ['请求过于频繁，请稍后再试', 'too many requests; slow down and try again shortly'],
  'problem.store_unavailable': [
    '云端所需的数据库暂时不可用，请稍后再试',
    'a database the cloud needs is unavailable for now (see /readyz); try again shortly',
  ],
  'problem.alert_not_found': ['告警 {id} 不存在', 'alert "{id}" does not exist'],
  'problem.alert_resolved': ['告警 {id} 已解决', 'alert "{id}" is already resolved'],
  'problem.alert_acknowledged': ['告警 {id} 已被接单', 'alert "{id}" is already acknowledged'],
  'problem.case_not_found': ['稽查案件 {id} 不存在', 'case "{id}" does not exist'],
  'problem.case_same_state': ['案件 {id} 已处于“{from}”状态', 'case "{id}": the case is already {from}'],
  'problem.case_not_allowed': [
    '案件 {id} 不能从“{from}”变更为“{to}”，只能变更为：{next}',
    'case "{id}": a case cannot move from {from} to {to}: from {from} it can move to {next}',
  ],
  'problem.case_final': [
    '案件 {id} 不能从“{from}”变更为“{to}”：“{from}”是最终状态',
    'case "{id}": a case cannot move from {from} to {to}: {from} is a final state',
  ],
  'problem.case_note_required': [
    '案件 {id} 变更为“{to}”需要填写理由',
    'case "{id}": moving a case to {to} needs a note giving the reason',
  ],
  'problem.case_equipment_step': [
    '案件 {id} 当前为“{state}”：现场设备只能在“现场核查”阶段登记',
    'case "{id}" is {state}: the equipment found is recorded during the field check (state field_check)',
  ],
  'problem.empty_comment': ['意见不能为空', 'a comment needs some text'],
  'problem.order_out_of_area': [
    '工单 {id} 属于区域 {area}，{user} 负责 {areas}',
    'work order {id} is in area {area}; {user} covers {areas}',
  ],
  'problem.auditor_read_only': [
    '稽查员可以查看工单，但不能处理（{user}）',
    'auditors can read work orders but not act on them ({user})',
  ],
  'problem.reassign_lead_only': [
    '只有管理员或区域 {area} 的组长可以改派工单 {id}',
    'only an admin or the lead of area {area} may reassign work order {id}',
  ],
  'problem.reassign_resolved': [
    '工单 {id} 已处理完毕，不能改派',
    'work order {id} is resolved and cannot be reassigned',
  ],
  'problem.reassign_not_inspector': ['“{to}”不是在岗巡检员', '"{to}" is not an active inspector'],
  'problem.reassign_out_of_area': [
    '{to} 不负责工单 {id} 所在的区域 {area}',
    '{to} does not cover area {area} of work order {id}',
  ],
  'problem.reassign_same': ['工单 {id} 已派给 {to}', 'work order {id} is already assigned to {to}'],
  'problem.order_changed': [
    '工单 {id} 已被他人修改，请刷新后重试',
    'work order {id} changed meanwhile; reload and try again',
  ],
  'problem.too_many_photos': [
    '工单 {id} 已有 {max} 张照片，已达上限',
    'work order {id} already has {max} photos, the most allowed',
  ],
  'problem.attachment_not_found': [
    '工单 {id} 没有附件 {attachment}',
    'work order {id} has no attachment "{attachment}"',
  ],
  // A webhook's address (the API's refusal and the config file's check).
  'webhook.url_expected': ['需要 http:// 或 https:// 地址', 'an http:// or https:// URL expected'],
  'webhook.url_scheme': ['“{scheme}”不是 http: 或 https:', '"{scheme}" is not http: or https:'],
  'webhook.url_credentials': [
    '用户名和密码请放在签名密钥中，不要写在地址里',
    'put credentials in the signing secret, not in the URL',
  ],
  'webhook.url_invalid': ['“{value}”不是有效的地址', '"{value}" is not a URL'],
  'problem.empty_upload': ['上传的文件为空', 'the upload is empty'],
  'problem.empty_note': ['备注不能为空', 'a note needs some text'],
  // Unknown things and registry refusals ({what} is a kind of thing, shown in the reader's language).
  'problem.not_found': ['{what} {id} 不存在', '{what} "{id}" does not exist'],
  'problem.not_registered': ['{what} {id} 未登记', '{what} "{id}" is not registered'],
  'problem.not_registered_put': [
    '{what} {id} 未登记（请用 POST 新建）',
    '{what} "{id}" is not registered (create it with POST)',
  ],
  'problem.already_exists': [
    '{what} {id} 已存在（请用 PUT 修改）',
    '{what} "{id}" already exists (change it with PUT)',
  ],
  'problem.still_has_devices': [
    '{what} {id} 下仍有设备（{devices}），请先移走或删除这些设备',
    '{what} "{id}" still has devices ({devices}); move or delete them first',
  ],
  'problem.reference_not_registered': [
    '{what} {id}：所引用的{refWhat} {refId} 未登记',
    '{what} "{id}": {refWhat} "{refId}" is not registered',
  ],

  'problem.id_mismatch': [
    '请求体中的编号“{body}”与路径中的“{path}”不一致；编号不能修改',
    'the body\'s id "{body}" differs from the path\'s "{path}"; ids cannot be changed',
  ],
  'problem.bad_time': [
    '{name}="{raw}" 不是时间（应为毫秒时间戳或 ISO 8601）',
    '{name}="{raw}" is not a time (ms since the epoch or ISO 8601)',
  ],
  'problem.bad_duration': [
    '{name}="{raw}" 不是正的时长（如 30s、1m、15m、1h）',
    '{name}="{raw}" is not a positive duration (e.g. 30s, 1m, 15m, 1h)',
  ],
  'problem.too_many_buckets': ['from..to 超过 {limit} 个需量周期', 'from..to is longer than {limit} demand periods'],
  'problem.range_backwards': ['开始时间 from 必须早于结束时间 to', 'from must be before to'],
  'problem.range_too_long': ['一次最多查询 {days} 天', 'at most {days} days at once'],
  'problem.bad_band': [
    '下限 lowPct（{lowPct}）必须小于上限 highPct（{highPct}）',
    'lowPct ({lowPct}) must be below highPct ({highPct})',
  ],
  'problem.not_line_loss': [
    '告警 {id} 的类型是 {type}，不是线损异常',
    'alert "{id}" is {type}, not line_loss_abnormal',
  ],

  // CSV import (http/routes/import.ts, registry importOne): the whole file is refused, line by line.
  'problem.import_refused': ['未导入任何数据：共 {count} 处问题', 'nothing imported: {count} problem(s)'],
  'problem.import_duplicate_id': [
    '第 {line} 行：编号“{id}”与第 {other} 行重复',
    'line {line}, id: "{id}" is also on line {other}',
  ],
  'problem.import_reference_not_registered': [
    '第 {line} 行（{what} {id}）：所引用的{refWhat} {refId} 未登记，未导入任何数据',
    'row {line} ({what} "{id}"): {refWhat} "{refId}" is not registered; nothing imported',
  ],

  'problem.csv_media_type': ['请以 text/csv 格式发送 CSV', 'send the CSV as text/csv'],
  'problem.import_too_many_rows': [
    '共 {rows} 行，每次导入最多 {limit} 行',
    '{rows} rows; the limit is {limit} per import',
  ],
  'csv.quote_in_field': ['第 {line} 行：未加引号的字段中出现了引号', 'line {line}: a quote inside an unquoted field'],
  'csv.unclosed_quote': ['第 {line} 行：加引号的字段没有闭合', 'line {line}: a quoted field is not closed'],
  'csv.empty': ['文件为空：第一行应为字段名', 'the file is empty: expected a header row of field names'],
  'csv.duplicate_column': ['第 {line} 行：列“{column}”出现了两次', 'line {line}: column "{column}" appears twice'],
  'csv.field_count': [
    '第 {line} 行：有 {count} 个字段，但表头有 {expected} 个',
    'line {line}: {count} fields, but the header has {expected}',
  ],

  // Request-schema and CSV validation (http/validation-text.ts): one per failing field, {where} names it.
  'validation.required': ['{where}：缺少必填字段 {field}', "{where} must have required property '{field}'"],
  'validation.type': ['{where}：类型应为 {type}', '{where} must be {type}'],
  'validation.enum': [
    '{where}：只能取以下值之一：{allowed}',
    '{where} must be equal to one of the allowed values: {allowed}',
  ],
  'validation.minimum': ['{where}：不能小于 {limit}', '{where} must be >= {limit}'],
  'validation.maximum': ['{where}：不能大于 {limit}', '{where} must be <= {limit}'],
  'validation.exclusiveMinimum': ['{where}：必须大于 {limit}', '{where} must be > {limit}'],
  'validation.exclusiveMaximum': ['{where}：必须小于 {limit}', '{where} must be < {limit}'],
  'validation.minLength': ['{where}：至少 {limit} 个字符', '{where} must NOT have fewer than {limit} characters'],
  'validation.maxLength': ['{where}：最多 {limit} 个字符', '{where} must NOT have more than {limit} characters'],
  'validation.pattern': ['{where}：格式应符合 {pattern}', '{where} must match pattern "{pattern}"'],
  'validation.format': ['{where}：格式应为 {format}', '{where} must match format "{format}"'],
  'validation.unknown_field': ['{where}：未知字段 {field}', '{where} unknown field "{field}"'],
  'validation.unknown_column': ['{where}：未知列 {field}', '{where} unknown column "{field}"'],
  'validation.invalid': ['{where}：取值无效（{detail}）', '{where} {detail}'],

  'problem.status.400': ['请求有误：{detail}', '{detail}'],
  'problem.status.401': ['未登录或令牌无效：{detail}', '{detail}'],
  'problem.status.403': ['无权操作：{detail}', '{detail}'],
  'problem.status.404': ['未找到：{detail}', '{detail}'],
  'problem.status.409': ['操作冲突：{detail}', '{detail}'],
  'problem.status.413': ['内容过大：{detail}', '{detail}'],
  'problem.status.415': ['不支持的文件类型：{detail}', '{detail}'],
  'problem.status.422': ['无法处理：{detail}', '{detail}'],
  'problem.status.429': ['请求过多：{detail}', '{detail}'],
  'problem.status.500': ['服务器内部错误：{detail}', '{detail}'],
  'problem.status.503': ['服务暂不可用：{detail}', '{detail}'],

  // The penalty estimate's default note (cases/penalty.ts).
  'penalty.default_note': [
    '依据 2024 年国家发展改革委第 14 号令修订；修订文本的条款和数值尚未核实，因此沿用 1996 年的数值。基本电价属于配置，不是法规。',
    'Revised by NDRC Order No. 14 (2024); the article and figures of the revised text are unconfirmed, so the 1996 figures are used. Basic tariffs are configuration, not regulation.',
  ],

  // Notifications (notifications/texts.ts): one line per event, a heading for a group.
  'notify.group': ['{site}：{count} 条通知', '{site}: {count} notifications'],
  'notify.alert_opened': [
    '新告警：{subject} {type}（{severity}），工单 {order} 派给 {assignee}',
    'New alert: {type} on {subject} ({severity}), work order {order} for {assignee}',
  ],
  'notify.alert_escalated': [
    '工单 {order}（{subject} {type}）超时未接单，已升级至 {to}',
    'Work order {order} ({type} on {subject}) was not acknowledged in time; escalated to {to}',
  ],
  'notify.workorder_assigned': [
    '工单 {order}（{subject} {type}）由 {by} 派给 {assignee}',
    'Work order {order} ({type} on {subject}) assigned to {assignee} by {by}',
  ],
  'notify.workorder_resolved': [
    '工单 {order}（{subject} {type}）已处理完毕',
    'Work order {order} ({type} on {subject}) resolved',
  ],
  'notify.case_opened': [
    '新稽查案件 {case}：用户 {customer} 最大需量 {maxDemandKw} kW，合同容量 {contractKva} kVA',
    'New capacity case {case}: customer {customer}, maximum demand {maxDemandKw} kW, contract {contractKva} kVA',
  ],
  'notify.case_transition': [
    '稽查案件 {case}（用户 {customer}）现为“{state}”',
    'Capacity case {case} ({customer}) is now {state}',
  ],
};

/** States, severities and roles inside messages, shown in the reader's language. */
export const VALUE_LABELS: Readonly<Record<string, readonly [string, string]>> = {
  critical: ['严重', 'critical'],
  warning: ['警告', 'warning'],
  info: ['提示', 'info'],
  new: ['新建', 'new'],
  under_review: ['审核中', 'under review'],
  field_check: ['现场核查', 'field check'],
  confirmed: ['已确认', 'confirmed'],
  dismissed: ['已驳回', 'dismissed'],
  transformer: ['变压器', 'transformer'],
  customer: ['用户', 'customer'],
  device: ['设备', 'device'],
  gateway: ['网关', 'gateway'],
  alert: ['告警', 'alert'],
  silence: ['屏蔽', 'silence'],
  webhook: ['Webhook 订阅', 'webhook'],
  'work order': ['工单', 'work order'],
  body: ['请求体', 'body'],
  querystring: ['查询参数', 'querystring'],
  params: ['路径参数', 'params'],
  headers: ['请求头', 'headers'],
  admin: ['管理员', 'admin'],
  inspector: ['巡检员', 'inspector'],
  auditor: ['稽查员', 'auditor'],
};

const index = (lang: Lang) => (lang === 'zh' ? 0 : 1);

/** Between the items of a list of labelled values ("a|b": the states a case can move to). */
const LIST_JOINERS: Readonly<Record<Lang, string>> = { zh: '或', en: ' or ' };

/** The message in `lang`; its values in the reader's language where VALUE_LABELS knows them. */
export function formatMessage(message: Message, lang: Lang): string {
  const template = MESSAGES[message.code]?.[index(lang)];
  if (template === undefined) throw new Error(`no message "${message.code}" in the catalogue`);
  const label = (value: string) => (lang === 'zh' ? VALUE_LABELS[value]?.[0] : undefined) ?? value;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = message.params?.[name];
    if (value === undefined) return whole;
    const items = String(value).split('|');
    // Only a list of known values is one (a pattern may hold "|" too).
    if (items.length > 1 && items.every((item) => VALUE_LABELS[item])) return items.map(label).join(LIST_JOINERS[lang]);
    return label(String(value));
  });
}

/** Both languages at once, for texts stored or sent once and read by either (notifications). */
export function bilingual(message: Message): { zh: string; en: string } {
  return { zh: formatMessage(message, 'zh'), en: formatMessage(message, 'en') };
}
