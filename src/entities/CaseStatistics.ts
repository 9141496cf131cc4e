import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One department's line of the monthly statistics. */
export interface CaseStatsDepartmentRow {
  department: string | null;
  departmentName: string | null;
  cases: number;
  onTime: number;
  late: number;
  averageDays: number | null;
}

/** One closed case in the statistics: numbers and classes only, no customer and no free text. */
export interface CaseStatsCaseRow {
  caseNo: string;
  project: string;
  type: string;
  cause: string | null;
  department: string | null;
  proposal: string | null;
  acceptedAt: string;
  closedAt: string;
  days: number;
  late: boolean;
}

/**
 * The computed table (客訴案件統計表): aggregates only, so it stays small whatever the month's
 * volume; the list of the month's closed cases is read from the cases themselves (a closed case
 * never changes its closing, department or lateness).
 */
export interface CaseStatsTable {
  byType: Record<string, number>;
  byCause: Record<string, number>;
  byDepartment: CaseStatsDepartmentRow[];
  averageDays: number | null;
}

/**
 * The statistics table of the cases closed in one month (R-CASE-STATS, 第九條(九)), computed by
 * the monthly job before the 10th of the next month. One row per month (unique): a rerun finds
 * it and changes nothing.
 */
@Entity('case_statistics')
@Index('uq_case_statistics_period', ['period'], { unique: true })
export class CaseStatistics {
  @PrimaryGeneratedColumn()
  id: number;

  /** YYYY-MM, the month whose closed cases are counted (configured timezone). */
  @Column({ type: 'varchar', length: 7 })
  period: string;

  @Column({ type: 'datetime', precision: 3 })
  periodStart: Date;

  @Column({ type: 'datetime', precision: 3 })
  periodEnd: Date;

  @Column({ type: 'int' })
  caseCount: number;

  @Column({ type: 'int' })
  onTimeCount: number;

  @Column({ type: 'int' })
  lateCount: number;

  /** The computed table (a column not named "table": a reserved word in MySQL). */
  @Column({ type: 'simple-json' })
  content: CaseStatsTable;

  @Column({ type: 'datetime', precision: 3 })
  computedAt: Date;
}
