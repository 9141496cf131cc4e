import { EntityManager, FindOptionsWhere, In, Like } from 'typeorm';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import { Database, forUpdate } from '../../db/database';
import { ControlledCopy } from '../../entities/ControlledCopy';
import { Customer } from '../../entities/Customer';
import { PrintFilter, PrintRequest, PrintRequestStatus } from '../../entities/PrintRequest';
import { Project } from '../../entities/Project';
import { User } from '../../entities/User';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { Authorizer } from '../../policy/authorizer';
import { PolicyService } from '../../policy/policy-service';
import { redactPersonalDetails } from '../../lib/redact';
import { ControlledCopyService } from './controlled-copy.service';
import { textGiven, UserRef, viewStatus } from './controlled-copy.views';
import { refuse } from '../../policy/refusal';
import type { NotificationOutbox } from '../notifications/notification.service';

type Acting = AuditActor & { id: number };

/** The most customer records one printout may hold (a saved filter matching more is refused). */
export const PRINT_MAX_RECORDS = 500;
export const PRINT_MAX_COPIES = 20;

const READ = { object: 'print_request', action: 'read' } as const;
const APPROVE = { object: 'print_request', action: 'approve' } as const;

export interface PrintRequestInput {
  project: string;
  purpose: string;
  customerIds?: number[];
  filter?: PrintFilter;
  copies: number;
  usageDays: number;
  includePersonal: boolean;
}

export interface PrintRequestView {
  id: number;
  project: string;
  purpose: string;
  customerIds: number[] | null;
  filter: PrintFilter | null;
  /** The records printed (resolved at approval); null before. */
  recordIds: number[] | null;
  copies: number;
  usageDays: number;
  includePersonal: boolean;
  status: PrintRequestStatus;
  requestedBy: UserRef | null;
  decidedBy: UserRef | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The controlled copies issued by the approval. */
  issuedCopies: Array<{ serial: string; status: string; expiresAt: Date }>;
}

/** The customer list's own filter (GET /customers?q=): name contains q, within the project. */
function filterWhere(projectId: number, f: PrintFilter): FindOptionsWhere<Customer> {
  return { projectId, ...(f.q ? { name: Like(`%${f.q.replace(/[%_\\]/g, '\\$&')}%`) } : {}) };
}

/**
 * R-PRINT-APPROVE (§3.4.1, §5.2.1.1): paper copies of customer information exist only by an
 * approved print request. The requester names the purpose, the records of one project, the
 * number of copies and the usage period (at most PRINT_MAX_USAGE_DAYS); a department head or
 * the project manager approves or rejects it (the route checks print_request:approve in the
 * request's project), never their own. Decisions are conditional updates on `pending`, so two
 * approvers at once end with one decision and one 409; the approval issues the copies in the
 * same transaction (R-NO-PAPER).
 */
export class PrintRequestService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly authz: Authorizer,
    private readonly policy: PolicyService,
    private readonly copies: ControlledCopyService,
    private readonly config: Config,
    private readonly outbox: NotificationOutbox,
  ) {}

  get maxUsageDays(): number {
    return this.config.printMaxUsageDays;
  }

  async load(id: number, m: EntityManager = this.db.manager): Promise<PrintRequest> {
    const r = await m.getRepository(PrintRequest).findOneBy({ id });
    if (!r) throw new NotFoundError('Print request', id);
    return r;
  }

  scopeOf(r: Pick<PrintRequest, 'projectId'>): Promise<string> {
    return this.policy.projectScope(r.projectId);
  }

  async views(rows: PrintRequest[]): Promise<PrintRequestView[]> {
    if (!rows.length) return [];
    const users = await this.copies.userRefs(rows.flatMap((r) => [r.requestedById, r.decidedById]));
    const copies = await this.db.manager.getRepository(ControlledCopy).find({ where: { printRequestId: In(rows.map((r) => r.id)) }, order: { id: 'ASC' } });
    const now = new Date();
    const out: PrintRequestView[] = [];
    for (const r of rows) {
      out.push({
        id: r.id,
        project: (await this.scopeOf(r)).slice('project:'.length),
        purpose: r.purpose,
        customerIds: r.customerIds,
        filter: r.filter,
        recordIds: r.recordIds,
        copies: r.copies,
        usageDays: r.usageDays,
        includePersonal: Boolean(r.includePersonal),
        status: r.status,
        requestedBy: users.get(r.requestedById) ?? null,
        decidedBy: r.decidedById === null ? null : (users.get(r.decidedById) ?? null),
        decidedAt: r.decidedAt,
        decisionNote: r.decisionNote,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        issuedCopies: copies.filter((c) => c.printRequestId === r.id).map((c) => ({ serial: c.serial, status: viewStatus(c, now), expiresAt: c.expiresAt })),
      });
    }
    return out;
  }

  async view(r: PrintRequest): Promise<PrintRequestView> {
    return (await this.views([r]))[0];
  }

  /** Projects whose print requests the user may read (print_request:read there or in an enclosing scope). */
  private async readableProjectIds(userId: number): Promise<number[]> {
    const projects = await this.db.manager.getRepository(Project).find({ select: { id: true, code: true } });
    return projects.filter((p) => this.authz.decide(userId, `project:${p.code}`, READ).allowed).map((p) => p.id);
  }

  /**
   * Everyone sees their own requests; supervisors (and auditors) also see every request of the
   * projects where they hold print_request:read; `mine` keeps only the caller's own.
   */
  async list(actor: Acting, f: { project?: string; status?: PrintRequestStatus; mine?: boolean; limit: number; offset: number }): Promise<{ items: PrintRequestView[]; total: number }> {
    const base: FindOptionsWhere<PrintRequest> = f.status ? { status: f.status } : {};
    let readable = await this.readableProjectIds(actor.id);
    if (f.project !== undefined) {
      const p = await this.db.manager.getRepository(Project).findOneBy({ code: f.project });
      if (!p) throw new ValidationError('Unknown project', [{ path: 'query.project', message: `project ${f.project} does not exist` }]);
      base.projectId = p.id;
      readable = readable.filter((id) => id === p.id);
    }
    const where: FindOptionsWhere<PrintRequest>[] = [{ ...base, requestedById: actor.id }];
    if (readable.length && !f.mine) where.push({ ...base, projectId: f.project !== undefined ? base.projectId : In(readable) });
    const [rows, total] = await this.db.manager.getRepository(PrintRequest).findAndCount({ where, order: { id: 'DESC' }, take: f.limit, skip: f.offset });
    return { items: await this.views(rows), total };
  }

  /** One request: its requester, or whoever may read the project's requests. */
  async viewFor(actor: Acting, r: PrintRequest): Promise<PrintRequestView> {
    const scope = await this.scopeOf(r);
    if (r.requestedById !== actor.id && !this.authz.decide(actor.id, scope, READ).allowed) {
      await refuse(this.db, this.audit, actor, 'not_visible', `Only the requester or a reader of the print requests of ${scope} may see request ${r.id}`, {
        action: 'print_request.read_refused',
        objectType: 'print_request',
        objectId: r.id,
        scope,
        reason: 'neither the requester nor a reader of the project',
      });
    }
    return this.view(r);
  }

  /** Customer ids that are not records of the project (unknown or elsewhere): 400 naming them. */
  private async checkIdsInProject(m: EntityManager, projectId: number, projectCode: string, ids: number[]): Promise<void> {
    const found = await m.getRepository(Customer).find({ where: { id: In(ids), projectId }, select: { id: true } });
    const inProject = new Set(found.map((c) => c.id));
    const outside = ids.filter((id) => !inProject.has(id));
    if (outside.length) {
      throw new ValidationError(`Customers ${outside.join(', ')} are not records of project ${projectCode}`, [
        { path: 'body.customerIds', message: `not customers of project ${projectCode}: ${outside.join(', ')}` },
      ]);
    }
  }

  /** R-PRINT-APPROVE: the requester asks; nothing is printed until a supervisor approves. */
  async request(actor: Acting, input: PrintRequestInput): Promise<PrintRequestView> {
    // The route's schema already bounds these; the service keeps the rule for any other caller.
    const issues = [];
    if (!Number.isInteger(input.usageDays) || input.usageDays < 1 || input.usageDays > this.maxUsageDays) {
      issues.push({ path: 'body.usageDays', message: `the usage period is 1 to ${this.maxUsageDays} days (PRINT_MAX_USAGE_DAYS)` });
    }
    if (!Number.isInteger(input.copies) || input.copies < 1 || input.copies > PRINT_MAX_COPIES) issues.push({ path: 'body.copies', message: `1 to ${PRINT_MAX_COPIES} copies` });
    if ((input.customerIds === undefined) === (input.filter === undefined)) issues.push({ path: 'body.customerIds', message: 'give either customerIds or filter' });
    if (issues.length) throw new ValidationError('Invalid print request', issues);

    const m = this.db.manager;
    const project = await m.getRepository(Project).findOneBy({ code: input.project });
    if (!project) throw new NotFoundError('Project', input.project);
    const customerIds = input.customerIds ? [...new Set(input.customerIds)] : null;
    if (customerIds) await this.checkIdsInProject(m, project.id, project.code, customerIds);
    if (input.filter) {
      const n = await m.getRepository(Customer).count({ where: filterWhere(project.id, input.filter) });
      if (n === 0) throw new ValidationError('The filter matches no customer', [{ path: 'body.filter', message: `no customer of project ${project.code} matches this filter` }]);
      if (n > PRINT_MAX_RECORDS) {
        throw new ValidationError(`The filter matches ${n} customers; a printout holds at most ${PRINT_MAX_RECORDS}`, [
          { path: 'body.filter', message: `matches ${n} customers, more than ${PRINT_MAX_RECORDS}: narrow it` },
        ]);
      }
    }
    const r = await this.db.tx(async (tm) => {
      const now = new Date();
      const r = tm.getRepository(PrintRequest).create({
        projectId: project.id,
        purpose: input.purpose,
        customerIds,
        filter: input.filter ? { ...(input.filter.q ? { q: input.filter.q } : {}) } : null,
        recordIds: null,
        copies: input.copies,
        usageDays: input.usageDays,
        includePersonal: input.includePersonal,
        status: 'pending',
        requestedById: actor.id,
        decidedById: null,
        decidedAt: null,
        decisionNote: null,
        createdAt: now,
        updatedAt: now,
      });
      await tm.getRepository(PrintRequest).insert(r);
      await this.audit.append(tm, actor, {
        action: 'print_request.created',
        objectType: 'print_request',
        objectId: r.id,
        scope: `project:${project.code}`,
        // Purpose and search text are free text that may quote customer data: the trail keeps them
        // only redacted (phones, ID numbers, emails, employers removed); the request keeps them whole.
        after: {
          purpose: redactPersonalDetails(r.purpose).text,
          customerIds: r.customerIds,
          filter: r.filter ? { ...r.filter, ...(r.filter.q !== undefined ? { q: redactPersonalDetails(r.filter.q).text } : {}) } : null,
          copies: r.copies,
          usageDays: r.usageDays,
          includePersonal: r.includePersonal,
        },
      });
      // Whoever may approve it in the project (the policy decides, as for their own request), never the requester.
      const approvers = this.authz.holders(`project:${project.code}`, APPROVE).filter((id) => id !== actor.id);
      await this.outbox.enqueueToUsers(tm, approvers, {
        kind: 'print_request.pending',
        params: { requestId: r.id, project: project.code, requester: actor.username ?? `user ${actor.id}`, copies: r.copies, usageDays: r.usageDays },
        objectType: 'print_request',
        objectId: r.id,
        dedupeKey: `print_request.pending:${r.id}`,
        scope: `project:${project.code}`,
      });
      return r;
    });
    return this.view(r);
  }

  /** The records the printout holds, resolved at approval: the asked ids still in the project, or the filter's matches. */
  private async resolveRecords(m: EntityManager, r: PrintRequest): Promise<number[]> {
    const where = r.customerIds ? { id: In(r.customerIds), projectId: r.projectId } : filterWhere(r.projectId, r.filter ?? {});
    const rows = await m.getRepository(Customer).find({ where, select: { id: true }, order: { id: 'ASC' }, take: PRINT_MAX_RECORDS + 1 });
    if (rows.length > PRINT_MAX_RECORDS) {
      throw new ConflictError('too_many_records', `The saved filter of request ${r.id} now matches more than ${PRINT_MAX_RECORDS} customers: reject it and ask again with a narrower filter`);
    }
    if (!rows.length) throw new ConflictError('no_records', `None of the records of request ${r.id} exists any more: reject it`);
    return rows.map((c) => c.id);
  }

  /** Nobody decides on their own request (R-PRINT-APPROVE): refused with 403 and audited. */
  private async refuseOwn(actor: Acting, r: PrintRequest, scope: string, approve: boolean): Promise<void> {
    if (r.requestedById !== actor.id) return;
    await refuse(this.db, this.audit, actor, 'own_request', 'Nobody approves or rejects their own print request', {
      action: approve ? 'print_request.approve_refused' : 'print_request.reject_refused',
      objectType: 'print_request',
      objectId: r.id,
      scope,
      reason: 'own request',
    });
  }

  /**
   * 409 with the request's current status. Inside a decision's transaction `m` must be that
   * transaction's manager: the losing call holds the row lock while it reads, and a read through a
   * second pool connection stalls when the pool is taken by waiters for that lock (issue 11).
   */
  private async notPending(id: number, doing: string, m: EntityManager = this.db.manager): Promise<never> {
    const now = await this.load(id, m);
    throw new ConflictError('not_pending', `Print request ${id} is ${now.status}: it cannot be ${doing}`, { status: now.status });
  }

  /**
   * R-PRINT-APPROVE + R-NO-PAPER: pending → approved, and in the same transaction one controlled
   * copy per requested copy (serial, recipient = requester, expiry = now + usage days).
   */
  async approve(actor: Acting, r: PrintRequest, note: string | null): Promise<PrintRequestView> {
    const scope = await this.scopeOf(r);
    await this.refuseOwn(actor, r, scope, true);
    if (r.status !== 'pending') await this.notPending(r.id, 'approved');
    const now = new Date();
    await this.copies.prepareSerials(now);
    await this.db.tx(async (m) => {
      const res = await m
        .getRepository(PrintRequest)
        .update({ id: r.id, status: 'pending' }, { status: 'approved', decidedById: actor.id, decidedAt: now, decisionNote: note, updatedAt: now });
      if (!res.affected) await this.notPending(r.id, 'approved', m);
      // The recipient must still be an active user; the row lock orders this with an offboarding (R-OFFBOARD).
      const requester = await m.getRepository(User).findOne({ where: { id: r.requestedById }, ...forUpdate(this.db.mysql) });
      if (!requester || requester.status !== 'active') {
        throw new ConflictError('requester_inactive', `The requester of print request ${r.id} is no longer an active user: reject it`);
      }
      const recordIds = await this.resolveRecords(m, r);
      await m.getRepository(PrintRequest).update({ id: r.id }, { recordIds });
      await this.audit.append(m, actor, {
        action: 'print_request.approved',
        objectType: 'print_request',
        objectId: r.id,
        scope,
        before: { status: 'pending' },
        // Notes stay on the request (decisionNote); the trail records only that one was given.
        after: { status: 'approved', records: recordIds.length, copies: r.copies, usageDays: r.usageDays, noteGiven: textGiven(note) },
      });
      await this.copies.issueFor(m, actor, { ...r, recordIds } as PrintRequest, now, scope);
      await this.tellRequester(m, actor, r, scope, 'approved');
    });
    return this.view(await this.load(r.id));
  }

  /** pending → rejected, with the reason. */
  async reject(actor: Acting, r: PrintRequest, reason: string): Promise<PrintRequestView> {
    const scope = await this.scopeOf(r);
    await this.refuseOwn(actor, r, scope, false);
    if (r.status !== 'pending') await this.notPending(r.id, 'rejected');
    const now = new Date();
    await this.db.tx(async (m) => {
      const res = await m
        .getRepository(PrintRequest)
        .update({ id: r.id, status: 'pending' }, { status: 'rejected', decidedById: actor.id, decidedAt: now, decisionNote: reason, updatedAt: now });
      if (!res.affected) await this.notPending(r.id, 'rejected', m);
      await this.audit.append(m, actor, {
        action: 'print_request.rejected',
        objectType: 'print_request',
        objectId: r.id,
        scope,
        before: { status: 'pending' },
        after: { status: 'rejected', reasonGiven: textGiven(reason) },
      });
      await this.tellRequester(m, actor, r, scope, 'rejected');
    });
    return this.view(await this.load(r.id));
  }

  /** The decision, to the requester (the note or reason stays on the request: free text). */
  private async tellRequester(m: EntityManager, actor: Acting, r: PrintRequest, scope: string, decision: 'approved' | 'rejected'): Promise<void> {
    // Decided: no other approver is still asked to approve it.
    await this.outbox.settle(m, 'print_request', r.id, ['print_request.pending']);
    const project = scope.slice('project:'.length);
    await this.outbox.enqueue(m, {
      recipientId: r.requestedById,
      kind: `print_request.${decision}`,
      params: { requestId: r.id, project, approver: actor.username ?? `user ${actor.id}`, ...(decision === 'approved' ? { copies: r.copies } : {}) },
      objectType: 'print_request',
      objectId: r.id,
      dedupeKey: `print_request.${decision}:${r.id}`,
      scope,
    });
  }

  /** The requester withdraws a pending request. */
  async cancel(actor: Acting, r: PrintRequest, note: string | null): Promise<PrintRequestView> {
    const scope = await this.scopeOf(r);
    if (r.requestedById !== actor.id) {
      await refuse(this.db, this.audit, actor, 'not_requester', `Only the requester can cancel print request ${r.id}`, {
        action: 'print_request.cancel_refused',
        objectType: 'print_request',
        objectId: r.id,
        scope,
        reason: 'not the requester',
      });
    }
    if (r.status !== 'pending') await this.notPending(r.id, 'cancelled');
    const now = new Date();
    await this.db.tx(async (m) => {
      const res = await m.getRepository(PrintRequest).update({ id: r.id, status: 'pending' }, { status: 'cancelled', decisionNote: note, updatedAt: now });
      if (!res.affected) await this.notPending(r.id, 'cancelled', m);
      await this.audit.append(m, actor, {
        action: 'print_request.cancelled',
        objectType: 'print_request',
        objectId: r.id,
        scope,
        before: { status: 'pending' },
        after: { status: 'cancelled', noteGiven: textGiven(note) },
      });
      // Withdrawn: the approvers are no longer asked to decide it.
      await this.outbox.settle(m, 'print_request', r.id, ['print_request.pending']);
    });
    return this.view(await this.load(r.id));
  }
}
