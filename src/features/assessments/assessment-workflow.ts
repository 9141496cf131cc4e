import { EntityManager } from 'typeorm';
import type { Acting } from '../../api/route';
import { AuditWriter } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { Project } from '../../entities/Project';
import { RiskAssessment } from '../../entities/RiskAssessment';
import { RiskItem } from '../../entities/RiskItem';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors';
import { COMPANY } from '../../policy/scope';
import type { NotificationOutbox } from '../notifications/notification.service';
import type { RectificationService } from '../rectifications/rectification.service';
import type { RectificationView } from '../rectifications/rectification.views';
import { AssessmentView, AssessmentViews, itemView, requireStatus, RiskItemInput, RiskItemView } from './assessment.views';
import { levelOf } from './risk-level';

const itemSnapshot = (i: RiskItem) => ({ assessmentId: i.assessmentId, description: i.description, likelihood: i.likelihood, impact: i.impact, score: i.score, level: i.level });

/**
 * R-RISK-MONTHLY: the commands on an assessment: the department head's draft (risk items,
 * rectifications, submission) and the quality department's review or return. Each is one
 * transaction with its audit event (R-AUDIT).
 */
export class AssessmentWorkflow {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly rectifications: RectificationService,
    private readonly views: AssessmentViews,
    private readonly outbox: NotificationOutbox,
  ) {}

  // ---- the department head's draft -------------------------------------------------------------

  async addItem(actor: Acting, id: number, input: RiskItemInput): Promise<RiskItemView> {
    return this.db.tx(async (m) => {
      const { a, scope } = await this.views.lock(m, id);
      requireStatus(a, 'draft', 'risk items can be added');
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
      const { a, scope } = await this.views.lock(m, id);
      const item = await this.itemOf(m, id, itemId);
      requireStatus(a, 'draft', 'risk items can be changed');
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
      const { a, scope } = await this.views.lock(m, id);
      const item = await this.itemOf(m, id, itemId);
      requireStatus(a, 'draft', 'risk items can be removed');
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
      const { a } = await this.views.lock(m, id);
      requireStatus(a, 'draft', 'rectifications can be added');
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
      const { a, scope } = await this.views.lock(m, id);
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
      // The quality department reviews it; one message per submission (a returned one is submitted again).
      const d = await this.views.department(m, a.departmentId);
      await this.outbox.enqueueToRole(m, 'quality_inspector', COMPANY, {
        kind: 'risk_assessment.submitted',
        params: { assessmentId: id, department: d.code, period: a.period, items },
        objectType: 'risk_assessment',
        objectId: id,
        dedupeKey: `risk_assessment.submitted:${id}:${now.toISOString()}`,
        scope,
      });
      return this.views.view(id, m);
    });
  }

  // ---- the quality department's review -------------------------------------------------------

  /** Nobody reviews or returns an assessment they submitted (a record-level 403, audited). */
  private async refuseOwn(actor: Acting, a: RiskAssessment, what: 'review' | 'return'): Promise<void> {
    if (a.status !== 'submitted' || a.submittedById !== actor.id) return;
    const scope = await this.views.scopeOf(a);
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
    await this.refuseOwn(actor, await this.views.load(id), 'review');
    return this.db.tx(async (m) => {
      const { a, scope } = await this.views.lock(m, id);
      requireStatus(a, 'submitted', 'it can be reviewed');
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
      // Reviewed: the quality department is no longer asked to review it.
      await this.outbox.settle(m, 'risk_assessment', id, ['risk_assessment.submitted']);
      return this.views.view(id, m);
    });
  }

  /** submitted → draft, with the reason; the department head corrects it and submits again. */
  async returnToDraft(actor: Acting, id: number, reason: string): Promise<AssessmentView> {
    await this.refuseOwn(actor, await this.views.load(id), 'return');
    return this.db.tx(async (m) => {
      const { a, scope } = await this.views.lock(m, id);
      requireStatus(a, 'submitted', 'it can be returned');
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
      await this.outbox.settle(m, 'risk_assessment', id, ['risk_assessment.submitted']);
      // The department head corrects it; the reason is free text and stays on the assessment's page.
      const d = await this.views.department(m, a.departmentId);
      await this.outbox.enqueueToRole(m, 'dept_head', scope, {
        kind: 'risk_assessment.returned',
        params: { assessmentId: id, department: d.code, period: a.period },
        objectType: 'risk_assessment',
        objectId: id,
        dedupeKey: `risk_assessment.returned:${id}:${now.toISOString()}`,
        scope,
      });
      return this.views.view(id, m);
    });
  }
}
