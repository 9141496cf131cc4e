import { formatDate, Report } from '../../lib/documents';
import { CaseStatisticsView } from './case-statistics.views';

const TYPE_LABEL: Record<string, string> = {
  quality_complaint: '質量異常客訴 quality complaint',
  non_quality_complaint: '非質量異常客訴 non-quality complaint',
  repair_request: '報修 repair request',
  other: '其他 other',
};
const CAUSE_LABEL: Record<string, string> = { quality: '質量 quality', non_quality: '非質量 non-quality', none: '未判定 not determined' };

/**
 * R-CASE-STATS: the 客訴案件統計表 as a document (XLSX or PDF): case numbers, classes and counts
 * only, no customer and no free text; dates in the configured timezone `tz`.
 */
export function caseStatsReport(s: CaseStatisticsView, by: string, tz: string): Report {
  const count = (label: Record<string, string>, counts: Record<string, number>) =>
    Object.entries(counts).map(([k, n]) => ({ key: label[k] ?? k, count: n }));
  return {
    titleZh: '客訴案件統計表',
    titleEn: 'Complaint Case Statistics',
    meta: [
      { zh: '月份', en: 'Month', value: s.period },
      { zh: '結案件數', en: 'Cases closed', value: s.caseCount },
      { zh: '如期結案', en: 'Closed on time', value: s.onTime },
      { zh: '逾期結案', en: 'Closed late', value: s.late },
      { zh: '平均處理天數', en: 'Average days', value: s.averageDays ?? '—' },
      { zh: '統計時間', en: 'Computed at', value: s.computedAt },
      { zh: '狀態', en: 'Status', value: s.final ? '定稿 final' : '本月截至統計時間 month to date' },
    ],
    sections: [
      {
        headingZh: '按類別',
        headingEn: 'By type',
        columns: [
          { key: 'key', zh: '類別', en: 'Type', width: 2 },
          { key: 'count', zh: '件數', en: 'Cases' },
        ],
        rows: count(TYPE_LABEL, s.byType),
      },
      {
        headingZh: '按原因',
        headingEn: 'By cause',
        columns: [
          { key: 'key', zh: '原因', en: 'Cause', width: 2 },
          { key: 'count', zh: '件數', en: 'Cases' },
        ],
        rows: count(CAUSE_LABEL, s.byCause),
      },
      {
        headingZh: '按職責部門',
        headingEn: 'By responsible department',
        columns: [
          { key: 'department', zh: '部門', en: 'Department', width: 2 },
          { key: 'cases', zh: '件數', en: 'Cases' },
          { key: 'onTime', zh: '如期', en: 'On time' },
          { key: 'late', zh: '逾期', en: 'Late' },
          { key: 'averageDays', zh: '平均天數', en: 'Average days' },
        ],
        rows: s.byDepartment.map((d) => ({
          department: d.department ? `${d.department}${d.departmentName ? ` ${d.departmentName}` : ''}` : '（未指定）none',
          cases: d.cases,
          onTime: d.onTime,
          late: d.late,
          averageDays: d.averageDays,
        })),
        emptyText: '（本月無結案案件）No case was closed this month',
      },
      {
        headingZh: '結案案件',
        headingEn: 'Cases closed',
        columns: [
          { key: 'caseNo', zh: '客訴編號', en: 'Case no.' },
          { key: 'project', zh: '項目', en: 'Project' },
          { key: 'type', zh: '類別', en: 'Type', width: 1.4 },
          { key: 'cause', zh: '原因', en: 'Cause' },
          { key: 'department', zh: '職責部門', en: 'Department' },
          { key: 'acceptedAt', zh: '受理日期', en: 'Accepted' },
          { key: 'closedAt', zh: '結案日期', en: 'Closed' },
          { key: 'days', zh: '天數', en: 'Days', width: 0.6 },
          { key: 'late', zh: '逾期', en: 'Late', width: 0.6 },
        ],
        rows: s.cases.map((c) => ({
          caseNo: c.caseNo,
          project: c.project,
          type: TYPE_LABEL[c.type] ?? c.type,
          cause: c.cause ? CAUSE_LABEL[c.cause] : null,
          department: c.department,
          acceptedAt: formatDate(new Date(c.acceptedAt), tz),
          closedAt: formatDate(new Date(c.closedAt), tz),
          days: c.days,
          late: c.late ? '逾期 late' : '如期 on time',
        })),
        emptyText: '（本月無結案案件）No case was closed this month',
      },
    ],
    generatedAt: new Date(),
    generatedBy: by,
    timezone: tz,
  };
}
