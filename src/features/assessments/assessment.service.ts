import { EntityManager, In } from 'typeorm';
import { isUniqueViolation } from '../../api/middleware/error-handler';
import { AuditActor, AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import type { Acting } from '../../api/route';
import { Database, forUpdate } from '../../db/database';
import { Department } from '../../entities/Department';
import { Project } from '../../entities/Project';
import { AssessmentStatus, IndicatorSnapshot, RiskAssessment } from '../../entities/RiskAssessment';
import { RiskItem, RiskLevel } from '../../entities/RiskItem';
import { User } from '../../entities/User';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors';
import type { JobPeriod } from '../../jobs/period';
import { periodFromKey, toDatePeriod } from '../../jobs/period';
import type { Authorizer } from '../../policy/authorizer';
import { COMPANY, deptScope } from '../../policy/scope';
import type { IndicatorService } from '../indicators/indicators';
import type { NotificationOutbox } from '../notifications/outbox';
import type { RectificationService, RectificationView } from '../rectifications/rectification.service';
import { assessmentReport, FormFormat, renderAssessmentForm } from './assessment-form';
import { levelOf, riskMatrix } from './risk-level';
import { riskAssessmentJob } from './risk-assessment.job';


export interface RiskItemView {
  id: number;
  description: string;
  likelihood: number;
  impact: number;
  score: number;
  level: RiskLevel;
  createdById: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface AssessmentSummary {
  id: number;
  department: string;
  departmentName: string;
  period: string;
  status: AssessmentStatus;
  itemCount: number;
  submittedAt: Date | null;
  reviewedAt: Date | null;
  createdAt: Date;
}

export interface AssessmentView {
  id: number;
  department: string;
  departmentName: string;
  period: string;
  status: AssessmentStatus;
  /** The computed indicators at creation (or the last refresh), as of `indicatorsAsOf`. */
  indicators: IndicatorSnapshot[];
  indicatorsAsOf: Date;
  items: RiskItemView[];
  /** Counts of risk items per cell: matrix[likelihood - 1][impact - 1]. */
  matrix: number[][];
  levelCounts: Record<RiskLevel, number>;
  rectifications: RectificationView[];
  submittedById: number | null;
  submittedBy: string | null;
  submittedAt: Date | null;
  reviewedById: number | null;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  reviewComment: string | null;
  returnedById: number | null;
  returnedBy: string | null;
  returnedAt: Date | null;
  returnReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RiskItemInput {
  description: string;
  likelihood: number;
  impact: number;
}

export interface AssessmentFilter {
  department?: string;
  period?: string;
  status?: AssessmentStatus;
  limit: number;
  offset: number;
}

const READ = { object: 'risk_assessment', action: 'read' };

const itemView = (i: RiskItem): RiskItemView => ({
  id: i.id,
  description: i.description,
  likelihood: i.likelihood,
  impact: i.impact,
  score: i.score,
  level: i.level,
  createdById: i.createdById,
  createdAt: i.createdAt,
  updatedAt: i.updatedAt,
});

const itemSnapshot = (i: RiskItem) => ({ assessmentId: i.assessmentId, description: i.description, likelihood: i.likelihood, impact: i.impact, score: i.score, level: i.level });
const indicatorValues = (list: IndicatorSnapshot[]) => Object.fromEntries(list.map((i) => [i.key, i.value]));

/**
 * R-RISK-MONTHLY (§5.3.1, §7): every department assesses its customer-information
 * confidentiality risk each month on the Risk Assessment Form (客戶信息保密風險評估表) and
 * rectifies what it finds.
 *
 * - On the 1st (riskAssessmentJob) one draft per department is created for the previous month,
 *   pre-filled with the indicators of the department's projects (a snapshot; `refresh` recomputes
 *   it while the draft is open). The unique (department, period) index makes reruns create
 *   nothing twice. The quality department also opens one by hand (`open`) for the month under
 *   way or a past one: a department created during the month, a new installation.
 * - The department head (risk_assessment:edit in dept:<code>) adds risk items (likelihood ×
 *   impact → level) and rectification actions (owner, due date), then submits: draft →
 *   submitted. Anything but a draft refuses edits with 409.
 * - The quality department (risk_assessment:review) reviews (submitted → reviewed, with a
 *   comment) or returns it (submitted → draft, with a reason). Nobody reviews an assessment
 *   they submitted themselves.
 * Every change writes its audit event in the same transaction (R-AUDIT).
 */
export class AssessmentService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly authz: Authorizer,
    private readonly indicators: IndicatorService,
    private readonly rectifications: RectificationService,
    private readonly outbox: NotificationOutbox,
    private readonly timezone: string,
  ) {}

  // ---- loading and scope ---------------------------------------------------------------------

  async load(id: number, m: EntityManager = this.db.manager): Promise<RiskAssessment> {
    const a = await m.getRepository(RiskAssessment).findOneBy({ id });
    if (!a) throw new NotFoundError('Risk assessment', id);
    return a;
  }

  private async department(m: EntityManager, id: number): Promise<Department> {
    const d = await m.getRepository(Department).findOneBy({ id });
    if (!d) throw new NotFoundError('Department of risk assessment', id);
    return d;
  }

  /** dept:<code> of an assessment; 404 if it does not exist. */
  async scopeOf(a: RiskAssessment): Promise<string> {
    return deptScope((await this.department(this.db.manager, a.departmentId)).code);
  }

  /** The instants a period key covers, in config.timezone. */
  periodBounds(key: string): JobPeriod {
    const p = periodFromKey(riskAssessmentJob, key, this.timezone);
    if (!p) throw new Error(`not a month: ${key}`);
    return p;
  }

  private async lock(m: EntityManager, id: number): Promise<{ a: RiskAssessment; scope: string }> {
    const a = await m.getRepository(RiskAssessment).findOne({ where: { id }, ...forUpdate(this.db.mysql) });
    if (!a) throw new NotFoundError('Risk assessment', id);
    return { a, scope: deptScope((await this.department(m, a.departmentId)).code) };
  }

  private requireStatus(a: RiskAssessment, status: AssessmentStatus, what: string): void {
    if (a.status === status) return;
    if (status === 'draft') {
      throw new ConflictError('assessment_not_draft', `Risk assessment ${a.id} is ${a.status}: ${what} only while it is a draft`);
    }
    throw new ConflictError('assessment_not_submitted', `Risk assessment ${a.id} is ${a.status}: ${what} only once it is submitted`);
  }

  // ---- views ---------------------------------------------------------------------------------

  async view(id: number, m: EntityManager = this.db.manager): Promise<AssessmentView> {
    const a = await this.load(id, m);
    const [d, items, rectifications] = await Promise.all([
      this.department(m, a.departmentId),
      m.getRepository(RiskItem).find({ where: { assessmentId: id }, order: { id: 'ASC' } }),
      this.rectifications.listFor('risk_assessment', id, m),
    ]);
    const userIds = [a.submittedById, a.reviewedById, a.returnedById].filter((x): x is number => x !== null);
    const users = userIds.length ? await m.getRepository(User).findBy({ id: In(userIds) }) : [];
    const name = (uid: number | null) => (uid === null ? null : (users.find((u) => u.id === uid)?.username ?? null));
    const levelCounts: Record<RiskLevel, number> = { low: 0, medium: 0, high: 0, critical: 0 };
    for (const i of items) levelCounts[i.level]++;
    return {
      id: a.id,
      department: d.code,
      departmentName: d.name,
      period: a.period,
      status: a.status,
      indicators: a.indicators,
      indicatorsAsOf: a.indicatorsAsOf,
      items: items.map(itemView),
      matrix: riskMatrix(items),
      levelCounts,
      rectifications,
      submittedById: a.submittedById,
      submittedBy: name(a.submittedById),
      submittedAt: a.submittedAt,
      reviewedById: a.reviewedById,
      reviewedBy: name(a.reviewedById),
      reviewedAt: a.reviewedAt,
      reviewComment: a.reviewComment,
      returnedById: a.returnedById,
      returnedBy: name(a.returnedById),
      returnedAt: a.returnedAt,
      returnReason: a.returnReason,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    };
  }

  /**
   * The assessments the caller may read: every department's for a company-wide reader (quality
   * department, general manager, auditors), the departments where they hold risk_assessment:read
   * otherwise (department heads). Naming a department they may not read is a 403 (audited).
   */
  async list(actor: Acting, filter: AssessmentFilter): Promise<{ items: AssessmentSummary[]; total: number }> {
    const m = this.db.manager;
    let departmentIds: number[] | null = null;
    if (filter.department !== undefined) {
      const d = await m.getRepository(Department).findOneBy({ code: filter.department });
      if (!d) throw new ValidationError('Unknown department', [{ path: 'query.department', message: `department ${filter.department} does not exist` }]);
      await this.authz.require(actor, deptScope(d.code), READ);
      departmentIds = [d.id];
    } else if (!this.authz.decide(actor.id, COMPANY, READ).allowed) {
      const all = await m.getRepository(Department).find({ select: { id: true, code: true } });
      departmentIds = all.filter((d) => this.authz.decide(actor.id, deptScope(d.code), READ).allowed).map((d) => d.id);
    }
    if (departmentIds !== null && departmentIds.length === 0) return { items: [], total: 0 };
    const [rows, total] = await m.getRepository(RiskAssessment).findAndCount({
      where: {
        ...(departmentIds !== null ? { departmentId: In(departmentIds) } : {}),
        ...(filter.period !== undefined ? { period: filter.period } : {}),
        ...(filter.status !== undefined ? { status: filter.status } : {}),
      },
      order: { period: 'DESC', departmentId: 'ASC', id: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
    const ids = rows.map((r) => r.id);
    const deptIds = [...new Set(rows.map((r) => r.departmentId))];
    const [depts, counts] = await Promise.all([
      deptIds.length ? m.getRepository(Department).findBy({ id: In(deptIds) }) : [],
      ids.length
        ? m
            .getRepository(RiskItem)
            .createQueryBuilder('i')
            .select('i.assessmentId', 'assessmentId')
            .addSelect('COUNT(*)', 'n')
            .where('i.assessmentId IN (:...ids)', { ids })
            .groupBy('i.assessmentId')
            .getRawMany<{ assessmentId: number; n: string | number }>()
        : [],
    ]);
    const dept = new Map(depts.map((d) => [d.id, d]));
    const count = new Map(counts.map((c) => [Number(c.assessmentId), Number(c.n)]));
    return {
      items: rows.map((r) => ({
        id: r.id,
        department: dept.get(r.departmentId)?.code ?? '',
        departmentName: dept.get(r.departmentId)?.name ?? '',
        period: r.period,
        status: r.status,
        itemCount: count.get(r.id) ?? 0,
        submittedAt: r.submittedAt,
        reviewedAt: r.reviewedAt,
        createdAt: r.createdAt,
      })),
      total,
    };
  }

  // ---- creation (the monthly job) --------------------------------------------------------------

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
        const d = await this.department(m, departmentId);
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
        await this.outbox.enqueueToRole(m, 'dept_head', deptScope(d.code), {
          kind: 'risk_assessment.due',
          subject: `Monthly risk assessment ${d.code} ${period.key} is ready to fill in`,
          body: `The customer-information confidentiality risk assessment ${a.id} of department ${d.code} for ${period.key} has been created with its indicators. Add the risks found and the rectifications, then submit it.`,
          objectType: 'risk_assessment',
          objectId: a.id,
          dedupeKey: `risk_assessment.created:${a.id}`,
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
      const { a, scope } = await this.lock(m, current.id);
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
    return this.view(assessment.id);
  }

  // ---- the department head's draft -------------------------------------------------------------

  /** Recomputes the indicator snapshot of a draft (as of now, for the assessment's month). */
  async refresh(actor: Acting, id: number): Promise<AssessmentView> {
    const current = await this.load(id);
    this.requireStatus(current, 'draft', 'the indicators can be refreshed');
    const bounds = this.periodBounds(current.period);
    const asOf = new Date();
    const indicators = await this.indicators.compute(await this.indicators.departmentScope(current.departmentId), bounds.start, bounds.end, asOf);
    return this.db.tx(async (m) => {
      const { a, scope } = await this.lock(m, id);
      this.requireStatus(a, 'draft', 'the indicators can be refreshed');
      await m.getRepository(RiskAssessment).update({ id }, { indicators, indicatorsAsOf: asOf, updatedAt: asOf });
      await this.audit.append(m, actor, {
        action: 'risk_assessment.refreshed',
        objectType: 'risk_assessment',
        objectId: id,
        scope,
        before: { indicatorsAsOf: a.indicatorsAsOf, indicators: indicatorValues(a.indicators) },
        after: { indicatorsAsOf: asOf, indicators: indicatorValues(indicators) },
      });
      return this.view(id, m);
    });
  }

  async addItem(actor: Acting, id: number, input: RiskItemInput): Promise<RiskItemView> {
    return this.db.tx(async (m) => {
      const { a, scope } = await this.lock(m, id);
      this.requireStatus(a, 'draft', 'risk items can be added');
      const now = new Date();
      const item = m.getRepository(RiskItem).create({
        assessmentId: id,
        description: input.description,
        likelihood: input.likelihood,
        impact: input.impact,
        ...levelOf(input.likelihood, input.impact),
        createdById: actor.id,
        createdAt: now,
        updatedAt: now,
      });
      await m.getRepository(RiskItem).insert(item);
      await m.getRepository(RiskAssessment).update({ id }, { updatedAt: now });
      await this.audit.append(m, actor, { action: 'risk_assessment.item_added', objectType: 'risk_item', objectId: item.id, scope, after: itemSnapshot(item) });
      return itemView(item);
    });
  }

  private async itemOf(m: EntityManager, assessmentId: number, itemId: number): Promise<RiskItem> {
    const item = await m.getRepository(RiskItem).findOneBy({ id: itemId, assessmentId });
    if (!item) throw new NotFoundError(`Risk item of assessment ${assessmentId}`, itemId);
    return item;
  }

  async updateItem(actor: Acting, id: number, itemId: number, changes: Partial<RiskItemInput>): Promise<RiskItemView> {
    return this.db.tx(async (m) => {
      const { a, scope } = await this.lock(m, id);
      const item = await this.itemOf(m, id, itemId);
      this.requireStatus(a, 'draft', 'risk items can be changed');
      const before = itemSnapshot(item);
      const likelihood = changes.likelihood ?? item.likelihood;
      const impact = changes.impact ?? item.impact;
      const now = new Date();
      const next: Partial<RiskItem> = { description: changes.description ?? item.description, likelihood, impact, ...levelOf(likelihood, impact), updatedAt: now };
      await m.getRepository(RiskItem).update({ id: itemId }, next);
      await m.getRepository(RiskAssessment).update({ id }, { updatedAt: now });
      const updated = Object.assign(item, next);
      await this.audit.append(m, actor, { action: 'risk_assessment.item_updated', objectType: 'risk_item', objectId: itemId, scope, before, after: itemSnapshot(updated) });
      return itemView(updated);
    });
  }

  async removeItem(actor: Acting, id: number, itemId: number): Promise<void> {
    await this.db.tx(async (m) => {
      const { a, scope } = await this.lock(m, id);
      const item = await this.itemOf(m, id, itemId);
      this.requireStatus(a, 'draft', 'risk items can be removed');
      await m.getRepository(RiskItem).delete({ id: itemId });
      await m.getRepository(RiskAssessment).update({ id }, { updatedAt: new Date() });
      await this.audit.append(m, actor, { action: 'risk_assessment.item_removed', objectType: 'risk_item', objectId: itemId, scope, before: itemSnapshot(item) });
    });
  }

  /**
   * A rectification action for what the assessment found (owner, due date), opened through the
   * shared RectificationService in the same transaction. `project` optionally names the
   * department's project it concerns.
   */
  async addRectification(
    actor: Acting,
    id: number,
    input: { description: string; ownerUserId: number; dueDate: string; project?: string },
  ): Promise<RectificationView> {
    return this.db.tx(async (m) => {
      const { a } = await this.lock(m, id);
      this.requireStatus(a, 'draft', 'rectifications can be added');
      let projectId: number | null = null;
      if (input.project !== undefined) {
        const p = await m.getRepository(Project).findOneBy({ code: input.project });
        if (!p || p.departmentId !== a.departmentId) {
          throw new ValidationError('Unknown project', [{ path: 'body.project', message: `${input.project} is not a project of this department` }]);
        }
        projectId = p.id;
      }
      const r = await this.rectifications.open(m, actor, {
        sourceType: 'risk_assessment',
        sourceId: id,
        departmentId: a.departmentId,
        projectId,
        description: input.description,
        ownerUserId: input.ownerUserId,
        dueDate: input.dueDate,
      });
      await m.getRepository(RiskAssessment).update({ id }, { updatedAt: new Date() });
      return r;
    });
  }

  /** draft → submitted. A second submit (or one racing it) is a 409. */
  async submit(actor: Acting, id: number): Promise<AssessmentView> {
    return this.db.tx(async (m) => {
      const { a, scope } = await this.lock(m, id);
      if (a.status !== 'draft') throw new ConflictError('assessment_not_draft', `Risk assessment ${id} is already ${a.status}`);
      const now = new Date();
      // Conditional on the status as well: exactly one of two racing submissions wins.
      const res = await m.getRepository(RiskAssessment).update({ id, status: 'draft' }, { status: 'submitted', submittedById: actor.id, submittedAt: now, updatedAt: now });
      if (res.affected !== 1) throw new ConflictError('assessment_not_draft', `Risk assessment ${id} is no longer a draft`);
      const items = await m.getRepository(RiskItem).countBy({ assessmentId: id });
      await this.audit.append(m, actor, {
        action: 'risk_assessment.submitted',
        objectType: 'risk_assessment',
        objectId: id,
        scope,
        before: { status: 'draft' },
        after: { status: 'submitted', items },
      });
      return this.view(id, m);
    });
  }

  // ---- the form (§7) ----------------------------------------------------------------------------

  /** The Risk Assessment Form as PDF or XLSX; producing it is recorded in the audit trail. */
  async exportForm(actor: Acting, id: number, format: FormFormat): Promise<{ body: Buffer; contentType: string; filename: string }> {
    const v = await this.view(id);
    await this.db.tx((m) =>
      this.audit.append(m, actor, {
        action: 'risk_assessment.exported',
        objectType: 'risk_assessment',
        objectId: id,
        scope: deptScope(v.department),
        after: { format, status: v.status },
      }),
    );
    const out = await renderAssessmentForm(assessmentReport(v, actor.username ?? String(actor.id), this.timezone), format, v.status === 'draft');
    return { ...out, filename: `risk-assessment-${v.department}-${v.period}.${format}` };
  }

  // ---- the quality department's review -------------------------------------------------------

  /** Nobody reviews or returns an assessment they submitted (a record-level 403, audited). */
  private async refuseOwn(actor: Acting, a: RiskAssessment, what: 'review' | 'return'): Promise<void> {
    if (a.status !== 'submitted' || a.submittedById !== actor.id) return;
    const scope = await this.scopeOf(a);
    await this.db.tx((m) =>
      this.audit.append(m, actor, {
        action: `risk_assessment.${what}_refused`,
        objectType: 'risk_assessment',
        objectId: a.id,
        scope,
        decision: 'deny',
        reason: 'own_assessment: the submitter cannot review their own assessment',
      }),
    );
    throw new ForbiddenError('own_assessment', `You submitted risk assessment ${a.id}: someone else must ${what} it`);
  }

  /** submitted → reviewed, with the reviewer's comment. */
  async review(actor: Acting, id: number, comment: string): Promise<AssessmentView> {
    await this.refuseOwn(actor, await this.load(id), 'review');
    return this.db.tx(async (m) => {
      const { a, scope } = await this.lock(m, id);
      this.requireStatus(a, 'submitted', 'it can be reviewed');
      const now = new Date();
      const res = await m
        .getRepository(RiskAssessment)
        .update({ id, status: 'submitted' }, { status: 'reviewed', reviewedById: actor.id, reviewedAt: now, reviewComment: comment, updatedAt: now });
      if (res.affected !== 1) throw new ConflictError('assessment_not_submitted', `Risk assessment ${id} is no longer submitted`);
      await this.audit.append(m, actor, {
        action: 'risk_assessment.reviewed',
        objectType: 'risk_assessment',
        objectId: id,
        scope,
        reason: comment,
        before: { status: 'submitted' },
        after: { status: 'reviewed' },
      });
      return this.view(id, m);
    });
  }

  /** submitted → draft, with the reason; the department head corrects it and submits again. */
  async returnToDraft(actor: Acting, id: number, reason: string): Promise<AssessmentView> {
    await this.refuseOwn(actor, await this.load(id), 'return');
    return this.db.tx(async (m) => {
      const { a, scope } = await this.lock(m, id);
      this.requireStatus(a, 'submitted', 'it can be returned');
      const now = new Date();
      const res = await m.getRepository(RiskAssessment).update(
        { id, status: 'submitted' },
        { status: 'draft', submittedById: null, submittedAt: null, returnedById: actor.id, returnedAt: now, returnReason: reason, updatedAt: now },
      );
      if (res.affected !== 1) throw new ConflictError('assessment_not_submitted', `Risk assessment ${id} is no longer submitted`);
      await this.audit.append(m, actor, {
        action: 'risk_assessment.returned',
        objectType: 'risk_assessment',
        objectId: id,
        scope,
        reason,
        before: { status: 'submitted', submittedById: a.submittedById, submittedAt: a.submittedAt },
        after: { status: 'draft' },
      });
      return this.view(id, m);
    });
  }
}
