import { EntityManager, In } from 'typeorm';
import { AuditWriter } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { CaseEvent, CaseStep } from '../../entities/CaseEvent';
import { CaseCause, CaseProposal, ComplaintCase } from '../../entities/ComplaintCase';
import { Department } from '../../entities/Department';
import { User } from '../../entities/User';
import { ValidationError } from '../../errors';
import { PolicyService } from '../../policy/policy-service';
import { refuse } from '../../policy/refusal';
import { ApprovalLimit, covers, describeLimit, highest, rolesCovering, yuan } from './approval-limits';
import { CaseAccess } from './case-access';
import type { CaseMessages } from './case-messages';
import { CaseQueries } from './case-queries';
import { CaseActor, caseSnapshot, CaseView } from './case.views';
import { CaseAction, closingChanges, requireState } from './workflow';

/** One step of a case's history, written in the transaction of the change it records. */
export async function addCaseEvent(m: EntityManager, caseId: number, step: CaseStep, actorId: number | null, at: Date, note: string | null): Promise<void> {
  await m.getRepository(CaseEvent).insert({ caseId, step, actorId, at, note });
}

/** Thrown inside a decision's transaction when the amount is above the approver's authority; refused (and audited) after the rollback. */
class AboveAuthority extends Error {
  constructor(
    readonly c: ComplaintCase,
    readonly authority: ApprovalLimit | null,
    readonly needed: ApprovalLimit[],
  ) {
    super('above authority');
  }
}

/**
 * The handling steps of a registered case (第九條(三)–(七)): registered → investigating →
 * proposed → decided → communicated → closed; a skipped step is 409 naming the expected state;
 * the decision needs an approver whose configured authority (CASE_APPROVAL_LIMITS) covers the
 * amount (403 naming the limit otherwise). Used by CaseService only.
 */
export class CaseSteps {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly access: CaseAccess,
    private readonly queries: CaseQueries,
    private readonly approvalLimits: ApprovalLimit[],
    private readonly messages: CaseMessages,
  ) {}

  /**
   * One step of the workflow: lock the case, check its state (409 naming the expected one),
   * apply the change, record the step and its audit event, all in one transaction.
   */
  private async step(
    actor: CaseActor,
    id: number,
    action: CaseAction,
    work: (
      m: EntityManager,
      c: ComplaintCase,
      now: Date,
    ) => Promise<{
      changes: Partial<ComplaintCase>;
      step: CaseStep;
      note?: string | null;
      reason?: string;
      extra?: Record<string, unknown>;
      /** The message(s) of the step, written after the change (on the updated case) in its transaction. */
      notify?: (m: EntityManager, c: ComplaintCase) => Promise<unknown>;
    }>,
  ): Promise<CaseView> {
    const c = await this.db.tx(async (m) => {
      const c = await this.access.lock(m, id);
      requireState(c, action);
      const now = new Date();
      const before = caseSnapshot(c);
      const t = await work(m, c, now);
      const changes = { ...t.changes, updatedAt: now };
      await m.getRepository(ComplaintCase).update({ id: c.id }, changes);
      Object.assign(c, changes);
      await addCaseEvent(m, c.id, t.step, actor.id, now, t.note ?? null);
      await this.audit.append(m, actor, {
        action: `case.${t.step}`,
        objectType: 'case',
        objectId: c.id,
        scope: await this.access.scopeOf(c, m),
        reason: t.reason,
        before,
        after: { ...caseSnapshot(c), ...t.extra },
      });
      if (t.notify) await t.notify(m, c);
      return c;
    });
    return this.queries.view(c);
  }

  /** Investigation (第九條(三), 第七條(二)): the responsible department, the cause, and who is responsible. */
  async investigate(actor: CaseActor, id: number, input: { department: string; cause: CaseCause; findings?: string | null; responsibleUserIds?: number[] }): Promise<CaseView> {
    return this.step(actor, id, 'investigate', async (m, _c, now) => {
      const d = await m.getRepository(Department).findOneBy({ code: input.department });
      if (!d) throw new ValidationError('Unknown department', [{ path: 'body.department', message: `department ${input.department} does not exist` }]);
      const responsible = [...new Set(input.responsibleUserIds ?? [])];
      if (responsible.length) {
        const found = await m.getRepository(User).find({ where: { id: In(responsible) }, select: { id: true } });
        const missing = responsible.filter((u) => !found.some((f) => f.id === u));
        if (missing.length) throw new ValidationError('Unknown users', [{ path: 'body.responsibleUserIds', message: `no such user: ${missing.join(', ')}` }]);
      }
      return {
        step: 'investigated',
        changes: { status: 'investigating', departmentId: d.id, cause: input.cause, findings: input.findings ?? null, responsibleUserIds: responsible },
        extra: { findingsGiven: !!input.findings },
        notify: (m2, c) => this.messages.assigned(m2, c, now),
      };
    });
  }

  /** The handling proposal (第九條(三)), with its amount where relevant. */
  async propose(actor: CaseActor, id: number, input: { proposal: CaseProposal; amount?: number | null; note?: string | null }): Promise<CaseView> {
    return this.step(actor, id, 'propose', async () => ({
      step: 'proposed',
      changes: {
        status: 'proposed',
        proposal: input.proposal,
        amountFen: input.amount === undefined || input.amount === null ? null : Math.round(input.amount * 100),
        proposalNote: input.note ?? null,
        proposedById: actor.id,
      },
      extra: { noteGiven: !!input.note },
    }));
  }

  /**
   * The approver whose authority is the highest among the roles they hold where the case is (its
   * project, the project's department, the company), per CASE_APPROVAL_LIMITS.
   */
  async authorityOf(userId: number, scope: string): Promise<ApprovalLimit | null> {
    const chain = this.policy.scopeChain(scope);
    const held = this.approvalLimits.filter((l) => chain.some((s) => this.policy.holdersOf(l.role, s).includes(userId)));
    return highest(held);
  }

  /**
   * The decision (第九條(五), 第十一條): approve the proposal, by an approver whose authority covers
   * the amount (403 naming the limit otherwise, audited); or send it back to investigation with a
   * note. Two approvers at once: the case row is locked, the second finds it decided (409).
   */
  async decide(actor: CaseActor, id: number, input: { approve: boolean; note?: string | null }): Promise<CaseView> {
    try {
      return await this.step(actor, id, 'decide', async (m, c, now) => {
        // Captured before the change: a returned proposal clears its proposer.
        const proposerId = c.proposedById;
        if (!input.approve) {
          return {
            notify: (m2, updated) => this.messages.decided(m2, updated, 'returned', proposerId, now),
            step: 'returned',
            note: input.note ?? null,
            changes: { status: 'investigating', proposal: null, amountFen: null, proposalNote: null, proposedById: null },
            extra: { returnedProposal: c.proposal, returnedAmount: c.amountFen === null ? null : c.amountFen / 100 },
          };
        }
        const amountFen = c.amountFen ?? 0;
        // Inside the step's transaction: the scope is read through its manager (issue 11).
        const authority = await this.authorityOf(actor.id, await this.access.scopeOf(c, m));
        if (!authority || !covers(authority.limitFen, amountFen)) throw new AboveAuthority(c, authority, rolesCovering(this.approvalLimits, amountFen));
        return {
          step: 'decided',
          note: input.note ?? null,
          changes: { status: 'decided', decidedById: actor.id, decidedAt: new Date(), decidedAs: describeLimit(authority), decisionNote: input.note ?? null },
          notify: (m2, updated) => this.messages.decided(m2, updated, 'approved', proposerId, now),
        };
      });
    } catch (err) {
      if (!(err instanceof AboveAuthority)) throw err;
      const { c, authority, needed } = err;
      const amount = yuan(c.amountFen ?? 0);
      const limit = authority ? describeLimit(authority) : 'none (no role of yours has an approval limit)';
      return refuse(
        this.db,
        this.audit,
        actor,
        'approval_limit_exceeded',
        `The amount ${amount} of case ${c.caseNo} is above your approval limit ${limit}; it needs ${needed.map(describeLimit).join(' or ') || 'an approver with a higher limit'}`,
        { action: 'case.decide_refused', objectType: 'case', objectId: c.id, scope: await this.access.scopeOf(c), reason: `amount ${amount} above limit ${limit}`, after: { caseNo: c.caseNo, amount: (c.amountFen ?? 0) / 100 } },
        { amount: (c.amountFen ?? 0) / 100, limit: authority ? (authority.limitFen === null ? null : authority.limitFen / 100) : 0, role: authority?.role ?? null, requires: needed.map((l) => l.role) },
      );
    }
  }

  /** The result given to the customer (第九條(四)); the internal form itself never goes to the customer (第九條(十)). */
  async communicate(actor: CaseActor, id: number, input: { result: string }): Promise<CaseView> {
    return this.step(actor, id, 'communicate', async (_m, _c, now) => ({
      step: 'communicated',
      changes: { status: 'communicated', result: input.result, communicatedAt: now },
      extra: { resultGiven: true },
    }));
  }

  /** Closing (第九條(七)): after the result was given to the customer. */
  async close(actor: CaseActor, id: number, input: { lateReason?: string | null }): Promise<CaseView> {
    return this.step(actor, id, 'close', async (_m, c, now) => ({
      step: 'closed',
      changes: closingChanges(c, actor.id, now, input.lateReason, 'body.lateReason'),
      extra: { lateReasonGiven: !!input.lateReason },
    }));
  }
}
