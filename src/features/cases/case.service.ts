import { EntityManager, FindOptionsWhere, In, LessThanOrEqual, MoreThan, Not } from 'typeorm';
import { AuditActor, AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import { Database, forUpdate } from '../../db/database';
import { CaseEvent, CaseStep } from '../../entities/CaseEvent';
import { CaseCause, CaseChannel, CaseItem, CaseProposal, CaseStatus, CaseType, ComplaintCase } from '../../entities/ComplaintCase';
import { Customer } from '../../entities/Customer';
import { Department } from '../../entities/Department';
import { Project } from '../../entities/Project';
import { User } from '../../entities/User';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { JobPeriod } from '../../jobs/period';
import { Decision, PolicyService, userSubject } from '../../policy/policy-service';
import { COMPANY, deptScope, projectScope } from '../../policy/scope';
import { CustomerService } from '../customers/customer.service';
import type { NotificationOutbox } from '../notifications/outbox';
import { refuse } from '../paper/refusal';
import { ApprovalLimit, describeLimit, highest, parseApprovalLimits, rolesCovering, covers, yuan } from './approval-limits';
import { caseMonth, CaseNumbering } from './case-numbering';
import { CaseHistoryEntry, CaseView, redacted, redactedItems } from './case-views';
import { deadlineFor } from './deadlines';
import { CaseAction, requireState } from './workflow';

type Acting = AuditActor & { id: number };

export interface CaseIntake {
  project: string;
  customerId: number;
  channel: CaseChannel;
  type: CaseType;
  request: string;
  items?: CaseItem[];
  notes?: string | null;
}

export interface CaseListFilter {
  project?: string;
  department?: string;
  status?: CaseStatus;
  overdue?: boolean;
  customerId?: number;
  limit: number;
  offset: number;
}

/** What the audit trail records of a case: states, classes, ids and amounts; never free text (R-CASE-CONFIDENTIAL). */
function snapshot(c: ComplaintCase) {
  return {
    caseNo: c.caseNo,
    status: c.status,
    customerId: c.customerId,
    type: c.type,
    channel: c.channel,
    dueDate: c.dueDate,
    departmentId: c.departmentId,
    cause: c.cause,
    responsibleUserIds: c.responsibleUserIds,
    proposal: c.proposal,
    amount: c.amountFen === null ? null : c.amountFen / 100,
    decidedAs: c.decidedAs,
    late: c.late,
    reopenedFromId: c.reopenedFromId,
    reopenedToId: c.reopenedToId,
  };
}

/** Thrown inside a reopening's transaction when it would close the original without case:handle; refused (and audited) after the rollback. */
class MayNotClose extends Error {
  constructor(
    readonly c: ComplaintCase,
    readonly scope: string,
    readonly decision: Decision,
  ) {
    super('may not close');
  }
}

/**
 * What the responsible department may do on a case assigned to it (第九條(三), 第十四條: the
 * department chased for it must be able to open and handle it). Registering, deciding and
 * reopening stay where the case is (its project, its department, the company).
 */
const RESPONSIBLE_DEPT_ACTIONS: ReadonlySet<string> = new Set(['read', 'handle']);

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
 */
export class CaseService {
  private readonly numbering: CaseNumbering;
  readonly approvalLimits: ApprovalLimit[];

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly customers: CustomerService,
    private readonly outbox: NotificationOutbox,
    private readonly config: Config,
  ) {
    this.numbering = new CaseNumbering(db);
    // A malformed CASE_APPROVAL_LIMITS stops the start here, with the variable named.
    this.approvalLimits = parseApprovalLimits(config.caseApprovalLimits);
  }

  private get tz(): string {
    return this.config.timezone;
  }

  // ---- loading and scope ----------------------------------------------------------------

  async load(id: number, m: EntityManager = this.db.manager): Promise<ComplaintCase> {
    const c = await m.getRepository(ComplaintCase).findOneBy({ id });
    if (!c) throw new NotFoundError('Case', id);
    return c;
  }

  /** The case's scope: its project's (R-CASE-CONFIDENTIAL: the same scopes as the customer records). Inside a transaction, pass its `m`. */
  scopeOf(c: Pick<ComplaintCase, 'projectId'>, m: EntityManager = this.db.manager): Promise<string> {
    return this.policy.projectScope(c.projectId, m);
  }

  /**
   * Where case:<action> is checked for this caller on this case: the case's project scope (its
   * department and the company enclose it), unless the caller lacks the permission there and holds
   * it in the scope of the department responsible for the case (read and handle only, once one is
   * assigned: the department that is chased for it, R-CASE-CHASE). A caller allowed in neither is
   * checked (and refused, audited, 403 naming the permission) in the project scope. An explicit
   * deny line in the project scope is not overridden by the department's scope.
   */
  async accessScope(userId: number, c: ComplaintCase, action: string, m: EntityManager = this.db.manager): Promise<string> {
    const own = await this.scopeOf(c, m);
    if (c.departmentId === null || !RESPONSIBLE_DEPT_ACTIONS.has(action)) return own;
    const here = this.policy.decide(userSubject(userId), own, 'case', action);
    if (here.allowed || here.effect !== 'default') return own;
    const d = await m.getRepository(Department).findOneBy({ id: c.departmentId });
    if (!d) return own;
    const responsible = deptScope(d.code);
    return this.policy.decide(userSubject(userId), responsible, 'case', action).allowed ? responsible : own;
  }

  /** Where a listing needs case:read: the project or department asked for, else the whole company. */
  static listScope(q: { project?: unknown; department?: unknown }): string {
    if (typeof q.project === 'string') return projectScope(q.project);
    if (typeof q.department === 'string') return deptScope(q.department);
    return COMPANY;
  }

  private async lock(m: EntityManager, id: number): Promise<ComplaintCase> {
    const c = await m.getRepository(ComplaintCase).findOne({ where: { id }, ...forUpdate(this.db.mysql) });
    if (!c) throw new NotFoundError('Case', id);
    return c;
  }

  // ---- views ----------------------------------------------------------------------------

  async views(cases: ComplaintCase[], opts: { history?: boolean } = {}, m: EntityManager = this.db.manager): Promise<CaseView[]> {
    if (!cases.length) return [];
    const ids = (xs: Array<number | null>) => [...new Set(xs.filter((x): x is number => x !== null))];
    const customerIds = ids(cases.map((c) => c.customerId));
    const deptIds = ids(cases.map((c) => c.departmentId));
    const linkIds = ids(cases.flatMap((c) => [c.reopenedFromId, c.reopenedToId]));
    const [customers, depts, links] = await Promise.all([
      m.getRepository(Customer).findBy({ id: In(customerIds) }),
      deptIds.length ? m.getRepository(Department).findBy({ id: In(deptIds) }) : [],
      linkIds.length ? m.getRepository(ComplaintCase).find({ where: { id: In(linkIds) }, select: { id: true, caseNo: true } }) : [],
    ]);
    const customerById = new Map(customers.map((c) => [c.id, c]));
    const deptCode = new Map(depts.map((d) => [d.id, d.code]));
    const caseNo = new Map(links.map((l) => [l.id, l.caseNo]));
    const link = (id: number | null) => (id === null ? null : { id, caseNo: caseNo.get(id) ?? String(id) });
    let history = new Map<number, CaseHistoryEntry[]>();
    if (opts.history) history = await this.histories(m, cases.map((c) => c.id));
    const now = new Date();
    return Promise.all(
      cases.map(async (c) => {
        const customer = customerById.get(c.customerId);
        const view: CaseView = {
          id: c.id,
          caseNo: c.caseNo,
          project: (await this.scopeOf(c, m)).slice('project:'.length),
          status: c.status,
          channel: c.channel,
          type: c.type,
          customer: customer ? this.customers.maskedView(customer) : null,
          customerId: c.customerId,
          request: redacted(c.request)!,
          items: redactedItems(c.items),
          notes: redacted(c.notes),
          acceptedAt: c.acceptedAt,
          deadlineDays: deadlineFor(c.acceptedAt, c.nationality, this.tz).days,
          dueDate: c.dueDate,
          dueAt: c.dueAt,
          overdue: c.status !== 'closed' && now.getTime() >= c.dueAt.getTime(),
          department: c.departmentId === null ? null : (deptCode.get(c.departmentId) ?? null),
          cause: c.cause,
          findings: redacted(c.findings),
          responsibleUserIds: c.responsibleUserIds,
          proposal: c.proposal,
          amount: c.amountFen === null ? null : c.amountFen / 100,
          proposalNote: redacted(c.proposalNote),
          decidedById: c.decidedById,
          decidedAt: c.decidedAt,
          decidedAs: c.decidedAs,
          decisionNote: redacted(c.decisionNote),
          result: redacted(c.result),
          communicatedAt: c.communicatedAt,
          closedAt: c.closedAt,
          closedById: c.closedById,
          late: c.late,
          lateReason: redacted(c.lateReason),
          reopenedFrom: link(c.reopenedFromId),
          reopenedTo: link(c.reopenedToId),
          createdById: c.createdById,
          createdAt: c.createdAt,
          updatedAt: c.updatedAt,
          redacted: true,
        };
        if (opts.history) view.history = history.get(c.id) ?? [];
        return view;
      }),
    );
  }

  async view(c: ComplaintCase, m: EntityManager = this.db.manager): Promise<CaseView> {
    return (await this.views([c], { history: true }, m))[0];
  }

  private async histories(m: EntityManager, caseIds: number[]): Promise<Map<number, CaseHistoryEntry[]>> {
    const events = await m.getRepository(CaseEvent).find({ where: { caseId: In(caseIds) }, order: { id: 'ASC' } });
    const userIds = [...new Set(events.map((e) => e.actorId).filter((x): x is number => x !== null))];
    const users = userIds.length ? await m.getRepository(User).find({ where: { id: In(userIds) }, select: { id: true, username: true } }) : [];
    const username = new Map(users.map((u) => [u.id, u.username]));
    const out = new Map<number, CaseHistoryEntry[]>();
    for (const e of events) {
      const list = out.get(e.caseId) ?? [];
      list.push({ step: e.step, at: e.at, byUserId: e.actorId, byUsername: e.actorId === null ? null : (username.get(e.actorId) ?? null), note: redacted(e.note) });
      out.set(e.caseId, list);
    }
    return out;
  }

  async list(f: CaseListFilter): Promise<{ items: CaseView[]; total: number }> {
    const m = this.db.manager;
    // Where the cases are: one project; a department's projects and the cases assigned to the
    // department as the responsible one (it is chased for them, R-CASE-CHASE); or the company.
    let where0: FindOptionsWhere<ComplaintCase>[] = [{}];
    if (f.project !== undefined) {
      const p = await m.getRepository(Project).findOneBy({ code: f.project });
      if (!p) throw new NotFoundError('Project', f.project);
      where0 = [{ projectId: In([p.id]) }];
    } else if (f.department !== undefined) {
      const d = await m.getRepository(Department).findOneBy({ code: f.department });
      if (!d) throw new NotFoundError('Department', f.department);
      const projectIds = (await m.getRepository(Project).find({ where: { departmentId: d.id }, select: { id: true } })).map((p) => p.id);
      where0 = [...(projectIds.length ? [{ projectId: In(projectIds) }] : []), { departmentId: d.id }];
    }
    if (f.overdue === true && f.status === 'closed') return { items: [], total: 0 };
    const now = new Date();
    const customer = f.customerId !== undefined ? { customerId: f.customerId } : {};
    // overdue: open and past due; not overdue: closed, or open and not yet due.
    const states =
      f.overdue === true
        ? [{ status: f.status ?? Not('closed' as CaseStatus), dueAt: LessThanOrEqual(now) }]
        : f.overdue === false
          ? [
              ...(f.status === undefined || f.status === 'closed' ? [{ status: 'closed' as CaseStatus }] : []),
              ...(f.status !== 'closed' ? [{ status: f.status ?? Not('closed' as CaseStatus), dueAt: MoreThan(now) }] : []),
            ]
          : [f.status ? { status: f.status } : {}];
    const where: FindOptionsWhere<ComplaintCase>[] = where0.flatMap((w) => states.map((st) => ({ ...w, ...customer, ...st })));
    const [rows, total] = await m.getRepository(ComplaintCase).findAndCount({ where, order: { id: 'DESC' }, take: f.limit, skip: f.offset });
    return { items: await this.views(rows), total };
  }

  // ---- steps ----------------------------------------------------------------------------

  private async addEvent(m: EntityManager, caseId: number, step: CaseStep, actorId: number | null, at: Date, note: string | null): Promise<void> {
    await m.getRepository(CaseEvent).insert({ caseId, step, actorId, at, note });
  }

  /**
   * Creates a numbered case inside the caller's transaction. The number is taken FIRST: the
   * month's counter row stays locked until the transaction ends, so everything after it is one
   * registration at a time, and any refusal after it (e.g. the customer is not of this project)
   * rolls the number back with the rest: gap-free (R-CASE-NO).
   */
  private async insertCase(
    m: EntityManager,
    actor: Acting,
    month: string,
    acceptedAt: Date,
    project: Project,
    input: Omit<CaseIntake, 'project'>,
    reopenedFromId: number | null,
  ): Promise<ComplaintCase> {
    const caseNo = await this.numbering.next(m, month);
    const customer = await this.customerOfProject(m, input.customerId, project);
    const deadline = deadlineFor(acceptedAt, customer.nationality, this.tz);
    const c = m.getRepository(ComplaintCase).create({
      caseNo,
      projectId: project.id,
      customerId: customer.id,
      nationality: customer.nationality,
      status: 'registered',
      channel: input.channel,
      type: input.type,
      request: input.request,
      items: input.items ?? [],
      notes: input.notes ?? null,
      acceptedAt,
      dueDate: deadline.dueDate,
      dueAt: deadline.dueAt,
      departmentId: null,
      cause: null,
      findings: null,
      responsibleUserIds: [],
      proposal: null,
      amountFen: null,
      proposalNote: null,
      proposedById: null,
      decidedById: null,
      decidedAt: null,
      decidedAs: null,
      decisionNote: null,
      result: null,
      communicatedAt: null,
      closedAt: null,
      closedById: null,
      late: null,
      lateReason: null,
      reopenedFromId,
      reopenedToId: null,
      createdById: actor.id,
      createdAt: acceptedAt,
      updatedAt: acceptedAt,
    });
    await m.getRepository(ComplaintCase).insert(c);
    await this.addEvent(m, c.id, 'registered', actor.id, acceptedAt, null);
    await this.audit.append(m, actor, {
      action: 'case.registered',
      objectType: 'case',
      objectId: c.id,
      scope: projectScope(project.code),
      // Which texts were given, never what they say (R-CASE-CONFIDENTIAL).
      after: { ...snapshot(c), items: c.items.length, notesGiven: c.notes !== null, deadlineDays: deadline.days },
    });
    return c;
  }

  /**
   * The customer must be a customer of the project the case is registered in: anything else is a
   * 400 naming body.customerId, with the same message whether the id exists in another project
   * or not at all (no probing of other projects' customers).
   */
  private async customerOfProject(m: EntityManager, customerId: number, project: Project): Promise<Customer> {
    let customer: Customer | null = null;
    try {
      customer = await this.customers.load(customerId, m);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    if (!customer || customer.projectId !== project.id) {
      throw new ValidationError('The customer is not a customer of this project', [
        { path: 'body.customerId', message: `customer ${customerId} is not a customer of project ${project.code}` },
      ]);
    }
    return customer;
  }

  /** Intake (第九條(一),(三)): a numbered, accepted case with its deadline. */
  async register(actor: Acting, input: CaseIntake): Promise<CaseView> {
    const project = await this.db.manager.getRepository(Project).findOneBy({ code: input.project });
    if (!project) throw new NotFoundError('Project', input.project);
    const acceptedAt = new Date();
    const month = caseMonth(acceptedAt, this.tz);
    await this.numbering.ensureMonth(month);
    const c = await this.db.tx((m) => this.insertCase(m, actor, month, acceptedAt, project, input, null));
    return this.view(c);
  }

  /**
   * One step of the workflow: lock the case, check its state (409 naming the expected one),
   * apply the change, record the step and its audit event, all in one transaction.
   */
  private async step(
    actor: Acting,
    id: number,
    action: CaseAction,
    work: (m: EntityManager, c: ComplaintCase, now: Date) => Promise<{ changes: Partial<ComplaintCase>; step: CaseStep; note?: string | null; reason?: string; extra?: Record<string, unknown> }>,
  ): Promise<CaseView> {
    const c = await this.db.tx(async (m) => {
      const c = await this.lock(m, id);
      requireState(c, action);
      const now = new Date();
      const before = snapshot(c);
      const t = await work(m, c, now);
      const changes = { ...t.changes, updatedAt: now };
      await m.getRepository(ComplaintCase).update({ id: c.id }, changes);
      Object.assign(c, changes);
      await this.addEvent(m, c.id, t.step, actor.id, now, t.note ?? null);
      await this.audit.append(m, actor, {
        action: `case.${t.step}`,
        objectType: 'case',
        objectId: c.id,
        scope: await this.scopeOf(c, m),
        reason: t.reason,
        before,
        after: { ...snapshot(c), ...t.extra },
      });
      return c;
    });
    return this.view(c);
  }

  /** Investigation (第九條(三), 第七條(二)): the responsible department, the cause, and who is responsible. */
  async investigate(actor: Acting, id: number, input: { department: string; cause: CaseCause; findings?: string | null; responsibleUserIds?: number[] }): Promise<CaseView> {
    return this.step(actor, id, 'investigate', async (m) => {
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
      };
    });
  }

  /** The handling proposal (第九條(三)), with its amount where relevant. */
  async propose(actor: Acting, id: number, input: { proposal: CaseProposal; amount?: number | null; note?: string | null }): Promise<CaseView> {
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
  async decide(actor: Acting, id: number, input: { approve: boolean; note?: string | null }): Promise<CaseView> {
    try {
      return await this.step(actor, id, 'decide', async (m, c) => {
        if (!input.approve) {
          return {
            step: 'returned',
            note: input.note ?? null,
            changes: { status: 'investigating', proposal: null, amountFen: null, proposalNote: null, proposedById: null },
            extra: { returnedProposal: c.proposal, returnedAmount: c.amountFen === null ? null : c.amountFen / 100 },
          };
        }
        const amountFen = c.amountFen ?? 0;
        // Inside the step's transaction: the scope is read through its manager (issue 11).
        const authority = await this.authorityOf(actor.id, await this.scopeOf(c, m));
        if (!authority || !covers(authority.limitFen, amountFen)) throw new AboveAuthority(c, authority, rolesCovering(this.approvalLimits, amountFen));
        return {
          step: 'decided',
          note: input.note ?? null,
          changes: { status: 'decided', decidedById: actor.id, decidedAt: new Date(), decidedAs: describeLimit(authority), decisionNote: input.note ?? null },
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
        { action: 'case.decide_refused', objectType: 'case', objectId: c.id, scope: await this.scopeOf(c), reason: `amount ${amount} above limit ${limit}`, after: { caseNo: c.caseNo, amount: (c.amountFen ?? 0) / 100 } },
        { amount: (c.amountFen ?? 0) / 100, limit: authority ? (authority.limitFen === null ? null : authority.limitFen / 100) : 0, role: authority?.role ?? null, requires: needed.map((l) => l.role) },
      );
    }
  }

  /** The result given to the customer (第九條(四)); the internal form itself never goes to the customer (第九條(十)). */
  async communicate(actor: Acting, id: number, input: { result: string }): Promise<CaseView> {
    return this.step(actor, id, 'communicate', async (_m, _c, now) => ({
      step: 'communicated',
      changes: { status: 'communicated', result: input.result, communicatedAt: now },
      extra: { resultGiven: true },
    }));
  }

  /** R-CASE-CHASE: closing at or after dueAt is late and needs the reason (400 without it, nothing changes). */
  private closing(c: ComplaintCase, actor: Acting, now: Date, lateReason: string | null | undefined, path: string): Partial<ComplaintCase> {
    const late = now.getTime() >= c.dueAt.getTime();
    if (late && !lateReason) {
      throw new ValidationError('A case closed late needs the reason for lateness', [
        { path, message: `case ${c.caseNo} was due on ${c.dueDate}: give the reason it is closed late (R-CASE-CHASE)` },
      ]);
    }
    return { status: 'closed', closedAt: now, closedById: actor.id, late, lateReason: lateReason ?? null };
  }

  /** Closing (第九條(七)): after the result was given to the customer. */
  async close(actor: Acting, id: number, input: { lateReason?: string | null }): Promise<CaseView> {
    return this.step(actor, id, 'close', async (_m, c, now) => ({
      step: 'closed',
      changes: this.closing(c, actor, now, input.lateReason, 'body.lateReason'),
      extra: { lateReasonGiven: !!input.lateReason },
    }));
  }

  /**
   * 第九條(八): the customer does not accept the decision: a new case (new number, new deadline) is
   * registered with the customer's objection, linked both ways with the original. An original
   * still "communicated" is closed by it (with the reason for lateness if it is late). A case is
   * reopened once; the new case can itself be reopened later.
   */
  async reopen(actor: Acting, id: number, input: { request: string; notes?: string | null; lateReason?: string | null }): Promise<CaseView> {
    const acceptedAt = new Date();
    const month = caseMonth(acceptedAt, this.tz);
    await this.numbering.ensureMonth(month);
    let created: ComplaintCase;
    try {
      created = await this.db.tx((m) => this.reopenIn(m, actor, id, input, acceptedAt, month));
    } catch (err) {
      if (!(err instanceof MayNotClose)) throw err;
      const { c, scope, decision } = err;
      const reason = `reopening closes case ${c.caseNo}, which is still "communicated": closing needs case:handle`;
      return refuse(
        this.db,
        this.audit,
        actor,
        'forbidden',
        `Missing permission case:handle in scope ${scope}: ${reason} (have it closed first, then reopen the closed case)`,
        { action: 'access.denied', objectType: 'case', objectId: c.id, scope, reason: `case:handle ${decision.effect}: ${reason}`, after: { caseNo: c.caseNo, status: c.status } },
        { permission: 'case:handle', scope, reason },
      );
    }
    return this.view(created);
  }

  private async reopenIn(
    m: EntityManager,
    actor: Acting,
    id: number,
    input: { request: string; notes?: string | null; lateReason?: string | null },
    acceptedAt: Date,
    month: string,
  ): Promise<ComplaintCase> {
    const orig = await this.lock(m, id);
    requireState(orig, 'reopen');
    if (orig.reopenedToId !== null) {
      const to = await m.getRepository(ComplaintCase).findOneBy({ id: orig.reopenedToId });
      throw new ConflictError('already_reopened', `Case ${orig.caseNo} was already reopened as ${to?.caseNo ?? orig.reopenedToId}`, { reopenedTo: to?.caseNo ?? null });
    }
    // The route checked case:create. Closing the original is a handling step (第九條(七)): a
    // reopening that closes a still "communicated" case needs case:handle there as well, or
    // staff who register cases could close them without handling them.
    if (orig.status === 'communicated') {
      const scope = await this.accessScope(actor.id, orig, 'handle', m);
      const decision = this.policy.decide(userSubject(actor.id), scope, 'case', 'handle');
      if (!decision.allowed) throw new MayNotClose(orig, scope, decision);
    }
    const project = await m.getRepository(Project).findOneByOrFail({ id: orig.projectId });
    const before = snapshot(orig);
    const closing = orig.status === 'communicated' ? this.closing(orig, actor, acceptedAt, input.lateReason, 'body.lateReason') : {};
    const fresh = await this.insertCase(
      m,
      actor,
      month,
      acceptedAt,
      project,
      { customerId: orig.customerId, channel: orig.channel, type: orig.type, request: input.request, items: orig.items, notes: input.notes ?? null },
      orig.id,
    );
    const changes = { ...closing, reopenedToId: fresh.id, updatedAt: acceptedAt };
    await m.getRepository(ComplaintCase).update({ id: orig.id }, changes);
    Object.assign(orig, changes);
    if (closing.status) await this.addEvent(m, orig.id, 'closed', actor.id, acceptedAt, null);
    await this.addEvent(m, orig.id, 'reopened', actor.id, acceptedAt, null);
    await this.audit.append(m, actor, {
      action: 'case.reopened',
      objectType: 'case',
      objectId: orig.id,
      scope: projectScope(project.code),
      before,
      after: { ...snapshot(orig), reopenedAs: fresh.caseNo, closedByReopening: !!closing.status, lateReasonGiven: !!input.lateReason },
    });
    return fresh;
  }

  // ---- R-CASE-CHASE ----------------------------------------------------------------------

  /**
   * 第十四條: a reminder (催辦單) for every open case past its due date, as of `period.dueAt`: to the
   * heads of the responsible department, or, before a department is assigned, to the project's
   * project manager. One per case per day (dedupe key), so a rerun of the day adds nothing.
   */
  async chaseOverdue(period: JobPeriod): Promise<Record<string, unknown>> {
    const now = period.dueAt;
    const overdue = await this.db.manager.getRepository(ComplaintCase).find({
      where: { status: Not('closed' as CaseStatus), dueAt: LessThanOrEqual(now) },
      order: { dueAt: 'ASC', id: 'ASC' },
    });
    let reminders = 0;
    const unreached: string[] = [];
    for (const c of overdue) {
      const written = await this.db.tx(async (m) => {
        const project = await m.getRepository(Project).findOneBy({ id: c.projectId });
        const dept = c.departmentId === null ? null : await m.getRepository(Department).findOneBy({ id: c.departmentId });
        const [role, scope] = dept ? ['dept_head', deptScope(dept.code)] : ['project_manager', projectScope(project?.code ?? String(c.projectId))];
        const projectCode = project?.code ?? String(c.projectId);
        const n = await this.outbox.enqueueToRole(m, role, scope, {
          kind: 'case.chase',
          subject: `催辦單 Overdue complaint case ${c.caseNo}`,
          // The case number, project, dates and state only: never the customer or the case's text.
          body:
            `客訴案件 ${c.caseNo}（項目 ${projectCode}）已逾期：處理期限 ${c.dueDate}，目前狀態 ${c.status}。請儘速處理。\n` +
            `Complaint case ${c.caseNo} (project ${projectCode}) is overdue: it was due on ${c.dueDate} and is ${c.status}. Please handle it.`,
          objectType: 'case',
          objectId: c.id,
          dedupeKey: `case.chase:${c.caseNo}:${period.key}`,
        });
        if (n > 0) {
          await this.audit.append(m, SYSTEM_ACTOR, {
            action: 'case.chased',
            objectType: 'case',
            objectId: c.id,
            scope: projectScope(projectCode),
            after: { caseNo: c.caseNo, dueDate: c.dueDate, status: c.status, to: `${role} in ${scope}`, reminders: n, day: period.key },
          });
        }
        return { n, role, scope };
      });
      reminders += written.n;
      if (this.policy.holdersOf(written.role, written.scope).length === 0) unreached.push(c.caseNo);
    }
    return { overdue: overdue.length, reminders, unreached };
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
