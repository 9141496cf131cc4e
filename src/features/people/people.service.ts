import { In } from 'typeorm';
import { Database } from '../../db/database';
import { Department } from '../../entities/Department';
import { Project } from '../../entities/Project';
import { User } from '../../entities/User';
import { NotFoundError } from '../../errors';
import { Authorizer } from '../../policy/authorizer';
import { PolicyService } from '../../policy/policy-service';
import { ROLE_NAMES } from '../../policy/roles';
import { parseScope } from '../../policy/scope';

/**
 * The permissions a route makes someone name another user for, and why: only these can be
 * asked about (a closed list: the picker is not a way to map who holds what elsewhere).
 */
export const PICKABLE = {
  // R-NO-LEND, R-NO-PAPER: a copy is returned to a keeper, destroyed before a witness (a supervisor of the project).
  'controlled_copy:witness': 'keeper or witness of a controlled copy (POST /copies/:serial/return, /destroy)',
  // R-HANDOVER-DESTROY (§5.2.2.3): the second person who witnesses a handover file's destruction.
  'handover_file:witness': "witness of a handover file's destruction (POST /handover-files/:id/destroy)",
  // R-HANDOVER-HOLD, R-OFFBOARD: the project lead a handover file passes to.
  'handover_file:hold': 'project lead who receives a handover file (POST /handover-files/:id/transfer)',
  // R-PRINT-APPROVE: who approves a print request (nobody their own).
  'print_request:approve': 'approver of a print request',
  // R-CASE-CONFIDENTIAL (complaint procedure 第十一條): who decides a complaint case.
  'case:decide': 'approver who decides a complaint case',
  // R-RISK-MONTHLY, R-INSPECT: a rectification's owner may be anyone working in the department or
  // project (user:pick is held by every role, so this lists whoever holds a role there).
  'user:pick': 'owner of a rectification (anyone holding a role in the scope)',
} as const;
export type PickablePermission = keyof typeof PICKABLE;
export const PICKABLE_PERMISSIONS = Object.keys(PICKABLE) as [PickablePermission, ...PickablePermission[]];

/** A user as the picker shows them: nothing beyond what naming them needs. */
export interface PersonRef {
  id: number;
  username: string;
  displayName: string;
}

/**
 * The people picker (R-SCOPE): who can be named as keeper, witness or approver in a scope,
 * for staff who must name one and may not list users (user:read is the IT admin's and the
 * auditor's).
 */
export class PeopleService {
  constructor(
    private readonly db: Database,
    private readonly policy: PolicyService,
    private readonly authz: Authorizer,
  ) {}

  /** Whether the scope names the company, or a department or project that exists (also one created on another instance since the last poll). */
  private async scopeExists(scope: string): Promise<boolean> {
    if (this.policy.scopeExists(scope)) return true;
    const parsed = parseScope(scope);
    if (!parsed || parsed.kind === 'company') return parsed !== null;
    const repo = parsed.kind === 'project' ? this.db.manager.getRepository(Project) : this.db.manager.getRepository(Department);
    return repo.existsBy({ code: parsed.code! });
  }

  /**
   * The active users who hold `permission` in `scope`, decided exactly as their own request
   * would be (the scope chain, deny-override): the candidates are the holders of any role in the
   * scope or an enclosing one (the only places a line can reach it from). Ordered by username.
   */
  async eligible(scope: string, permission: PickablePermission): Promise<{ items: PersonRef[] }> {
    if (!(await this.scopeExists(scope))) throw new NotFoundError('Scope', scope);
    const [object, action] = permission.split(':');
    const candidates = new Set<number>();
    for (const s of this.policy.scopeChain(scope)) for (const role of ROLE_NAMES) for (const id of this.policy.holdersOf(role, s)) candidates.add(id);
    const ids = [...candidates].filter((id) => this.authz.decide(id, scope, { object, action }).allowed);
    if (ids.length === 0) return { items: [] };
    // Offboarded users hold no role; one who has not signed the agreement cannot act yet (R-ONBOARD).
    const users = await this.db.manager.getRepository(User).find({
      where: { id: In(ids), status: 'active' },
      select: { id: true, username: true, displayName: true },
    });
    const items = users.map((u) => ({ id: u.id, username: u.username, displayName: u.displayName }));
    return { items: items.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0)) };
  }
}
