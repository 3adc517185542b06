/** Chinese and English labels; the choice is kept in the browser. */

export type Lang = 'zh' | 'en';

const STRINGS = {
  appName: ['电气安全监测', 'gridsafe'],
  signIn: ['登录', 'Sign in'],
  signOut: ['退出', 'Sign out'],
  token: ['API 令牌', 'API token'],
  tokenHelp: ['请输入管理员发放的 API 令牌。', 'Enter the API token your administrator gave you.'],
  continueOpen: ['直接进入（本机未启用认证）', 'Continue (authentication is off on this server)'],
  badToken: ['令牌无效', 'The token is not valid'],
  alerts: ['告警', 'Alerts'],
  cases: ['稽查案件', 'Cases'],
  case: ['稽查案件', 'Case'],
  capacityAlerts: ['超容告警', 'Capacity alerts'],
  allStates: ['全部状态', 'All states'],
  allCustomers: ['全部用户', 'All customers'],
  fleet: ['设备网络', 'Fleet'],
  live: ['实时', 'Live'],
  offline: ['未连接', 'Disconnected'],
  severity: ['级别', 'Severity'],
  type: ['类型', 'Type'],
  subject: ['对象', 'Subject'],
  site: ['站点', 'Site'],
  opened: ['发生时间', 'Opened'],
  lastSeen: ['最近出现', 'Last seen'],
  occurrences: ['发生次数', 'Occurrences'],
  state: ['状态', 'State'],
  workOrder: ['工单', 'Work order'],
  assignee: ['负责人', 'Assignee'],
  actions: ['操作', 'Actions'],
  acknowledge: ['确认接单', 'Acknowledge'],
  onSite: ['到达现场', 'On site'],
  resolve: ['处理完毕', 'Resolve'],
  note: ['备注', 'Note'],
  addNote: ['添加备注', 'Add note'],
  uploadPhoto: ['上传照片', 'Upload photo'],
  photos: ['现场照片', 'Photos'],
  log: ['处理记录', 'Log'],
  evidence: ['证据', 'Evidence'],
  series: ['事件前后的测量曲线', 'Readings around the event'],
  noSeries: ['该时段无测量数据', 'No readings in this period'],
  timeToAck: ['接单用时', 'Time to acknowledge'],
  timeToResolve: ['处理用时', 'Time to resolve'],
  deadline: ['接单期限', 'Acknowledge by'],
  escalatedTo: ['已升级至', 'Escalated to'],
  routing: ['派单依据', 'Routing'],
  reassign: ['改派', 'Reassign'],
  noAlerts: ['暂无告警', 'No alerts'],
  customer: ['用户', 'Customer'],
  contract: ['合同容量', 'Contract capacity'],
  maxDemand: ['最大需量', 'Maximum demand'],
  excess: ['超容', 'Excess'],
  firstSeen: ['首次发现', 'First seen'],
  tariff: ['电价类别', 'Tariff'],
  demandChart: ['最大需量与合同容量', 'Maximum demand against contract capacity'],
  decision: ['处理决定', 'Decision'],
  auditTrail: ['审计记录', 'Audit trail'],
  comments: ['意见', 'Comments'],
  addComment: ['添加意见', 'Add comment'],
  penalty: ['违约使用电费估算', 'Penalty estimate'],
  penaltyPreview: ['（预估：案件确认后生效）', '(preview: applies once confirmed)'],
  total: ['合计', 'Total'],
  report: ['打印报告', 'Printable report'],
  when: ['时间', 'When'],
  who: ['操作人', 'Who'],
  what: ['操作', 'What'],
  gateway: ['网关', 'Gateway'],
  link: ['链路', 'Link'],
  since: ['自', 'Since'],
  version: ['版本', 'Version'],
  outbox: ['待发缓存', 'Outbox depth'],
  devices: ['设备', 'Devices'],
  health: ['健康状态', 'Health'],
  lastReading: ['最近读数', 'Last reading'],
  kind: ['类别', 'Kind'],
  transformer: ['变压器', 'Transformer'],
  notifications: ['通知队列', 'Notification queue'],
  pending: ['待发送', 'Pending'],
  dead: ['失败待重发', 'Dead letters'],
  timesIn: ['时间按时区显示：', 'Times shown in '],
  loading: ['加载中…', 'Loading…'],
  back: ['返回', 'Back'],
  noteRequired: ['此操作需要填写备注', 'This step needs a note'],
  none: ['无', 'none'],
  yuan: ['元', 'yuan'],
  unassigned: ['未分派', 'unassigned'],
  assign: ['派单', 'Assign'],
  assignTo: ['派给', 'Assign to'],
  reassignTo: ['改派给', 'Reassign to'],
  noteRequiredFor: ['请先填写意见再执行：', 'Write a note first, it is required for'],
  noteRequiredShort: ['需填写意见', 'required for'],
  finalDecision: ['此决定不可撤销：', 'This decision cannot be undone:'],
  yes: ['确定', 'Yes'],
  cancel: ['取消', 'Cancel'],
  search: ['搜索', 'Search'],
  searchSubject: ['设备、变压器、用户编号', 'device, transformer, customer id'],
  area: ['区域', 'Area'],
  sort: ['排序', 'Sort'],
  myWork: ['我的工单', 'My work'],
  activeAlerts: ['未解决', 'Active'],
  all: ['全部', 'All'],
  allSeverities: ['全部级别', 'All severities'],
  allTypes: ['全部类型', 'All types'],
  sortTriage: ['按紧急程度', 'Most urgent first'],
  sortNewest: ['最新', 'Newest'],
  sortOldest: ['最早', 'Oldest'],
  sortLastSeen: ['最近出现', 'Last seen'],
  previous: ['上一页', 'Previous'],
  next: ['下一页', 'Next'],
  shown: ['条，共', 'of'],
  ackSelected: ['确认所选', 'Acknowledge selected'],
  selectAll: ['全选', 'Select all'],
  noOneToAssign: ['本台区没有其他在岗巡检员可派', 'no other active inspector covers this area'],
  escalated: ['已升级', 'escalated'],
} as const satisfies Record<string, readonly [string, string]>;

export type Key = keyof typeof STRINGS;

const VALUES: Record<string, readonly [string, string]> = {
  open: ['待处理', 'open'],
  acknowledged: ['已接单', 'acknowledged'],
  on_site: ['现场处理中', 'on site'],
  resolved: ['已解决', 'resolved'],
  new: ['新建', 'new'],
  under_review: ['审核中', 'under review'],
  field_check: ['现场核查', 'field check'],
  confirmed: ['已确认', 'confirmed'],
  dismissed: ['已驳回', 'dismissed'],
  critical: ['严重', 'critical'],
  warning: ['警告', 'warning'],
  info: ['提示', 'info'],
  online: ['在线', 'online'],
  offline: ['离线', 'offline'],
  two_part: ['两部制', 'two-part'],
  single: ['单一制', 'single'],
  meter: ['电表', 'meter'],
  terminal: ['监测终端', 'terminal'],
  transition: ['状态变更', 'state change'],
  comment: ['意见', 'comment'],
  evidence: ['证据更新', 'new evidence'],
  created: ['创建', 'created'],
  assigned: ['派单', 'assigned'],
  reassigned: ['改派', 'reassigned'],
  note: ['备注', 'note'],
  attachment: ['照片', 'photo'],
  escalated: ['升级', 'escalated'],
  alert_updated: ['告警更新', 'alert updated'],
  alert_cleared: ['告警自行恢复', 'alert cleared'],
};

let current: Lang =
  (localStorage.getItem('gridsafe.lang') as Lang | null) ?? (navigator.language.startsWith('zh') ? 'zh' : 'en');

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem('gridsafe.lang', next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}

export function t(key: Key): string {
  return STRINGS[key][current === 'zh' ? 0 : 1];
}

/** A value from the API (state, type, severity...) in the current language; unknown ones as they are. */
export function tv(value: string | null | undefined): string {
  if (!value) return '—';
  const entry = VALUES[value];
  return entry ? entry[current === 'zh' ? 0 : 1] : value;
}
