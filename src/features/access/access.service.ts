import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { User } from '../../entities/User';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors';
import { accountRefusal, describeDecision } from '../../policy/authorizer';
import { isKnownPermission, PERMISSIONS } from '../../policy/permissions';
import { Decision, PolicyService, userSubject } from '../../policy/policy-service';
import { Assignment, PolicyStore, StoredLine } from '../../policy/policy-store';
import { findRole, ROLE_NAMES } from '../../policy/roles';
import type { UsersService } from '../users/user.service';
import { parseScope } from '../../policy/scope';

type Acting = AuditActor & { id: number };

export interface EffectivePermission {
  scope: string;
  object: string;
  action: string;
  effect: 'allow' | 'deny';
  viaRole: string;
  lineId: number;
}

/** What /authz/explain answers: the API's answer for that user, and why. */
export interface Explanation extends Decision {
  /** What the API would answer the user: the account gate and the policy both let them through. */
  allowed: boolean;
  /** Who refuses: the account gate (agreement, lock, offboarding), the policy, or nobody. */
  refusedBy: 'account' | 'policy' | null;
  /** The answer in words. */
  reason: string;
  user: { id: number; username: string };
  account: { status: User['status']; agreementVersion: string | null; lockedUntil: Date | null; refusal: string | null };
}

/**
 * R-IT-PERMS: who holds which role where, and the policy lines themselves. Every change is
 * one transaction: the casbin_rule row, the policy version bump and the audit event with
 * before/after; then this instance reloads at once and the others within one poll.
 */
export class AccessService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly store: PolicyStore,
    /** The last-IT-admin rule lives with the accounts; revoking a role must obey it too. */
    private readonly users: Pick<UsersService, 'refuseLastItAdmin'>,
  ) {}

  private validateScope(scope: string, path: string): void {
    if (!parseScope(scope)) {
      throw new ValidationError('Invalid scope', [{ path, message: 'scope must be "*", "dept:<code>" or "project:<code>"' }]);
    }
    if (!this.policy.scopeExists(scope)) {
      throw new ValidationError('Unknown scope', [{ path, message: `scope ${scope} names no existing department or project` }]);
    }
  }

  async listAssignments(filter: { userId?: number; role?: string; scope?: string }): Promise<Assignment[]> {
    if (filter.userId !== undefined) {
      const all = await this.store.assignmentsOf(this.db.manager, filter.userId);
      return all.filter((a) => (!filter.role || a.role === filter.role) && (!filter.scope || a.scope === filter.scope));
    }
    return this.store.listAssignments(this.db.manager, filter);
  }

  async grant(actor: Acting, input: { userId: number; role: string; scope: string }): Promise<Assignment> {
    const role = findRole(input.role);
    if (!role) throw new ValidationError('Unknown role', [{ path: 'body.role', message: `role must be one of ${ROLE_NAMES.join(', ')}` }]);
    this.validateScope(input.scope, 'body.scope');
    const kind = parseScope(input.scope)!.kind;
    if (!role.scopes.includes(kind)) {
      throw new ValidationError('Role cannot be held in that scope', [
        { path: 'body.scope', message: `${role.name} is held in a ${role.scopes.join(' or ')} scope, not ${kind}` },
      ]);
    }
    // Separation of duties: nobody grants roles to themselves, the IT admin included (the scope
    // named lets the error handler record the refusal where it was aimed: R-AUDIT).
    if (input.userId === actor.id) throw new ForbiddenError('self_grant_forbidden', 'You cannot change your own role assignments', { scope: input.scope });
    const created = await this.db.tx(async (m) => {
      await this.store.lockPolicy(m);
      const user = await m.getRepository(User).findOneBy({ id: input.userId });
      if (!user) throw new NotFoundError('User', input.userId);
      if (user.status === 'offboarded') throw new ConflictError('user_offboarded', `User ${user.username} is offboarded`);
      const existing = await this.store.findAssignment(m, input.userId, input.role, input.scope);
      if (existing) {
        throw new ConflictError('already_granted', `${user.username} already holds ${input.role} in ${input.scope}`, { assignmentId: existing.id });
      }
      const before = await this.store.assignmentsOf(m, input.userId);
      const a = await this.store.addAssignment(m, input.userId, input.role, input.scope);
      await this.audit.append(m, actor, {
        action: 'role.granted',
        objectType: 'user',
        objectId: input.userId,
        scope: input.scope,
        before: { assignments: before.map(({ role, scope }) => ({ role, scope })) },
        after: { assignments: [...before, a].map(({ role, scope }) => ({ role, scope })) },
      });
      return a;
    });
    await this.policy.reload();
    return created;
  }

  async revoke(actor: Acting, assignmentId: number): Promise<void> {
    await this.db.tx(async (m) => {
      await this.store.lockPolicy(m);
      const all = await this.store.listAssignments(m, {});
      const a = all.find((x) => x.id === assignmentId);
      if (!a) throw new NotFoundError('Role assignment', assignmentId);
      if (a.userId === actor.id) throw new ForbiddenError('self_grant_forbidden', 'You cannot change your own role assignments', { scope: a.scope });
      await this.users.refuseLastItAdmin(m, a.userId, [a]);
      const before = all.filter((x) => x.userId === a.userId);
      await this.store.removeAssignment(m, a.id);
      await this.audit.append(m, actor, {
        action: 'role.revoked',
        objectType: 'user',
        objectId: a.userId,
        scope: a.scope,
        before: { assignments: before.map(({ role, scope }) => ({ role, scope })) },
        after: { assignments: before.filter((x) => x.id !== a.id).map(({ role, scope }) => ({ role, scope })) },
      });
    });
    await this.policy.reload();
  }

  async listLines(): Promise<{ version: number; lines: StoredLine[] }> {
    return { version: this.policy.version, lines: await this.store.listLines(this.db.manager) };
  }

  private validateLine(line: Omit<StoredLine, 'id'>): void {
    const issues = [];
    if (!ROLE_NAMES.includes(line.role)) issues.push({ path: 'body.role', message: `role must be one of ${ROLE_NAMES.join(', ')}` });
    if (line.scope !== '*' && !parseScope(line.scope)) issues.push({ path: 'body.scope', message: 'scope must be "*", "dept:<code>" or "project:<code>"' });
    else if (line.scope !== '*' && !this.policy.scopeExists(line.scope)) issues.push({ path: 'body.scope', message: `scope ${line.scope} does not exist` });
    if (!isKnownPermission(line.object, line.action)) issues.push({ path: 'body.action', message: `${line.object}:${line.action} is not a known permission` });
    if (issues.length) throw new ValidationError('Invalid policy line', issues);
  }

  async addLine(actor: Acting, line: Omit<StoredLine, 'id'>): Promise<StoredLine> {
    this.validateLine(line);
    const created = await this.db.tx(async (m) => {
      await this.store.lockPolicy(m);
      const existing = await this.store.findLine(m, line);
      if (existing) throw new ConflictError('already_exists', 'This policy line already exists', { lineId: existing.id });
      await this.store.addLines(m, [line]);
      const stored = (await this.store.findLine(m, line))!;
      await this.audit.append(m, actor, { action: 'policy.line_added', objectType: 'policy', objectId: stored.id, scope: line.scope, after: line });
      return stored;
    });
    await this.policy.reload();
    return created;
  }

  async removeLine(actor: Acting, id: number): Promise<void> {
    await this.db.tx(async (m) => {
      await this.store.lockPolicy(m);
      const line = await this.store.getLine(m, id);
      if (!line) throw new NotFoundError('Policy line', id);
      await this.store.removeLine(m, id);
      await this.audit.append(m, actor, { action: 'policy.line_removed', objectType: 'policy', objectId: id, scope: line.scope, before: line });
    });
    await this.policy.reload();
  }

  /** Every policy line that applies to the user through their memberships (allow and deny). */
  async effectivePermissions(userId: number): Promise<{ assignments: Assignment[]; permissions: EffectivePermission[] }> {
    const user = await this.db.manager.getRepository(User).findOneBy({ id: userId });
    if (!user) throw new NotFoundError('User', userId);
    const [assignments, lines] = await Promise.all([this.store.assignmentsOf(this.db.manager, userId), this.store.listLines(this.db.manager)]);
    const permissions: EffectivePermission[] = [];
    for (const a of assignments) {
      for (const l of lines) {
        if (l.role !== a.role && l.role !== userSubject(userId)) continue;
        if (l.scope !== '*' && l.scope !== a.scope) continue;
        permissions.push({ scope: a.scope, object: l.object, action: l.action, effect: l.effect, viaRole: a.role, lineId: l.id });
      }
    }
    return { assignments, permissions };
  }

  /**
   * What the user may do, as the policy decides it in each scope where they hold a role: the
   * console builds its menus from this (the server still decides every request).
   */
  permissionsInHeldScopes(userId: number, scopes: string[]): Array<{ permission: string; scopes: string[] }> {
    const out: Array<{ permission: string; scopes: string[] }> = [];
    const held = [...new Set(scopes)];
    for (const [object, actions] of Object.entries(PERMISSIONS)) {
      for (const action of actions) {
        const where = held.filter((scope) => this.policy.decide(userSubject(userId), scope, object, action).allowed);
        if (where.length) out.push({ permission: `${object}:${action}`, scopes: where });
      }
    }
    return out;
  }

  /**
   * The answer the API would give (user, scope, object, action), in words: first the account
   * gate every request passes (accountRefusal: R-OFFBOARD, R-SCOPE lock, R-ONBOARD agreement),
   * then the policy, naming the deciding line (casbin enforceEx). `effect`, `line`, `decidedIn`
   * and `checked` are the policy's own part of the answer, also when the account refuses first.
   */
  async explain(userRef: string, scope: string, object: string, action: string): Promise<Explanation> {
    // A username first (usernames may be all digits), then a numeric id.
    const repo = this.db.manager.getRepository(User);
    const user = (await repo.findOneBy({ username: userRef })) ?? (/^\d+$/.test(userRef) ? await repo.findOneBy({ id: Number(userRef) }) : null);
    if (!user) throw new NotFoundError('User', userRef);
    this.validateScope(scope, 'query.scope');
    const decision = this.policy.decide(userSubject(user.id), scope, object, action);
    const refusal = accountRefusal(user);
    const policyReason = describeDecision(decision, scope, { object, action });
    return {
      ...decision,
      allowed: refusal === null && decision.allowed,
      refusedBy: refusal ? 'account' : decision.allowed ? null : 'policy',
      reason: refusal ? `${user.username} ${refusal.reason}; the policy alone: ${policyReason}` : policyReason,
      user: { id: user.id, username: user.username },
      account: { status: user.status, agreementVersion: user.agreementVersion, lockedUntil: user.lockedUntil, refusal: refusal?.code ?? null },
    };
  }

}
