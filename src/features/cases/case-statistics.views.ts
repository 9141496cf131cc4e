import type { CaseStatsCaseRow, CaseStatsDepartmentRow } from '../../entities/CaseStatistics';

export interface CaseStatisticsView {
  period: string;
  periodStart: Date;
  periodEnd: Date;
  /** When the table was computed (not when its run was scheduled). */
  computedAt: Date;
  /** false: the month under way, computed on request to `computedAt` and stored nowhere. */
  final: boolean;
  caseCount: number;
  onTime: number;
  late: number;
  averageDays: number | null;
  byType: Record<string, number>;
  byCause: Record<string, number>;
  byDepartment: CaseStatsDepartmentRow[];
  cases: CaseStatsCaseRow[];
}

export type CaseStatsFormat = 'xlsx' | 'pdf';
