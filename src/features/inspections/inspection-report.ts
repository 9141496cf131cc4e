import { Column, formatDate, formatDateTime, Report, Section } from '../../lib/documents';
import type { InspectionSummaryView, InspectionView } from './inspection.views';

/**
 * R-INSPECT (§5.3.2): the inspection report of one project and the company summary of a period,
 * in the one report shape that renders to PDF and XLSX (src/lib/documents).
 */

export const RESULT_LABEL: Record<string, string> = {
  pending: '未檢查 pending',
  pass: '合格 pass',
  fail: '不合格 fail',
  na: '不適用 n/a',
};
export const SEVERITY_LABEL: Record<string, string> = { minor: '一般 minor', major_hazard: '重大隱患 major hazard' };
export const STATUS_LABEL: Record<string, string> = { in_progress: '檢查中 in progress', completed: '已完成 completed', not_created: '未建立 not created' };

const ITEM_COLUMNS: Column[] = [
  { key: 'position', zh: '序號', en: 'No.', width: 0.4 },
  { key: 'requirement', zh: '要求', en: 'Requirement', width: 1.1 },
  { key: 'check', zh: '檢查內容', en: 'What was checked', width: 3 },
  { key: 'figures', zh: '系統數據', en: 'Figures', width: 1.6 },
  { key: 'result', zh: '結果', en: 'Result', width: 0.8 },
  { key: 'notes', zh: '說明', en: 'Notes', width: 1.6 },
  { key: 'evidence', zh: '證據', en: 'Evidence', width: 1.4 },
];

const FINDING_COLUMNS: Column[] = [
  { key: 'id', zh: '編號', en: 'Finding', width: 0.5 },
  { key: 'requirement', zh: '要求', en: 'Requirement', width: 1 },
  { key: 'severity', zh: '等級', en: 'Severity', width: 1 },
  { key: 'description', zh: '描述', en: 'Description', width: 3 },
  { key: 'rectifications', zh: '整改', en: 'Rectifications', width: 1 },
];

const RECTIFICATION_COLUMNS: Column[] = [
  { key: 'id', zh: '編號', en: 'Rectification', width: 0.6 },
  { key: 'findingId', zh: '問題', en: 'Finding', width: 0.5 },
  { key: 'description', zh: '整改內容', en: 'Description', width: 3 },
  { key: 'owner', zh: '負責人', en: 'Owner', width: 1 },
  { key: 'dueDate', zh: '期限', en: 'Due', width: 0.8 },
  { key: 'status', zh: '狀態', en: 'Status', width: 0.8 },
];

const SUMMARY_COLUMNS: Column[] = [
  { key: 'project', zh: '項目', en: 'Project', width: 1 },
  { key: 'projectName', zh: '項目名稱', en: 'Name', width: 1.6 },
  { key: 'department', zh: '部門', en: 'Department', width: 0.8 },
  { key: 'inspection', zh: '檢查編號', en: 'Inspection', width: 0.6 },
  { key: 'status', zh: '狀態', en: 'Status', width: 1 },
  { key: 'pass', zh: '合格', en: 'Pass', width: 0.5 },
  { key: 'fail', zh: '不合格', en: 'Fail', width: 0.5 },
  { key: 'na', zh: '不適用', en: 'N/A', width: 0.5 },
  { key: 'pending', zh: '未檢查', en: 'Pending', width: 0.5 },
  { key: 'minor', zh: '一般問題', en: 'Minor', width: 0.5 },
  { key: 'majorHazard', zh: '重大隱患', en: 'Major hazards', width: 0.6 },
  { key: 'notices', zh: '通報批評', en: 'Notices', width: 0.6 },
  { key: 'completedAt', zh: '完成時間', en: 'Completed', width: 1 },
];

const figuresText = (v: InspectionView['items'][number]) => v.figures.map((f) => `${f.labelZh} / ${f.labelEn}: ${f.value}`).join('\n');

export function inspectionReport(v: InspectionView, users: Map<number, string>, by: string, timezone: string): Report {
  const name = (id: number | null | undefined) => (id == null ? null : (users.get(id) ?? `#${id}`));
  const sections: Section[] = [
    {
      headingZh: '檢查清單',
      headingEn: 'Checklist',
      columns: ITEM_COLUMNS,
      rows: v.items.map((it) => ({
        position: it.position,
        requirement: `${it.requirementId} ${it.clause}`,
        check: `${it.checkZh}\n${it.checkEn}`,
        figures: figuresText(it),
        result: RESULT_LABEL[it.result] ?? it.result,
        notes: it.notes,
        evidence: it.evidence,
      })),
    },
    {
      headingZh: '發現的問題',
      headingEn: 'Findings',
      columns: FINDING_COLUMNS,
      rows: v.findings.map((f) => ({
        id: f.id,
        requirement: f.requirementId,
        severity: SEVERITY_LABEL[f.severity] ?? f.severity,
        description: f.description,
        rectifications: f.rectificationIds.join(', '),
      })),
      emptyText: '（沒有發現問題）No findings',
    },
    {
      headingZh: '整改',
      headingEn: 'Rectifications',
      columns: RECTIFICATION_COLUMNS,
      rows: v.rectifications.map((r) => ({
        id: r.id,
        findingId: r.findingId,
        description: typeof r.description === 'string' ? r.description : null,
        owner: typeof r.ownerUserId === 'number' ? name(r.ownerUserId) : null,
        dueDate: typeof r.dueDate === 'string' ? r.dueDate : null,
        status: typeof r.status === 'string' ? r.status : null,
      })),
      emptyText: '（沒有整改）No rectifications',
    },
  ];
  if (v.notices.length) {
    sections.push({
      headingZh: '通報批評',
      headingEn: 'Public criticism',
      paragraphs: v.notices.flatMap((n) => [`#${n.id} ${n.title}`, n.body]),
    });
  }
  if (v.conclusion) sections.push({ headingZh: '結論', headingEn: 'Conclusion', paragraphs: [v.conclusion] });
  return {
    titleZh: '客戶信息保密檢查報告',
    titleEn: 'Customer Information Confidentiality Inspection Report',
    meta: [
      { zh: '項目', en: 'Project', value: `${v.project} ${v.projectName}` },
      { zh: '部門', en: 'Department', value: v.department ?? '—' },
      { zh: '檢查期', en: 'Period', value: v.period },
      { zh: '數據期間', en: 'Figures over', value: `${formatDate(v.figuresFrom, timezone)} – ${formatDate(new Date(v.figuresTo.getTime() - 1), timezone)}` },
      { zh: '狀態', en: 'Status', value: STATUS_LABEL[v.status] ?? v.status },
      { zh: '合格/不合格/不適用/未檢查', en: 'Pass/fail/n.a./pending', value: `${v.counts.pass}/${v.counts.fail}/${v.counts.na}/${v.counts.pending}` },
      { zh: '重大隱患', en: 'Major hazards', value: v.findings.filter((f) => f.severity === 'major_hazard').length },
      { zh: '完成', en: 'Completed', value: v.completedAt ? `${formatDateTime(v.completedAt, timezone)} ${name(v.completedById) ?? ''}` : '—' },
    ],
    sections,
    generatedAt: new Date(),
    generatedBy: by,
    timezone,
  };
}

export interface SummaryLine {
  project: string;
  projectName: string;
  department: string | null;
  inspection: InspectionSummaryView | null;
  notices: number;
}

/** One row per project of the company for the period, inspected or not. */
export function summaryRows(lines: SummaryLine[]) {
  return lines.map((l) => ({
    project: l.project,
    projectName: l.projectName,
    department: l.department,
    inspection: l.inspection?.id ?? null,
    status: l.inspection?.status ?? 'not_created',
    pass: l.inspection?.counts.pass ?? 0,
    fail: l.inspection?.counts.fail ?? 0,
    na: l.inspection?.counts.na ?? 0,
    pending: l.inspection?.counts.pending ?? 0,
    minor: l.inspection?.findingCounts.minor ?? 0,
    majorHazard: l.inspection?.findingCounts.majorHazard ?? 0,
    notices: l.notices,
    completedAt: l.inspection?.completedAt ?? null,
  }));
}

export function summaryReport(period: string, rows: ReturnType<typeof summaryRows>, by: string, timezone: string): Report {
  const count = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).length;
  return {
    titleZh: '客戶信息保密檢查匯總',
    titleEn: 'Confidentiality Inspections: Company Summary',
    meta: [
      { zh: '檢查期', en: 'Period', value: period },
      { zh: '項目數', en: 'Projects', value: rows.length },
      { zh: '已完成', en: 'Completed', value: count((r) => r.status === 'completed') },
      { zh: '檢查中', en: 'In progress', value: count((r) => r.status === 'in_progress') },
      { zh: '未建立', en: 'Not created', value: count((r) => r.status === 'not_created') },
      { zh: '重大隱患項目', en: 'Projects with a major hazard', value: count((r) => r.majorHazard > 0) },
    ],
    sections: [
      {
        columns: SUMMARY_COLUMNS,
        rows: rows.map((r) => ({ ...r, status: STATUS_LABEL[r.status] ?? r.status })),
        emptyText: '（沒有項目）No projects',
      },
    ],
    generatedAt: new Date(),
    generatedBy: by,
    timezone,
  };
}
