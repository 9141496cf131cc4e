import { defineKinds, MessageParams } from '../message';

/**
 * Message kinds of supervision (R-RISK-MONTHLY, R-INSPECT, R-REWARD, R-PENALTY) and of the
 * complaint cases (R-CASE-DEADLINE, R-CASE-CHASE): see ../message.ts.
 *
 * Params are identifiers only: ids, case numbers, department/project codes, periods, dates,
 * counts, employees' usernames and the enum values below. Never a customer's name, phone, ID
 * number or unit, and never user-written text (a case's request, an assessment's return reason,
 * a notice's title): free text may quote a customer.
 */

const s = (p: MessageParams, k: string): string => String(p[k] ?? '');

/** Enum values shown in messages, per language (unknown values shown as they are). */
const LABELS: Record<string, Record<string, { 'zh-Hant': string; en: string }>> = {
  source: {
    risk_assessment: { 'zh-Hant': '月度風險自評', en: 'risk assessment' },
    inspection: { 'zh-Hant': '雙月檢查', en: 'inspection' },
  },
  status: {
    open: { 'zh-Hant': '未開始', en: 'open' },
    in_progress: { 'zh-Hant': '進行中', en: 'in progress' },
    registered: { 'zh-Hant': '已受理', en: 'registered' },
    investigating: { 'zh-Hant': '調查中', en: 'under investigation' },
    proposed: { 'zh-Hant': '已提出處理意見', en: 'proposed' },
    decided: { 'zh-Hant': '已核定', en: 'decided' },
    communicated: { 'zh-Hant': '已回覆客戶', en: 'communicated' },
  },
  incident: {
    negligent_leak: { 'zh-Hant': '過失洩密', en: 'negligent leak' },
    lost_written_list: { 'zh-Hant': '書面清單遺失', en: 'lost written list' },
    selling_for_gain: { 'zh-Hant': '出售客戶信息牟利', en: 'selling for gain' },
    illegal_acquisition: { 'zh-Hant': '非法獲取客戶信息', en: 'illegal acquisition' },
    other: { 'zh-Hant': '其他', en: 'other' },
  },
  sanction: {
    reward: { 'zh-Hant': '獎勵', en: 'reward' },
    penalty: { 'zh-Hant': '處罰', en: 'penalty' },
  },
  ground: {
    report: { 'zh-Hant': '舉報洩密', en: 'reporting a leak' },
    remedy: { 'zh-Hant': '制止或減少洩密', en: 'stopping or reducing a leak' },
    negligent_leak: { 'zh-Hant': '過失洩密', en: 'negligent leak' },
    lost_written_list: { 'zh-Hant': '書面清單遺失', en: 'lost written list' },
    selling_for_gain: { 'zh-Hant': '出售客戶信息牟利', en: 'selling for gain' },
    case_responsibility: { 'zh-Hant': '客訴案件責任', en: 'responsibility in a complaint case' },
  },
};
const zh = (group: string, p: MessageParams, k: string) => LABELS[group][s(p, k)]?.['zh-Hant'] ?? s(p, k);
const en = (group: string, p: MessageParams, k: string) => LABELS[group][s(p, k)]?.en ?? s(p, k);

/** The console page of a rectification's source (assessment or inspection). */
const sourceLink = (p: MessageParams) =>
  s(p, 'sourceType') === 'inspection' ? `/supervision/inspections/${s(p, 'sourceId')}` : `/supervision/assessments/${s(p, 'sourceId')}`;
/** The owner's own page (監督檢查 → 我的整改): reachable without reading the source; the id opens its dialog. */
const myRectification = (p: MessageParams) => `/supervision/my-rectifications?rectification=${s(p, 'rectificationId')}`;
const sourceZh = (p: MessageParams) => `${zh('source', p, 'sourceType')} #${s(p, 'sourceId')}`;
const sourceEn = (p: MessageParams) => `${en('source', p, 'sourceType')} ${s(p, 'sourceId')}`;

export const supervisionKinds = defineKinds([
  // ---- R-RISK-MONTHLY: the monthly self-assessment ---------------------------------------------
  {
    kind: 'risk_assessment.due',
    title: { 'zh-Hant': '月度風險自評待填寫', en: 'Monthly risk assessment to fill in' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `月度風險自評 ${s(p, 'department')} ${s(p, 'period')} 待填寫`,
        body: `部門 ${s(p, 'department')} ${s(p, 'period')} 的客戶信息保密風險評估表（#${s(p, 'assessmentId')}）已建立並帶入指標。請填寫發現的風險及整改措施後提交。`,
      }),
      en: (p) => ({
        subject: `Monthly risk assessment ${s(p, 'department')} ${s(p, 'period')} to fill in`,
        body: `The confidentiality risk assessment ${s(p, 'assessmentId')} of department ${s(p, 'department')} for ${s(p, 'period')} has been created with its indicators. Add the risks found and the rectifications, then submit it.`,
      }),
    },
    link: (p) => `/supervision/assessments/${s(p, 'assessmentId')}`,
    sample: { assessmentId: 42, department: 'D01', period: '2026-11' },
  },
  {
    kind: 'risk_assessment.returned',
    title: { 'zh-Hant': '月度風險自評被退回', en: 'Risk assessment returned' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `月度風險自評 ${s(p, 'department')} ${s(p, 'period')} 已被品質管理部退回`,
        body: `品質管理部退回了部門 ${s(p, 'department')} ${s(p, 'period')} 的風險評估表（#${s(p, 'assessmentId')}）。請查看退回原因，修改後再次提交。`,
      }),
      en: (p) => ({
        subject: `Risk assessment ${s(p, 'department')} ${s(p, 'period')} was returned`,
        body: `The quality department returned risk assessment ${s(p, 'assessmentId')} of department ${s(p, 'department')} for ${s(p, 'period')}. Read the reason on its page, correct it and submit it again.`,
      }),
    },
    link: (p) => `/supervision/assessments/${s(p, 'assessmentId')}`,
    sample: { assessmentId: 42, department: 'D01', period: '2026-11' },
  },
  {
    kind: 'risk_assessment.submitted',
    title: { 'zh-Hant': '月度風險自評待審核', en: 'Risk assessment to review' },
    // The quality department reviews (approves) or returns it.
    action: true,
    text: {
      'zh-Hant': (p) => ({
        subject: `月度風險自評 ${s(p, 'department')} ${s(p, 'period')} 已提交，待審核`,
        body: `部門 ${s(p, 'department')} 已提交 ${s(p, 'period')} 的風險評估表（#${s(p, 'assessmentId')}，風險項 ${s(p, 'items')} 項）。請審核或退回。`,
      }),
      en: (p) => ({
        subject: `Risk assessment ${s(p, 'department')} ${s(p, 'period')} submitted for review`,
        body: `Department ${s(p, 'department')} submitted its risk assessment ${s(p, 'assessmentId')} for ${s(p, 'period')} (${s(p, 'items')} risk item(s)). Review it or return it.`,
      }),
    },
    link: (p) => `/supervision/assessments/${s(p, 'assessmentId')}`,
    sample: { assessmentId: 42, department: 'D01', period: '2026-11', items: 3 },
  },

  // ---- R-INSPECT: the bimonthly inspection and its notices -------------------------------------
  {
    kind: 'inspection.created',
    title: { 'zh-Hant': '雙月檢查待進行', en: 'Bimonthly inspections due' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `${s(p, 'period')} 雙月檢查已建立，待進行`,
        body: `${s(p, 'period')} 期間已建立 ${s(p, 'count')} 個專案的雙月檢查，請按檢查表逐項檢查。`,
      }),
      en: (p) => ({
        subject: `${s(p, 'period')}: bimonthly inspections due`,
        body: `${s(p, 'count')} project inspection(s) for ${s(p, 'period')} were created. Conduct them on their checklists.`,
      }),
    },
    link: (p) => `/supervision/inspections?period=${encodeURIComponent(s(p, 'period'))}`,
    sample: { period: '2026-B6', count: 12 },
  },
  {
    kind: 'notice.public_criticism',
    title: { 'zh-Hant': '通報批評', en: 'Public criticism' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `通報批評：專案 ${s(p, 'project')}`,
        body: `品質管理部就專案 ${s(p, 'project')} 發布了通報批評（通報 #${s(p, 'noticeId')}）。請閱讀通報並落實整改。`,
      }),
      en: (p) => ({
        subject: `Public criticism of project ${s(p, 'project')}`,
        body: `The quality department published a public criticism (notice ${s(p, 'noticeId')}) of project ${s(p, 'project')}. Read it and see that the rectifications are made.`,
      }),
    },
    link: () => '/supervision/notices',
    sample: { noticeId: 7, project: 'P0101' },
  },
  {
    kind: 'notice.announcement',
    title: { 'zh-Hant': '品質管理部通報', en: 'Announcement of the quality department' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `品質管理部通報：專案 ${s(p, 'project')}`,
        body: `品質管理部發布了關於專案 ${s(p, 'project')} 的通報（#${s(p, 'noticeId')}），請閱讀。`,
      }),
      en: (p) => ({
        subject: `Announcement concerning project ${s(p, 'project')}`,
        body: `The quality department published an announcement (notice ${s(p, 'noticeId')}) concerning project ${s(p, 'project')}. Please read it.`,
      }),
    },
    link: () => '/supervision/notices',
    sample: { noticeId: 8, project: 'P0101' },
  },

  // ---- 整改: rectifications of assessments and inspections --------------------------------------
  {
    kind: 'rectification.assigned',
    title: { 'zh-Hant': '整改任務指派', en: 'Rectification assigned to you' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `整改 #${s(p, 'rectificationId')} 已指派給您，期限 ${s(p, 'dueDate')}`,
        body: `${sourceZh(p)} 的整改 #${s(p, 'rectificationId')} 已指派給您，須於 ${s(p, 'dueDate')} 前完成。請在「我的整改」記錄進度及佐證。`,
      }),
      en: (p) => ({
        subject: `Rectification ${s(p, 'rectificationId')} assigned to you, due ${s(p, 'dueDate')}`,
        body: `Rectification ${s(p, 'rectificationId')} of ${sourceEn(p)} is yours, due on ${s(p, 'dueDate')}. Record its progress and evidence under My rectifications.`,
      }),
    },
    link: myRectification,
    sample: { rectificationId: 31, sourceType: 'inspection', sourceId: 12, dueDate: '2026-12-20' },
  },
  {
    kind: 'rectification.due_soon',
    title: { 'zh-Hant': '整改即將到期', en: 'Rectification due soon' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `整改 #${s(p, 'rectificationId')} 將於 ${s(p, 'dueDate')} 到期`,
        body: `${sourceZh(p)} 的整改 #${s(p, 'rectificationId')} 將於 ${s(p, 'dueDate')} 到期，目前${zh('status', p, 'status')}。請及時完成並記錄佐證。`,
      }),
      en: (p) => ({
        subject: `Rectification ${s(p, 'rectificationId')} is due on ${s(p, 'dueDate')}`,
        body: `Rectification ${s(p, 'rectificationId')} of ${sourceEn(p)} is due on ${s(p, 'dueDate')} and is ${en('status', p, 'status')}. Complete it and record the evidence in time.`,
      }),
    },
    link: myRectification,
    sample: { rectificationId: 31, sourceType: 'risk_assessment', sourceId: 42, dueDate: '2026-12-20', status: 'in_progress' },
  },
  {
    kind: 'rectification.overdue',
    title: { 'zh-Hant': '整改逾期', en: 'Rectification overdue' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `整改 #${s(p, 'rectificationId')} 已逾期（期限 ${s(p, 'dueDate')}）`,
        body:
          `${sourceZh(p)} 的整改 #${s(p, 'rectificationId')} 期限為 ${s(p, 'dueDate')}，目前仍${zh('status', p, 'status')}。` +
          (s(p, 'to') === 'head' ? `負責人為 ${s(p, 'owner')}，請督促跟進。` : '請儘速完成並在「我的整改」記錄進度及佐證。'),
      }),
      en: (p) => ({
        subject: `Rectification ${s(p, 'rectificationId')} is past its due date ${s(p, 'dueDate')}`,
        body:
          `Rectification ${s(p, 'rectificationId')} of ${sourceEn(p)} was due on ${s(p, 'dueDate')} and is still ${en('status', p, 'status')}. ` +
          (s(p, 'to') === 'head' ? `Its owner is ${s(p, 'owner')}: follow it up with them.` : 'Record the progress and the evidence under My rectifications.'),
      }),
    },
    // The owner records progress on My rectifications (whatever they may read); a head follows it up on the source's page.
    link: (p) => (s(p, 'to') === 'head' ? sourceLink(p) : myRectification(p)),
    sample: { rectificationId: 31, sourceType: 'risk_assessment', sourceId: 42, dueDate: '2026-12-01', status: 'open', owner: 'wang.li', to: 'head' },
  },

  // ---- 客訴案件: complaint cases --------------------------------------------------------------------
  {
    kind: 'case.registered',
    title: { 'zh-Hant': '客訴案件已受理', en: 'Complaint case registered' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `客訴案件 ${s(p, 'caseNo')} 已受理，期限 ${s(p, 'dueDate')}`,
        body: `專案 ${s(p, 'project')} 受理了客訴案件 ${s(p, 'caseNo')}，處理期限 ${s(p, 'dueDate')}。請指定責任部門並展開調查。`,
      }),
      en: (p) => ({
        subject: `Complaint case ${s(p, 'caseNo')} registered, due ${s(p, 'dueDate')}`,
        body: `Complaint case ${s(p, 'caseNo')} was registered in project ${s(p, 'project')}; it is due on ${s(p, 'dueDate')}. Assign the responsible department and investigate it.`,
      }),
    },
    link: (p) => `/cases/${s(p, 'caseId')}`,
    sample: { caseId: 17, caseNo: '2612-003', project: 'P0101', dueDate: '2026-12-18' },
  },
  {
    kind: 'case.assigned',
    title: { 'zh-Hant': '客訴案件指定責任部門', en: 'Complaint case assigned to your department' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `客訴案件 ${s(p, 'caseNo')} 由部門 ${s(p, 'department')} 負責，期限 ${s(p, 'dueDate')}`,
        body: `專案 ${s(p, 'project')} 的客訴案件 ${s(p, 'caseNo')} 已指定部門 ${s(p, 'department')} 為責任部門，處理期限 ${s(p, 'dueDate')}。`,
      }),
      en: (p) => ({
        subject: `Complaint case ${s(p, 'caseNo')} is now department ${s(p, 'department')}'s, due ${s(p, 'dueDate')}`,
        body: `Department ${s(p, 'department')} was made responsible for complaint case ${s(p, 'caseNo')} of project ${s(p, 'project')}; it is due on ${s(p, 'dueDate')}.`,
      }),
    },
    link: (p) => `/cases/${s(p, 'caseId')}`,
    sample: { caseId: 17, caseNo: '2612-003', project: 'P0101', department: 'D01', dueDate: '2026-12-18' },
  },
  {
    kind: 'case.due_soon',
    title: { 'zh-Hant': '客訴案件即將到期', en: 'Complaint case near its deadline' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `客訴案件 ${s(p, 'caseNo')} 將於 ${s(p, 'dueDate')} 到期`,
        body: `專案 ${s(p, 'project')} 的客訴案件 ${s(p, 'caseNo')} 處理期限為 ${s(p, 'dueDate')}，目前${zh('status', p, 'status')}。請於期限內結案。`,
      }),
      en: (p) => ({
        subject: `Complaint case ${s(p, 'caseNo')} is due on ${s(p, 'dueDate')}`,
        body: `Complaint case ${s(p, 'caseNo')} of project ${s(p, 'project')} is due on ${s(p, 'dueDate')} and is ${en('status', p, 'status')}. Close it in time.`,
      }),
    },
    link: (p) => `/cases/${s(p, 'caseId')}`,
    sample: { caseId: 17, caseNo: '2612-003', project: 'P0101', dueDate: '2026-12-18', status: 'investigating' },
  },
  {
    kind: 'case.chase',
    title: { 'zh-Hant': '催辦單：客訴案件逾期', en: 'Reminder: complaint case overdue' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `催辦單：客訴案件 ${s(p, 'caseNo')} 已逾期`,
        body: `客訴案件 ${s(p, 'caseNo')}（專案 ${s(p, 'project')}）已逾期：處理期限 ${s(p, 'dueDate')}，目前${zh('status', p, 'status')}。請儘速處理。`,
      }),
      en: (p) => ({
        subject: `Reminder: complaint case ${s(p, 'caseNo')} is overdue`,
        body: `Complaint case ${s(p, 'caseNo')} (project ${s(p, 'project')}) is overdue: it was due on ${s(p, 'dueDate')} and is ${en('status', p, 'status')}. Please handle it.`,
      }),
    },
    link: (p) => `/cases/${s(p, 'caseId')}`,
    sample: { caseId: 17, caseNo: '2612-003', project: 'P0101', dueDate: '2026-12-08', status: 'investigating' },
  },
  {
    kind: 'case.decided',
    title: { 'zh-Hant': '客訴案件處理意見已核定', en: 'Complaint case decided' },
    action: false,
    text: {
      'zh-Hant': (p) =>
        s(p, 'outcome') === 'returned'
          ? {
              subject: `客訴案件 ${s(p, 'caseNo')} 的處理意見被退回`,
              body: `專案 ${s(p, 'project')} 的客訴案件 ${s(p, 'caseNo')} 的處理意見未獲核准，已退回調查。請重新提出處理意見（期限 ${s(p, 'dueDate')}）。`,
            }
          : {
              subject: `客訴案件 ${s(p, 'caseNo')} 的處理意見已核定`,
              body: `專案 ${s(p, 'project')} 的客訴案件 ${s(p, 'caseNo')} 的處理意見已核定。請將處理結果回覆客戶並結案（期限 ${s(p, 'dueDate')}）。`,
            },
      en: (p) =>
        s(p, 'outcome') === 'returned'
          ? {
              subject: `The proposal for complaint case ${s(p, 'caseNo')} was returned`,
              body: `The proposal for complaint case ${s(p, 'caseNo')} of project ${s(p, 'project')} was not approved and the case is back under investigation. Propose again (due ${s(p, 'dueDate')}).`,
            }
          : {
              subject: `Complaint case ${s(p, 'caseNo')} decided`,
              body: `The proposal for complaint case ${s(p, 'caseNo')} of project ${s(p, 'project')} was approved. Give the result to the customer and close the case (due ${s(p, 'dueDate')}).`,
            },
    },
    link: (p) => `/cases/${s(p, 'caseId')}`,
    sample: { caseId: 17, caseNo: '2612-003', project: 'P0101', dueDate: '2026-12-18', outcome: 'approved' },
  },

  // ---- R-REWARD, R-PENALTY: incidents and the reward/penalty register ------------------------------
  {
    kind: 'incident.reported',
    title: { 'zh-Hant': '洩密事件通報', en: 'Incident reported' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `洩密事件 #${s(p, 'incidentId')} 已通報（${zh('incident', p, 'type')}）`,
        body: `已通報洩密事件 #${s(p, 'incidentId')}（${zh('incident', p, 'type')}${s(p, 'where') ? `，${s(p, 'where')}` : ''}），待品質管理部調查。`,
      }),
      en: (p) => ({
        subject: `Incident ${s(p, 'incidentId')} reported (${en('incident', p, 'type')})`,
        body: `Incident ${s(p, 'incidentId')} (${en('incident', p, 'type')}) was reported${s(p, 'where') ? ` in ${s(p, 'where')}` : ''} and awaits investigation by the quality department.`,
      }),
    },
    link: () => '/supervision/incidents',
    sample: { incidentId: 5, type: 'lost_written_list', where: 'project:P0101' },
  },
  {
    kind: 'sanction.proposed',
    title: { 'zh-Hant': '獎懲待核准', en: 'Reward or penalty to approve' },
    // The general manager approves or rejects it.
    action: true,
    text: {
      'zh-Hant': (p) => ({
        subject: `${zh('sanction', p, 'kind')} #${s(p, 'sanctionId')} 待總經理核准`,
        body: `品質管理部提出對 ${s(p, 'person')} 的${zh('sanction', p, 'kind')}（#${s(p, 'sanctionId')}，事由：${zh('ground', p, 'ground')}），請核准或駁回。`,
      }),
      en: (p) => ({
        subject: `The ${en('sanction', p, 'kind')} ${s(p, 'sanctionId')} awaits your approval`,
        body: `The quality department proposes a ${en('sanction', p, 'kind')} (${s(p, 'sanctionId')}, ground: ${en('ground', p, 'ground')}) for ${s(p, 'person')}. Approve or reject it.`,
      }),
    },
    link: () => '/supervision/sanctions',
    sample: { sanctionId: 9, kind: 'penalty', ground: 'lost_written_list', person: 'wang.li' },
  },
  {
    kind: 'sanction.approved',
    title: { 'zh-Hant': '獎懲已核准', en: 'Reward or penalty approved' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `您的${zh('sanction', p, 'kind')} #${s(p, 'sanctionId')} 已核准`,
        body: `總經理已核准對您的${zh('sanction', p, 'kind')}（#${s(p, 'sanctionId')}，事由：${zh('ground', p, 'ground')}）。獎罰通知單可在系統中查閱。`,
      }),
      en: (p) => ({
        subject: `The ${en('sanction', p, 'kind')} ${s(p, 'sanctionId')} concerning you was approved`,
        body: `The general manager approved the ${en('sanction', p, 'kind')} ${s(p, 'sanctionId')} concerning you (ground: ${en('ground', p, 'ground')}). The reward/penalty notice is in the register.`,
      }),
    },
    link: () => '/supervision/sanctions',
    sample: { sanctionId: 9, kind: 'reward', ground: 'report' },
  },
]);
