/**
 * The texts of "My rectifications" (R-RISK-MONTHLY, R-INSPECT; merged into messages.ts): the
 * owner's own list, for owners who may not read the assessment or inspection it came from.
 */
export const myRectificationsZh = {
  mrTitle: '我的整改',
  mrIntro: '指派給您的整改措施，來自月度風險評估或雙月檢查。請在完成期限前記錄進度與整改證據；完成後把狀態改為「已完成」。逾期的以紅色標示。',
  mrNumber: '編號',
  mrSource: '來源',
  mrFromAssessment: '月度風險評估 {period}',
  mrFromInspection: '雙月檢查 {period}',
  mrSourceGone: '（來源已不存在）',
  mrAction: '整改內容',
  mrFilter: '依狀態篩選',
  mrNotDone: '未完成',
  mrNone: '目前沒有指派給您的整改措施。',
  mrNoneFiltered: '沒有符合篩選條件的整改措施。',
  mrDoneAt: '完成於 {at}',
  mrEvidenceHelp: '做了什麼、證據放在哪裡，例如：已收回紙本 2 份，交保管人簽收。',
  mrSaved: '已記錄進度',
  mrDueLabel: '完成期限 {date}',
} as const;

export const myRectificationsEn: Record<keyof typeof myRectificationsZh, string> = {
  mrTitle: 'My rectifications',
  mrIntro: 'Rectifications assigned to you by a monthly risk assessment or a bimonthly inspection. Record progress and evidence before the due date; set the status to Done when finished. Overdue ones are shown in red.',
  mrNumber: 'No.',
  mrSource: 'Source',
  mrFromAssessment: 'Risk assessment {period}',
  mrFromInspection: 'Inspection {period}',
  mrSourceGone: '(source no longer exists)',
  mrAction: 'Action',
  mrFilter: 'Filter by status',
  mrNotDone: 'Not done',
  mrNone: 'No rectifications are assigned to you.',
  mrNoneFiltered: 'No rectifications match the filter.',
  mrDoneAt: 'Done on {at}',
  mrEvidenceHelp: 'What was done and where the evidence is, e.g. 2 paper copies collected, signed for by the keeper.',
  mrSaved: 'Progress recorded',
  mrDueLabel: 'Due {date}',
};
