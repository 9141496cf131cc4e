import { AuditActor, AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import { isUniqueViolation } from '../../api/middleware/error-handler';
import type { Acting } from '../../api/route';
import { Database } from '../../db/database';
import { Department } from '../../entities/Department';
import { RiskAssessment } from '../../entities/RiskAssessment';
import { ConflictError, ValidationError } from '../../errors';
import type { JobPeriod } from '../../jobs/period';
import { periodFromKey, toDatePeriod } from '../../jobs/period';
import { deptScope } from '../../policy/scope';
import type { IndicatorService } from '../indicators/indicator.service';
import type { NotificationOutbox } from '../notifications/notification.service';
import { riskAssessmentJob } from './assessment.job';
import { AssessmentView, AssessmentViews, indicatorValues, requireStatus } from './assessment.views';

/**
 * R-RISK-MONTHLY: the monthly assessments and their indicator snapshots: one draft per department
 * and month (by the job, or by the quality department by hand), the whole month's indicators
 * when the month's run comes, and a draft's refresh.
 */
export class AssessmentPeriods {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly indicators: IndicatorService,
    private readonly outbox: NotificationOutbox,
    private readonly views: AssessmentViews,
    private readonly timezone: string,
  ) {}

  /** The instants a period key covers, in config.timezone. */
  periodBounds(key: string): JobPeriod {
    const p = periodFromKey(riskAssessmentJob, key, this.timezone);
    if (!p) throw new Error(`not a month: ${key}`);
    return p;
  }

  /**
   * The assessment of a department for a period: created (with its indicator snapshot as of the
   * period's due time, or as of now for a period run to date) unless it exists. Returns it and
   * whether this call created it; a concurrent creation (another instance) loses on the unique
   * index and returns the winner's. `actor`: the job (system) or the quality department by hand.
   */
  async ensureFor(departmentId: number, period: JobPeriod, actor: AuditActor = SYSTEM_ACTOR): Promise<{ assessment: RiskAssessment; created: boolean }> {
    const repo = this.db.manager.getRepository(RiskAssessment);
    const existing = await repo.findOneBy({ departmentId, period: period.key });
    if (existing) return { assessment: existing, created: false };
    const scope = await this.indicators.departmentScope(departmentId);
    const indicators = await this.indicators.compute(scope, period.start, period.end, period.dueAt);
    try {
      const a = await this.db.tx(async (m) => {
        const d = await this.views.department(m, departmentId);
        const now = new Date();
        const a = m.getRepository(RiskAssessment).create({
          departmentId,
          period: period.key,
          status: 'draft',
          indicators,
          indicatorsAsOf: period.dueAt,
          submittedById: null,
          submittedAt: null,
          reviewedById: null,
          reviewedAt: null,
          reviewComment: null,
          returnedById: null,
          returnedAt: null,
          returnReason: null,
          createdAt: now,
          updatedAt: now,
        });
        await m.getRepository(RiskAssessment).insert(a);
        await this.audit.append(m, actor, {
          action: 'risk_assessment.created',
          objectType: 'risk_assessment',
          objectId: a.id,
          scope: deptScope(d.code),
          after: { department: d.code, period: period.key, status: 'draft', indicators: indicatorValues(indicators) },
        });
        // R-RISK-MONTHLY: the department head fills it in (and the department's group robots hear of it).
        await this.outbox.enqueueToRole(m, 'dept_head', deptScope(d.code), {
          kind: 'risk_assessment.due',
          params: { assessmentId: a.id, department: d.code, period: period.key },
          objectType: 'risk_assessment',
          objectId: a.id,
          dedupeKey: `risk_assessment.created:${a.id}`,
          scope: deptScope(d.code),
        });
        return a;
      });
      return { assessment: a, created: true };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return { assessment: await repo.findOneByOrFail({ departmentId, period: period.key }), created: false };
    }
  }

  /**
   * R-RISK-MONTHLY: one assessment per department for the period: every department that exists
   * when the job runs, including one created during or after the month (skipping those left a
   * department, or a whole new installation, without any assessment for weeks). Idempotent: a
   * rerun (or a catch-up after downtime) creates only what is missing. The month's run proper
   * (not a run to date) gives a draft opened before the month ended the whole month's indicators.
   */
  async createForPeriod(period: JobPeriod): Promise<{ period: string; toDate: boolean; created: number; existing: number; completed: number }> {
    const depts = await this.db.manager.getRepository(Department).find({ order: { id: 'ASC' } });
    let created = 0;
    let existing = 0;
    let completed = 0;
    for (const d of depts) {
      const made = await this.ensureFor(d.id, period);
      if (made.created) created++;
      else existing++;
      if (!made.created && !period.toDate && (await this.completeIndicators(made.assessment, period))) completed++;
    }
    return { period: period.key, toDate: period.toDate === true, created, existing, completed };
  }

  /**
   * A draft whose indicators were taken before its month ended (opened by hand or by a run to
   * date) gets the whole month's, as of the month's due time, when the month's own run comes:
   * the early opening must not leave the assessment with part of the month. A draft refreshed
   * since the month ended, and anything submitted, keep theirs. Audited as a refresh by the system.
   */
  private async completeIndicators(current: RiskAssessment, period: JobPeriod): Promise<boolean> {
    const partial = (a: RiskAssessment) => a.status === 'draft' && a.indicatorsAsOf.getTime() < period.end.getTime();
    if (!partial(current)) return false;
    const indicators = await this.indicators.compute(await this.indicators.departmentScope(current.departmentId), period.start, period.end, period.dueAt);
    return this.db.tx(async (m) => {
      const { a, scope } = await this.views.lock(m, current.id);
      if (!partial(a)) return false;
      await m.getRepository(RiskAssessment).update({ id: a.id }, { indicators, indicatorsAsOf: period.dueAt, updatedAt: new Date() });
      await this.audit.append(m, SYSTEM_ACTOR, {
        action: 'risk_assessment.refreshed',
        objectType: 'risk_assessment',
        objectId: a.id,
        scope,
        reason: `the month ${period.key} is over: the indicators of the whole month`,
        before: { indicatorsAsOf: a.indicatorsAsOf, indicators: indicatorValues(a.indicators) },
        after: { indicatorsAsOf: period.dueAt, indicators: indicatorValues(indicators) },
      });
      return true;
    });
  }

  /**
   * R-RISK-MONTHLY: the quality department opens a department's assessment by hand for the month
   * under way (indicators to date; the month's run completes them) or a past month (as the job
   * would have): a department created during the month, a new installation. A future month is
   * 400; an assessment that exists is 409 and nothing changes. The department head is told, and
   * the creation is audited under the opener's name in the same transaction.
   */
  async open(actor: Acting, input: { department: string; period: string }, now = new Date()): Promise<AssessmentView> {
    const d = await this.db.manager.getRepository(Department).findOneBy({ code: input.department });
    if (!d) throw new ValidationError('Unknown department', [{ path: 'body.department', message: `department ${input.department} does not exist` }]);
    const month = periodFromKey(riskAssessmentJob, input.period, this.timezone);
    if (!month) throw new ValidationError('Invalid period', [{ path: 'body.period', message: 'a month written YYYY-MM' }]);
    if (month.start.getTime() > now.getTime()) {
      throw new ValidationError('The month has not begun', [{ path: 'body.period', message: `${month.key} is a future month: its assessment opens on its first day` }]);
    }
    const period = toDatePeriod(riskAssessmentJob, month, now) ?? month;
    const { assessment, created } = await this.ensureFor(d.id, period, actor);
    if (!created) {
      throw new ConflictError('assessment_exists', `Department ${d.code} already has its ${month.key} risk assessment (${assessment.id})`, { id: assessment.id });
    }
    return this.views.view(assessment.id);
  }

  /** Recomputes the indicator snapshot of a draft (as of now, for the assessment's month). */
  async refresh(actor: Acting, id: number): Promise<AssessmentView> {
    const current = await this.views.load(id);
    requireStatus(current, 'draft', 'the indicators can be refreshed');
    const bounds = this.periodBounds(current.period);
    const asOf = new Date();
    const indicators = await this.indicators.compute(await this.indicators.departmentScope(current.departmentId), bounds.start, bounds.end, asOf);
    return this.db.tx(async (m) => {
      const { a, scope } = await this.views.lock(m, id);
      requireStatus(a, 'draft', 'the indicators can be refreshed');
      await m.getRepository(RiskAssessment).update({ id }, { indicators, indicatorsAsOf: asOf, updatedAt: asOf });
      await this.audit.append(m, actor, {
        action: 'risk_assessment.refreshed',
        objectType: 'risk_assessment',
        objectId: id,
        scope,
        before: { indicatorsAsOf: a.indicatorsAsOf, indicators: indicatorValues(a.indicators) },
        after: { indicatorsAsOf: asOf, indicators: indicatorValues(indicators) },
      });
      return this.views.view(id, m);
    });
  }
}
