import { EntityManager } from 'typeorm';
import { AuditWriter } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import { Database } from '../../db/database';
import { CaseCause, CaseProposal, ComplaintCase } from '../../entities/ComplaintCase';
import type { JobPeriod } from '../../jobs/period';
import { PolicyService } from '../../policy/policy-service';
import { CustomerService } from '../customers/customer.service';
import type { NotificationOutbox } from '../notifications/notification.service';
import { ApprovalLimit, parseApprovalLimits } from './approval-limits';
import { CaseAccess, caseListScope } from './case-access';
import { CaseChase } from './case-chase';
import { CaseIntakeCommands } from './case-intake';
import { CaseMessages } from './case-messages';
import { CaseQueries } from './case-queries';
import { CaseSteps } from './case-steps';
import { CaseActor, CaseIntake, CaseListFilter, CaseView } from './case.views';

export type { CaseIntake, CaseListFilter } from './case.views';

/**
 * Complaint cases (the complaint procedure, 第八條–第十四條), as customer information under the
 * Rules (R-CASE-CONFIDENTIAL): every route checks case:<action> in the case's project (its
 * department and the company enclose it; once a responsible department is assigned, it may read
 * and handle the case too: it is the one chased for it, R-CASE-CHASE), free text is shown only
 * redacted, the customer only masked, and every step writes its audit event in the transaction of
 * the change (R-AUDIT).
 * - R-CASE-NO: numbers YYMM-NNN from a per-month counter locked in the registration's transaction.
 * - R-CASE-DEADLINE: due 15 (domestic) or 20 (foreign) days after acceptance.
 * - Workflow registered → investigating → proposed → decided → communicated → closed; a skipped
 *   step is 409 naming the expected state; the decision needs an approver whose configured
 *   authority (CASE_APPROVAL_LIMITS) covers the amount (403 naming the limit otherwise).
 * - R-CASE-CHASE: a case closed after its due date needs the reason; the daily job chases overdue cases.
 * - 第九條(八): a customer who does not accept the decision reopens it as a new linked case
 *   (case:create; closing a still "communicated" original by it needs case:handle too).
 *
 * The one service of the area that the context, the routes, the jobs and other features use; the
 * work is done by its parts: access (case-access.ts), views and listings (case-queries.ts),
 * registration and reopening (case-intake.ts), the handling steps (case-steps.ts), the chasing
 * of overdue cases (case-chase.ts) and the messages to the people who answer for a case (case-messages.ts).
 */
export class CaseService {
  readonly approvalLimits: ApprovalLimit[];
  private readonly access: CaseAccess;
  private readonly queries: CaseQueries;
  private readonly intake: CaseIntakeCommands;
  private readonly steps: CaseSteps;
  private readonly chase: CaseChase;

  constructor(
    private readonly db: Database,
    audit: AuditWriter,
    policy: PolicyService,
    customers: CustomerService,
    outbox: NotificationOutbox,
    config: Config,
  ) {
    // A malformed CASE_APPROVAL_LIMITS stops the start here, with the variable named.
    this.approvalLimits = parseApprovalLimits(config.caseApprovalLimits);
    this.access = new CaseAccess(db, policy);
    this.queries = new CaseQueries(db, this.access, customers, config.timezone);
    const messages = new CaseMessages(outbox);
    this.intake = new CaseIntakeCommands(db, audit, policy, customers, this.access, this.queries, messages, config.timezone);
    this.steps = new CaseSteps(db, audit, policy, this.access, this.queries, this.approvalLimits, messages);
    this.chase = new CaseChase(db, audit, policy, messages);
  }

  // ---- loading and scope ----------------------------------------------------------------

  load(id: number, m: EntityManager = this.db.manager): Promise<ComplaintCase> {
    return this.access.load(id, m);
  }

  /** The case's scope: its project's (R-CASE-CONFIDENTIAL). Inside a transaction, pass its `m`. */
  scopeOf(c: Pick<ComplaintCase, 'projectId'>, m: EntityManager = this.db.manager): Promise<string> {
    return this.access.scopeOf(c, m);
  }

  /** Where case:<action> is checked for this caller on this case (see CaseAccess.accessScope). */
  accessScope(userId: number, c: ComplaintCase, action: string, m: EntityManager = this.db.manager): Promise<string> {
    return this.access.accessScope(userId, c, action, m);
  }

  /** Where a listing needs case:read: the project or department asked for, else the whole company. */
  static listScope(q: { project?: unknown; department?: unknown }): string {
    return caseListScope(q);
  }

  // ---- views ----------------------------------------------------------------------------

  views(cases: ComplaintCase[], opts: { history?: boolean } = {}, m: EntityManager = this.db.manager): Promise<CaseView[]> {
    return this.queries.views(cases, opts, m);
  }

  view(c: ComplaintCase, m: EntityManager = this.db.manager): Promise<CaseView> {
    return this.queries.view(c, m);
  }

  list(f: CaseListFilter): Promise<{ items: CaseView[]; total: number }> {
    return this.queries.list(f);
  }

  // ---- intake and steps -----------------------------------------------------------------

  /** Intake (第九條(一),(三)): a numbered, accepted case with its deadline (R-CASE-NO, R-CASE-DEADLINE). */
  register(actor: CaseActor, input: CaseIntake): Promise<CaseView> {
    return this.intake.register(actor, input);
  }

  investigate(actor: CaseActor, id: number, input: { department: string; cause: CaseCause; findings?: string | null; responsibleUserIds?: number[] }): Promise<CaseView> {
    return this.steps.investigate(actor, id, input);
  }

  propose(actor: CaseActor, id: number, input: { proposal: CaseProposal; amount?: number | null; note?: string | null }): Promise<CaseView> {
    return this.steps.propose(actor, id, input);
  }

  /** The highest authority the user holds where the case is, per CASE_APPROVAL_LIMITS (第十一條). */
  authorityOf(userId: number, scope: string): Promise<ApprovalLimit | null> {
    return this.steps.authorityOf(userId, scope);
  }

  decide(actor: CaseActor, id: number, input: { approve: boolean; note?: string | null }): Promise<CaseView> {
    return this.steps.decide(actor, id, input);
  }

  communicate(actor: CaseActor, id: number, input: { result: string }): Promise<CaseView> {
    return this.steps.communicate(actor, id, input);
  }

  close(actor: CaseActor, id: number, input: { lateReason?: string | null }): Promise<CaseView> {
    return this.steps.close(actor, id, input);
  }

  /** 第九條(八): the customer does not accept the decision: a new linked case. */
  reopen(actor: CaseActor, id: number, input: { request: string; notes?: string | null; lateReason?: string | null }): Promise<CaseView> {
    return this.intake.reopen(actor, id, input);
  }

  // ---- R-CASE-CHASE ----------------------------------------------------------------------

  /** 第十四條: a reminder (催辦單) for every open case past its due date, as of `period.dueAt`; once per case per day. */
  chaseOverdue(period: JobPeriod): Promise<Record<string, unknown>> {
    return this.chase.chaseOverdue(period);
  }

  // ---- R-CASE-SANCTION ------------------------------------------------------------------

  /**
   * What the reward/penalty register needs of a case (第十二條): its project, the responsible
   * department, a label by case number, and the persons found responsible. Null if no such case.
   */
  async sanctionSource(m: EntityManager, id: number): Promise<{ projectId: number; departmentId: number | null; label: string; responsibleUserIds: number[] } | null> {
    const c = await m.getRepository(ComplaintCase).findOneBy({ id });
    if (!c) return null;
    return { projectId: c.projectId, departmentId: c.departmentId, label: `case ${c.caseNo}`, responsibleUserIds: c.responsibleUserIds };
  }
}
