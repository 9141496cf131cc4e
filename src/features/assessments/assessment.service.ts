import type { LatestDigest } from '../../lib/documents';
import { EntityManager } from 'typeorm';
import { AuditActor, AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import type { Acting } from '../../api/route';
import { Database } from '../../db/database';
import { RiskAssessment } from '../../entities/RiskAssessment';
import type { JobPeriod } from '../../jobs/period';
import type { Authorizer } from '../../policy/authorizer';
import { deptScope } from '../../policy/scope';
import type { IndicatorService } from '../indicators/indicator.service';
import type { NotificationOutbox } from '../notifications/notification.service';
import type { RectificationService } from '../rectifications/rectification.service';
import type { RectificationView } from '../rectifications/rectification.views';
import { AssessmentPeriods } from './assessment-periods';
import { AssessmentWorkflow } from './assessment-workflow';
import { assessmentReport, FormFormat, renderAssessmentForm } from './assessment-form';
import { AssessmentFilter, AssessmentSummary, AssessmentView, AssessmentViews, RiskItemInput, RiskItemView } from './assessment.views';

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
  private readonly views: AssessmentViews;
  private readonly periods: AssessmentPeriods;
  private readonly workflow: AssessmentWorkflow;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    authz: Authorizer,
    indicators: IndicatorService,
    rectifications: RectificationService,
    outbox: NotificationOutbox,
    private readonly timezone: string,
    private readonly latestDigest: LatestDigest,
  ) {
    this.views = new AssessmentViews(db, authz, rectifications);
    this.periods = new AssessmentPeriods(db, audit, indicators, outbox, this.views, timezone);
    this.workflow = new AssessmentWorkflow(db, audit, rectifications, this.views, outbox);
  }

  // ---- loading, scope and views (assessment.views.ts) ------------------------------------------

  load(id: number, m: EntityManager = this.db.manager): Promise<RiskAssessment> {
    return this.views.load(id, m);
  }

  /** dept:<code> of an assessment; 404 if it does not exist. */
  scopeOf(a: RiskAssessment): Promise<string> {
    return this.views.scopeOf(a);
  }

  view(id: number, m: EntityManager = this.db.manager): Promise<AssessmentView> {
    return this.views.view(id, m);
  }

  list(actor: Acting, filter: AssessmentFilter): Promise<{ items: AssessmentSummary[]; total: number }> {
    return this.views.list(actor, filter);
  }

  // ---- creation and indicators (assessment-periods.ts) -------------------------------------------

  /** The instants a period key covers, in config.timezone. */
  periodBounds(key: string): JobPeriod {
    return this.periods.periodBounds(key);
  }

  /** A department's assessment for a period, created unless it exists (R-RISK-MONTHLY). */
  ensureFor(departmentId: number, period: JobPeriod, actor: AuditActor = SYSTEM_ACTOR): Promise<{ assessment: RiskAssessment; created: boolean }> {
    return this.periods.ensureFor(departmentId, period, actor);
  }

  /** The monthly job: one assessment per department for the period (R-RISK-MONTHLY). */
  createForPeriod(period: JobPeriod): Promise<{ period: string; toDate: boolean; created: number; existing: number; completed: number }> {
    return this.periods.createForPeriod(period);
  }

  /** The quality department opens a department's assessment by hand (409 if it exists). */
  open(actor: Acting, input: { department: string; period: string }, now = new Date()): Promise<AssessmentView> {
    return this.periods.open(actor, input, now);
  }

  /** Recomputes the indicator snapshot of a draft (as of now, for the assessment's month). */
  refresh(actor: Acting, id: number): Promise<AssessmentView> {
    return this.periods.refresh(actor, id);
  }

  // ---- commands (assessment-workflow.ts) ---------------------------------------------------------

  addItem(actor: Acting, id: number, input: RiskItemInput): Promise<RiskItemView> {
    return this.workflow.addItem(actor, id, input);
  }

  updateItem(actor: Acting, id: number, itemId: number, changes: Partial<RiskItemInput>): Promise<RiskItemView> {
    return this.workflow.updateItem(actor, id, itemId, changes);
  }

  removeItem(actor: Acting, id: number, itemId: number): Promise<void> {
    return this.workflow.removeItem(actor, id, itemId);
  }

  addRectification(actor: Acting, id: number, input: { description: string; ownerUserId: number; dueDate: string; project?: string }): Promise<RectificationView> {
    return this.workflow.addRectification(actor, id, input);
  }

  submit(actor: Acting, id: number): Promise<AssessmentView> {
    return this.workflow.submit(actor, id);
  }

  review(actor: Acting, id: number, comment: string): Promise<AssessmentView> {
    return this.workflow.review(actor, id, comment);
  }

  returnToDraft(actor: Acting, id: number, reason: string): Promise<AssessmentView> {
    return this.workflow.returnToDraft(actor, id, reason);
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
    // R-AUDIT: the printed form carries the latest signed audit digest.
    const report = { ...assessmentReport(v, actor.username ?? String(actor.id), this.timezone), auditDigest: await this.latestDigest() };
    const out = await renderAssessmentForm(report, format, v.status === 'draft');
    return { ...out, filename: `risk-assessment-${v.department}-${v.period}.${format}` };
  }
}
