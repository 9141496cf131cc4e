import { And, In, LessThan, MoreThanOrEqual } from 'typeorm';
import { isUniqueViolation } from '../../api/middleware/error-handler';
import { AuditActor, AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import { Database } from '../../db/database';
import { CaseStatistics, CaseStatsCaseRow, CaseStatsDepartmentRow, CaseStatsTable } from '../../entities/CaseStatistics';
import { CASE_CAUSES, CASE_TYPES, ComplaintCase } from '../../entities/ComplaintCase';
import { Department } from '../../entities/Department';
import { Project } from '../../entities/Project';
import { AppError, ValidationError } from '../../errors';
import { JobPeriod, periodFromKey, periodUnderWay } from '../../jobs/period';
import { LatestDigest, Report, reportToPdf, reportToXlsx } from '../../lib/documents';
import { COMPANY } from '../../policy/scope';
import { caseStatsJob } from './case.job';
import { caseStatsReport } from './case-statistics-report';
import { CaseStatisticsView, CaseStatsFormat } from './case-statistics.views';
import { daysTaken } from './deadlines';

type Acting = AuditActor & { id: number };

const CONTENT_TYPE: Record<CaseStatsFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

const average = (xs: number[]): number | null => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null);

/**
 * R-CASE-STATS (第九條(九)): 總經理室生產管理組每月十日前匯總上月份結案的案件於「客訴案件統計表」 — by
 * the 10th of each month, the statistics table of the cases closed the previous month: counts
 * by type, by cause and by responsible department, on time against late, average days from
 * acceptance to closing. Computed by the monthly job (caseStatsJob, the 1st at 07:00), stored
 * once per month (a rerun finds the month and changes nothing), listed, and exported as XLSX or
 * PDF. The month under way is computed on request, to date, and never stored (the month's run
 * after it ends stores the whole month). The table holds case numbers, classes and counts only:
 * no customer, no free text.
 */
export class CaseStatisticsService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly config: Config,
    private readonly latestDigest: LatestDigest,
  ) {}

  private async view(s: CaseStatistics): Promise<CaseStatisticsView> {
    return {
      period: s.period,
      periodStart: s.periodStart,
      periodEnd: s.periodEnd,
      computedAt: s.computedAt,
      final: true,
      caseCount: s.caseCount,
      onTime: s.onTimeCount,
      late: s.lateCount,
      averageDays: s.content.averageDays,
      byType: s.content.byType,
      byCause: s.content.byCause,
      byDepartment: s.content.byDepartment,
      cases: (await this.compute(s.periodStart, s.periodEnd)).cases,
    };
  }

  /** The table of the cases closed in [start, end). */
  async compute(start: Date, end: Date): Promise<{ table: CaseStatsTable; cases: CaseStatsCaseRow[]; caseCount: number; onTime: number; late: number }> {
    const m = this.db.manager;
    const closed = await m.getRepository(ComplaintCase).find({
      where: { status: 'closed', closedAt: And(MoreThanOrEqual(start), LessThan(end)) },
      order: { closedAt: 'ASC', id: 'ASC' },
    });
    const ids = (xs: Array<number | null>) => [...new Set(xs.filter((x): x is number => x !== null))];
    const deptIds = ids(closed.map((c) => c.departmentId));
    const projectIds = ids(closed.map((c) => c.projectId));
    const [depts, projects] = await Promise.all([
      deptIds.length ? m.getRepository(Department).findBy({ id: In(deptIds) }) : [],
      projectIds.length ? m.getRepository(Project).findBy({ id: In(projectIds) }) : [],
    ]);
    const dept = new Map(depts.map((d) => [d.id, d]));
    const projectCode = new Map(projects.map((p) => [p.id, p.code]));

    const byType: Record<string, number> = Object.fromEntries(CASE_TYPES.map((t) => [t, 0]));
    const byCause: Record<string, number> = Object.fromEntries([...CASE_CAUSES, 'none'].map((t) => [t, 0]));
    const perDept = new Map<number | null, { days: number[]; onTime: number; late: number }>();
    const cases: CaseStatsCaseRow[] = [];
    for (const c of closed) {
      const days = daysTaken(c.acceptedAt, c.closedAt!);
      const late = c.late ?? c.closedAt!.getTime() >= c.dueAt.getTime();
      byType[c.type] = (byType[c.type] ?? 0) + 1;
      byCause[c.cause ?? 'none'] = (byCause[c.cause ?? 'none'] ?? 0) + 1;
      const d = perDept.get(c.departmentId) ?? { days: [], onTime: 0, late: 0 };
      d.days.push(days);
      if (late) d.late++;
      else d.onTime++;
      perDept.set(c.departmentId, d);
      cases.push({
        caseNo: c.caseNo,
        project: projectCode.get(c.projectId) ?? String(c.projectId),
        type: c.type,
        cause: c.cause,
        department: c.departmentId === null ? null : (dept.get(c.departmentId)?.code ?? null),
        proposal: c.proposal,
        acceptedAt: c.acceptedAt.toISOString(),
        closedAt: c.closedAt!.toISOString(),
        days,
        late,
      });
    }
    const byDepartment: CaseStatsDepartmentRow[] = [...perDept.entries()]
      .map(([id, d]) => ({
        department: id === null ? null : (dept.get(id)?.code ?? null),
        departmentName: id === null ? null : (dept.get(id)?.name ?? null),
        cases: d.days.length,
        onTime: d.onTime,
        late: d.late,
        averageDays: average(d.days),
      }))
      .sort((a, b) => (a.department ?? '\uffff').localeCompare(b.department ?? '\uffff'));
    const late = cases.filter((c) => c.late).length;
    return {
      table: { byType, byCause, byDepartment, averageDays: average(cases.map((c) => c.days)) },
      cases,
      caseCount: cases.length,
      onTime: cases.length - late,
      late,
    };
  }

  /**
   * The job's work for one month: computes and stores the table unless the month is already
   * stored (then nothing changes: the first table stands). Two runs at once: the unique index on
   * the period keeps one, the other answers created: false. A run to date (the month under way)
   * stores nothing: it answers the counts so far. `computedAt` is `now`, the time the table is
   * computed, not the run's due time (a catch-up days later says so).
   */
  async computeForPeriod(period: JobPeriod, now = new Date()): Promise<{ period: string; created: boolean; caseCount: number; toDate?: true; onTime?: number; late?: number }> {
    if (period.toDate) {
      const so = await this.compute(period.start, period.end);
      return { period: period.key, toDate: true, created: false, caseCount: so.caseCount, onTime: so.onTime, late: so.late };
    }
    const repo = this.db.manager.getRepository(CaseStatistics);
    const existing = await repo.findOneBy({ period: period.key });
    if (existing) return { period: period.key, created: false, caseCount: existing.caseCount };
    const { table, caseCount, onTime, late } = await this.compute(period.start, period.end);
    try {
      await this.db.tx(async (m) => {
        await m.getRepository(CaseStatistics).insert({
          period: period.key,
          periodStart: period.start,
          periodEnd: period.end,
          caseCount,
          onTimeCount: onTime,
          lateCount: late,
          content: table,
          computedAt: now,
        });
        await this.audit.append(m, SYSTEM_ACTOR, {
          action: 'case_stats.computed',
          objectType: 'case_stats',
          objectId: period.key,
          scope: COMPANY,
          after: { period: period.key, caseCount, onTime, late, averageDays: table.averageDays },
        });
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return { period: period.key, created: false, caseCount };
    }
    return { period: period.key, created: true, caseCount };
  }

  async list(f: { limit: number; offset: number }): Promise<{ items: Array<Omit<CaseStatisticsView, 'cases' | 'byDepartment' | 'byType' | 'byCause'>>; total: number }> {
    const [rows, total] = await this.db.manager.getRepository(CaseStatistics).findAndCount({ order: { period: 'DESC' }, take: f.limit, skip: f.offset });
    return {
      items: rows.map((s) => ({
        period: s.period,
        periodStart: s.periodStart,
        periodEnd: s.periodEnd,
        computedAt: s.computedAt,
        final: true,
        caseCount: s.caseCount,
        onTime: s.onTimeCount,
        late: s.lateCount,
        averageDays: s.content.averageDays,
      })),
      total,
    };
  }

  /**
   * One month's table: the stored one; for the month under way (`current`, or its key) the table
   * so far, computed now and not stored (final: false). A future month is 400.
   */
  async get(period: string, now = new Date()): Promise<CaseStatisticsView> {
    const tz = this.config.timezone;
    const underWay = periodUnderWay(caseStatsJob, now, tz);
    if (period === 'current' || period === underWay?.key) {
      if (!underWay) throw new AppError(404, 'not_found', 'No month is under way without its table');
      return this.toDate(underWay, now);
    }
    const month = periodFromKey(caseStatsJob, period, tz);
    if (month && month.start.getTime() > now.getTime()) {
      throw new ValidationError('A future month', [{ path: 'params.period', message: `${period} has not begun: a month under way or past` }]);
    }
    const s = await this.db.manager.getRepository(CaseStatistics).findOneBy({ period });
    if (!s) {
      throw new AppError(404, 'not_found', `The case statistics of ${period} have not been computed (the case-statistics job computes the previous month on the 1st)`);
    }
    return await this.view(s);
  }

  /** The month under way so far (R-CASE-STATS month-to-date view): computed now, stored nowhere. */
  private async toDate(p: JobPeriod, now: Date): Promise<CaseStatisticsView> {
    const { table, cases, caseCount, onTime, late } = await this.compute(p.start, p.end);
    return {
      period: p.key,
      periodStart: p.start,
      periodEnd: p.end,
      computedAt: now,
      final: false,
      caseCount,
      onTime,
      late,
      averageDays: table.averageDays,
      byType: table.byType,
      byCause: table.byCause,
      byDepartment: table.byDepartment,
      cases,
    };
  }

  /** The table as a document (case-statistics-report.ts). */
  report(s: CaseStatisticsView, by: string): Report {
    return caseStatsReport(s, by, this.config.timezone);
  }

  /** The table as a file (XLSX or PDF; the month under way to date); producing it is audited. */
  async export(actor: Acting, month: string, format: CaseStatsFormat): Promise<{ body: Buffer; contentType: string; filename: string }> {
    const s = await this.get(month);
    const period = s.period;
    // R-AUDIT: the printed statistics carry the latest signed audit digest.
    const report = { ...this.report(s, actor.username ?? String(actor.id)), auditDigest: await this.latestDigest() };
    const body = format === 'xlsx' ? await reportToXlsx(report) : await reportToPdf(report, { landscape: true });
    await this.db.tx((m) =>
      this.audit.append(m, actor, {
        action: 'case_stats.exported',
        objectType: 'case_stats',
        objectId: period,
        scope: COMPANY,
        decision: 'allow',
        after: { period, format, final: s.final, caseCount: s.caseCount },
      }),
    );
    return { body, contentType: CONTENT_TYPE[format], filename: `case-statistics_${period}${s.final ? '' : '_to-date'}.${format}` };
  }
}

