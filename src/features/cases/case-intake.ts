import { EntityManager } from 'typeorm';
import { AuditWriter } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { ComplaintCase } from '../../entities/ComplaintCase';
import { Customer } from '../../entities/Customer';
import { Project } from '../../entities/Project';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { Decision, PolicyService, userSubject } from '../../policy/policy-service';
import { refuse } from '../../policy/refusal';
import { projectScope } from '../../policy/scope';
import { CustomerService } from '../customers/customer.service';
import { CaseAccess } from './case-access';
import type { CaseMessages } from './case-messages';
import { caseMonth, CaseNumbering } from './case-numbering';
import { CaseQueries } from './case-queries';
import { addCaseEvent } from './case-steps';
import { CaseActor, CaseIntake, caseSnapshot, CaseView } from './case.views';
import { deadlineFor } from './deadlines';
import { closingChanges, requireState } from './workflow';

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
 * How a case comes to be: registration (第九條(一),(三)) and the reopening of a decided case the
 * customer does not accept (第九條(八)). Each takes its number (R-CASE-NO) and its deadline
 * (R-CASE-DEADLINE) in the transaction that inserts it. Used by CaseService only.
 */
export class CaseIntakeCommands {
  private readonly numbering: CaseNumbering;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly customers: CustomerService,
    private readonly access: CaseAccess,
    private readonly queries: CaseQueries,
    private readonly messages: CaseMessages,
    private readonly tz: string,
  ) {
    this.numbering = new CaseNumbering(db);
  }

  /**
   * Creates a numbered case inside the caller's transaction. The number is taken FIRST: the
   * month's counter row stays locked until the transaction ends, so everything after it is one
   * registration at a time, and any refusal after it (e.g. the customer is not of this project)
   * rolls the number back with the rest: gap-free (R-CASE-NO).
   */
  private async insertCase(
    m: EntityManager,
    actor: CaseActor,
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
    await addCaseEvent(m, c.id, 'registered', actor.id, acceptedAt, null);
    await this.audit.append(m, actor, {
      action: 'case.registered',
      objectType: 'case',
      objectId: c.id,
      scope: projectScope(project.code),
      // Which texts were given, never what they say (R-CASE-CONFIDENTIAL).
      after: { ...caseSnapshot(c), items: c.items.length, notesGiven: c.notes !== null, deadlineDays: deadline.days },
    });
    await this.messages.registered(m, c, project.code);
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
  async register(actor: CaseActor, input: CaseIntake): Promise<CaseView> {
    const project = await this.db.manager.getRepository(Project).findOneBy({ code: input.project });
    if (!project) throw new NotFoundError('Project', input.project);
    const acceptedAt = new Date();
    const month = caseMonth(acceptedAt, this.tz);
    await this.numbering.ensureMonth(month);
    const c = await this.db.tx((m) => this.insertCase(m, actor, month, acceptedAt, project, input, null));
    return this.queries.view(c);
  }

  /**
   * 第九條(八): the customer does not accept the decision: a new case (new number, new deadline) is
   * registered with the customer's objection, linked both ways with the original. An original
   * still "communicated" is closed by it (with the reason for lateness if it is late). A case is
   * reopened once; the new case can itself be reopened later.
   */
  async reopen(actor: CaseActor, id: number, input: { request: string; notes?: string | null; lateReason?: string | null }): Promise<CaseView> {
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
    return this.queries.view(created);
  }

  private async reopenIn(
    m: EntityManager,
    actor: CaseActor,
    id: number,
    input: { request: string; notes?: string | null; lateReason?: string | null },
    acceptedAt: Date,
    month: string,
  ): Promise<ComplaintCase> {
    const orig = await this.access.lock(m, id);
    requireState(orig, 'reopen');
    if (orig.reopenedToId !== null) {
      const to = await m.getRepository(ComplaintCase).findOneBy({ id: orig.reopenedToId });
      throw new ConflictError('already_reopened', `Case ${orig.caseNo} was already reopened as ${to?.caseNo ?? orig.reopenedToId}`, { reopenedTo: to?.caseNo ?? null });
    }
    // The route checked case:create. Closing the original is a handling step (第九條(七)): a
    // reopening that closes a still "communicated" case needs case:handle there as well, or
    // staff who register cases could close them without handling them.
    if (orig.status === 'communicated') {
      const scope = await this.access.accessScope(actor.id, orig, 'handle', m);
      const decision = this.policy.decide(userSubject(actor.id), scope, 'case', 'handle');
      if (!decision.allowed) throw new MayNotClose(orig, scope, decision);
    }
    const project = await m.getRepository(Project).findOneByOrFail({ id: orig.projectId });
    const before = caseSnapshot(orig);
    const closing = orig.status === 'communicated' ? closingChanges(orig, actor.id, acceptedAt, input.lateReason, 'body.lateReason') : {};
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
    if (closing.status) await addCaseEvent(m, orig.id, 'closed', actor.id, acceptedAt, null);
    await addCaseEvent(m, orig.id, 'reopened', actor.id, acceptedAt, null);
    await this.audit.append(m, actor, {
      action: 'case.reopened',
      objectType: 'case',
      objectId: orig.id,
      scope: projectScope(project.code),
      before,
      after: { ...caseSnapshot(orig), reopenedAs: fresh.caseNo, closedByReopening: !!closing.status, lateReasonGiven: !!input.lateReason },
    });
    return fresh;
  }
}
