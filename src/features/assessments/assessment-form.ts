import { Cell, Column, Report, reportToPdf, reportToXlsx } from '../../lib/documents';
import type { AssessmentView } from './assessment.views';
import { LEVEL_BANDS, levelOf, levelZh } from './risk-level';

export type FormFormat = 'pdf' | 'xlsx';

const STATUS_TEXT: Record<AssessmentView['status'], string> = {
  draft: '草稿 draft',
  submitted: '已提交 submitted',
  reviewed: '已審核 reviewed',
};
const RECT_STATUS_TEXT = { open: '未開始 open', in_progress: '進行中 in progress', done: '已完成 done' } as const;

const INDICATOR_COLUMNS: Column[] = [
  { key: 'labelZh', zh: '指標', en: 'Indicator', width: 2 },
  { key: 'labelEn', zh: '說明', en: 'Description', width: 2.5 },
  { key: 'value', zh: '數值', en: 'Value', width: 0.7 },
  { key: 'requirement', zh: '條款', en: 'Requirement', width: 1.1 },
];
const ITEM_COLUMNS: Column[] = [
  { key: 'n', zh: '序號', en: 'No.', width: 0.5 },
  { key: 'description', zh: '風險描述', en: 'Risk', width: 4 },
  { key: 'likelihood', zh: '可能性', en: 'Likelihood', width: 0.8 },
  { key: 'impact', zh: '影響', en: 'Impact', width: 0.8 },
  { key: 'score', zh: '分值', en: 'Score', width: 0.7 },
  { key: 'level', zh: '等級', en: 'Level', width: 1 },
];
const MATRIX_COLUMNS: Column[] = [
  { key: 'likelihood', zh: '可能性＼影響', en: 'Likelihood \\ impact', width: 1.4 },
  ...[1, 2, 3, 4, 5].map((i) => ({ key: `i${i}`, zh: `影響 ${i}`, en: `Impact ${i}` })),
];
const RECT_COLUMNS: Column[] = [
  { key: 'id', zh: '編號', en: 'No.', width: 0.5 },
  { key: 'description', zh: '整改措施', en: 'Action', width: 3 },
  { key: 'owner', zh: '責任人', en: 'Owner', width: 1.2 },
  { key: 'dueDate', zh: '完成期限', en: 'Due date', width: 1 },
  { key: 'status', zh: '狀態', en: 'Status', width: 1 },
  { key: 'evidence', zh: '整改證據', en: 'Evidence', width: 2.5 },
  { key: 'doneAt', zh: '完成時間', en: 'Done at', width: 1.2 },
];

/** "high 高" */
const levelText = (level: Parameters<typeof levelZh>[0]) => `${levelZh(level)} ${level}`;

/**
 * The Customer Information Confidentiality Risk Assessment Form (客戶信息保密風險評估表,
 * R-RISK-MONTHLY, §7) of one assessment: the header (department, month, status, who submitted
 * and reviewed it, when), then the indicators, the risk items with their level, the 5×5 matrix
 * (risk items per cell; the cell's level band in brackets) and the rectification actions.
 */
export function assessmentReport(v: AssessmentView, generatedBy: string, timezone: string): Report {
  const matrixRows: Array<Record<string, Cell>> = [5, 4, 3, 2, 1].map((l) => ({
    likelihood: `可能性 Likelihood ${l}`,
    ...Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`i${i}`, `${v.matrix[l - 1][i - 1]} (${levelOf(l, i).level})`])),
  }));
  return {
    titleZh: '客戶信息保密風險評估表',
    titleEn: 'Customer Information Confidentiality Risk Assessment Form',
    meta: [
      { zh: '部門', en: 'Department', value: `${v.department} ${v.departmentName}` },
      { zh: '評估期間', en: 'Period', value: v.period },
      { zh: '狀態', en: 'Status', value: STATUS_TEXT[v.status] },
      { zh: '提交人', en: 'Submitted by', value: v.submittedBy },
      { zh: '提交時間', en: 'Submitted at', value: v.submittedAt },
      { zh: '審核人', en: 'Reviewed by', value: v.reviewedBy },
      { zh: '審核時間', en: 'Reviewed at', value: v.reviewedAt },
      { zh: '審核意見', en: 'Review comment', value: v.reviewComment },
      { zh: '指標截至', en: 'Indicators as of', value: v.indicatorsAsOf },
    ],
    sections: [
      {
        headingZh: '一、監測指標',
        headingEn: 'Indicators',
        columns: INDICATOR_COLUMNS,
        rows: v.indicators.map((i) => ({ labelZh: i.labelZh, labelEn: i.labelEn, value: i.value, requirement: i.requirement })),
      },
      {
        headingZh: '二、風險項',
        headingEn: 'Risk items',
        columns: ITEM_COLUMNS,
        rows: v.items.map((i, n) => ({ n: n + 1, description: i.description, likelihood: i.likelihood, impact: i.impact, score: i.score, level: levelText(i.level) })),
        emptyText: '（本月未識別風險）No risks recorded',
      },
      {
        headingZh: '三、風險矩陣（5×5，各格風險項數）',
        headingEn: 'Risk matrix (5×5: risk items per cell)',
        columns: MATRIX_COLUMNS,
        rows: matrixRows,
      },
      {
        headingZh: '風險等級',
        headingEn: 'Risk levels (likelihood × impact)',
        paragraphs: LEVEL_BANDS.map((b) => `${b.min}–${b.max}: ${b.zh} ${b.level}`),
      },
      {
        headingZh: '四、整改措施',
        headingEn: 'Rectifications',
        columns: RECT_COLUMNS,
        rows: v.rectifications.map((r) => ({
          id: r.id,
          description: r.description,
          owner: r.ownerUsername ?? String(r.ownerUserId),
          dueDate: r.dueDate,
          status: RECT_STATUS_TEXT[r.status] + (r.overdue ? ' (逾期 overdue)' : ''),
          evidence: r.evidenceNotes,
          doneAt: r.doneAt,
        })),
        emptyText: '（無整改措施）No rectifications',
      },
    ],
    generatedAt: new Date(),
    generatedBy,
    timezone,
  };
}

/** The form as PDF (a draft carries a 草稿 DRAFT watermark: it is not the department's filed assessment yet) or XLSX. */
export async function renderAssessmentForm(report: Report, format: FormFormat, draft: boolean): Promise<{ body: Buffer; contentType: string }> {
  if (format === 'xlsx') return { body: await reportToXlsx(report), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
  return { body: await reportToPdf(report, draft ? { stamp: '草稿 DRAFT' } : {}), contentType: 'application/pdf' };
}
