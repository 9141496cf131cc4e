import { EntityManager } from 'typeorm';
import { Database, forUpdate } from '../../db/database';
import { ComplaintCase } from '../../entities/ComplaintCase';
import { Department } from '../../entities/Department';
import { NotFoundError } from '../../errors';
import { PolicyService, userSubject } from '../../policy/policy-service';
import { COMPANY, deptScope, projectScope } from '../../policy/scope';

/**
 * What the responsible department may do on a case assigned to it (第九條(三), 第十四條: the
 * department chased for it must be able to open and handle it). Registering, deciding and
 * reopening stay where the case is (its project, its department, the company).
 */
const RESPONSIBLE_DEPT_ACTIONS: ReadonlySet<string> = new Set(['read', 'handle']);

/** Where a listing needs case:read: the project or department asked for, else the whole company. */
export function caseListScope(q: { project?: unknown; department?: unknown }): string {
  if (typeof q.project === 'string') return projectScope(q.project);
  if (typeof q.department === 'string') return deptScope(q.department);
  return COMPANY;
}

/** Loading and locking a case, and where case:<action> is checked on it (R-CASE-CONFIDENTIAL). Used by CaseService only. */
export class CaseAccess {
  constructor(
    private readonly db: Database,
    private readonly policy: PolicyService,
  ) {}

  async load(id: number, m: EntityManager = this.db.manager): Promise<ComplaintCase> {
    const c = await m.getRepository(ComplaintCase).findOneBy({ id });
    if (!c) throw new NotFoundError('Case', id);
    return c;
  }

  /** The case row locked until the caller's transaction ends: two steps at once take turns (the second finds the new state). */
  async lock(m: EntityManager, id: number): Promise<ComplaintCase> {
    const c = await m.getRepository(ComplaintCase).findOne({ where: { id }, ...forUpdate(this.db.mysql) });
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
}
