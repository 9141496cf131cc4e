import { EntityManager } from 'typeorm';
import { ComplaintCase } from '../../entities/ComplaintCase';
import { Department } from '../../entities/Department';
import { Project } from '../../entities/Project';
import { deptScope, projectScope } from '../../policy/scope';
import type { NotificationOutbox } from '../notifications/notification.service';

/** A case's reminder goes out this many days (or fewer) before its due date (R-CASE-DEADLINE). */
export const CASE_DUE_SOON_DAYS = 3;

/**
 * The messages of the complaint procedure (kinds in notifications/kinds/supervision.ts), written in
 * the transaction of the change. R-CASE-CONFIDENTIAL: params carry the case number, its id, the
 * project and department codes, dates and states only: never the customer, never the case's text.
 * Each message also reaches the group robots of the case's project. Used by the case services only.
 */
export class CaseMessages {
  constructor(private readonly outbox: NotificationOutbox) {}

  /**
   * Who answers for the case now (第十四條): the heads of the responsible department, or, before one
   * is assigned, the project's project managers.
   */
  async responsible(m: EntityManager, c: ComplaintCase): Promise<{ role: string; scope: string; project: string; department: string | null }> {
    const project = await m.getRepository(Project).findOneBy({ id: c.projectId });
    const dept = c.departmentId === null ? null : await m.getRepository(Department).findOneBy({ id: c.departmentId });
    const code = project?.code ?? String(c.projectId);
    return dept
      ? { role: 'dept_head', scope: deptScope(dept.code), project: code, department: dept.code }
      : { role: 'project_manager', scope: projectScope(code), project: code, department: null };
  }

  private base(c: ComplaintCase, project: string) {
    return { objectType: 'case', objectId: c.id, scope: projectScope(project) };
  }

  /** Registered (or reopened as a new case): the project's managers assign the responsible department. */
  async registered(m: EntityManager, c: ComplaintCase, project: string): Promise<number> {
    return this.outbox.enqueueToRole(m, 'project_manager', projectScope(project), {
      ...this.base(c, project),
      kind: 'case.registered',
      params: { caseId: c.id, caseNo: c.caseNo, project, dueDate: c.dueDate },
      dedupeKey: `case.registered:${c.caseNo}`,
    });
  }

  /** The investigation named the responsible department: its heads answer for the case from now on. */
  async assigned(m: EntityManager, c: ComplaintCase, at: Date): Promise<number> {
    const r = await this.responsible(m, c);
    if (r.department === null) return 0;
    return this.outbox.enqueueToRole(m, r.role, r.scope, {
      ...this.base(c, r.project),
      kind: 'case.assigned',
      params: { caseId: c.id, caseNo: c.caseNo, project: r.project, department: r.department, dueDate: c.dueDate },
      dedupeKey: `case.assigned:${c.caseNo}:${at.toISOString()}`,
    });
  }

  /**
   * The decision (approved, or the proposal returned to investigation): to the responsible
   * department's heads and the one who proposed it (they communicate the result, or propose again).
   */
  async decided(m: EntityManager, c: ComplaintCase, outcome: 'approved' | 'returned', proposerId: number | null, at: Date): Promise<number> {
    const r = await this.responsible(m, c);
    const msg = {
      ...this.base(c, r.project),
      kind: 'case.decided',
      params: { caseId: c.id, caseNo: c.caseNo, project: r.project, dueDate: c.dueDate, outcome },
      dedupeKey: `case.decided:${c.caseNo}:${at.toISOString()}`,
    };
    // The same key per user: a proposer who is also a head gets one message.
    let n = await this.outbox.enqueueToRole(m, r.role, r.scope, msg);
    if (proposerId !== null) n += await this.outbox.enqueueToUsers(m, [proposerId], msg);
    return n;
  }

  /** 第十四條: the daily reminder (催辦單) of an overdue case, once per case per day. */
  async chase(m: EntityManager, c: ComplaintCase, day: string): Promise<{ n: number; role: string; scope: string; project: string }> {
    const r = await this.responsible(m, c);
    const n = await this.outbox.enqueueToRole(m, r.role, r.scope, {
      ...this.base(c, r.project),
      kind: 'case.chase',
      params: { caseId: c.id, caseNo: c.caseNo, project: r.project, dueDate: c.dueDate, status: c.status },
      dedupeKey: `case.chase:${c.caseNo}:${day}`,
    });
    return { n, ...r };
  }

  /** R-CASE-DEADLINE: a case near its due date, once per case and due date. */
  async dueSoon(m: EntityManager, c: ComplaintCase): Promise<number> {
    const r = await this.responsible(m, c);
    return this.outbox.enqueueToRole(m, r.role, r.scope, {
      ...this.base(c, r.project),
      kind: 'case.due_soon',
      params: { caseId: c.id, caseNo: c.caseNo, project: r.project, dueDate: c.dueDate, status: c.status },
      dedupeKey: `case.due_soon:${c.caseNo}:${c.dueDate}`,
    });
  }
}
