import { AuditActor, AuditWriter } from '../audit/audit-writer';
import { Database } from '../db/database';
import type { User } from '../entities/User';
import { AppError, ForbiddenError } from '../errors';
import { CURRENT_AGREEMENT, hasSignedCurrentAgreement } from './agreement';
import type { Logger } from '../logger';
import { Decision, PolicyService, userSubject } from './policy-service';
import { recordRefusal, recordUnrecorded, RefusedRequest } from './refusal';
import { ROLE_NAMES } from './roles';
import { COMPANY } from './scope';

export interface Permission {
  object: string;
  action: string;
}

/** What the account gate reads of a user (the request's actor, or the user an explanation is about). */
export type AccountState = Pick<User, 'status' | 'agreementVersion'> & { lockedUntil?: Date | null; offboardedAt?: Date | null };

/** Why an account may not use the API at all, whatever the policy says. */
export interface AccountRefusal {
  /** What the API answers: 401 for a leaver (every token revoked), 403 otherwise. */
  status: 401 | 403;
  code: 'token_revoked' | 'account_locked' | 'agreement_required';
  /** In words, about the user (for /authz/explain). */
  reason: string;
  /** To the caller themselves. */
  message: string;
}

/**
 * The account gate, before any policy line is looked at; the one definition, used by every
 * request (src/api/mount-routes.ts) and by /authz/explain, so both give the same answer:
 * - R-OFFBOARD: a leaver has no access (their tokens are revoked: 401 on every request);
 * - R-SCOPE: an account locked after repeated failed sign-ins has none until the lock passes
 *   (a correct password is refused meanwhile; a session opened before the lock is suspended too);
 * - R-ONBOARD: nobody reaches customer information before signing the current agreement.
 */
export function accountRefusal(u: AccountState, now: Date = new Date()): AccountRefusal | null {
  if (u.status === 'offboarded') {
    const when = u.offboardedAt ? ` (offboarded at ${u.offboardedAt.toISOString()})` : '';
    return { status: 401, code: 'token_revoked', reason: `has left the company${when}`, message: 'The access token has been revoked' };
  }
  if (u.lockedUntil && u.lockedUntil.getTime() > now.getTime()) {
    const until = u.lockedUntil.toISOString();
    return {
      status: 403,
      code: 'account_locked',
      reason: `account is locked until ${until} after repeated failed sign-ins`,
      message: `The account is locked until ${until} after repeated failed sign-ins`,
    };
  }
  if (!hasSignedCurrentAgreement(u)) {
    return {
      status: 403,
      code: 'agreement_required',
      reason: `has not signed the confidentiality agreement version ${CURRENT_AGREEMENT.version}`,
      message: `Sign the confidentiality agreement version ${CURRENT_AGREEMENT.version} first (POST /api/v1/me/agreement)`,
    };
  }
  return null;
}

/** A policy decision in words. */
export function describeDecision(d: Decision, scope: string, p: Permission): string {
  const perm = `${p.object}:${p.action}`;
  if (d.effect === 'allow') return `${perm} is allowed in ${d.decidedIn ?? scope} by policy line ${d.line?.join(', ')}`;
  if (d.effect === 'deny') return `${perm} is denied in ${d.decidedIn ?? scope} by policy line ${d.line?.join(', ')}`;
  if (d.effect === 'error') return `the authorization check of ${perm} failed`;
  return `no policy line allows ${perm} in ${scope} (scopes checked: ${d.checked.join(', ')})`;
}

/**
 * The single gate. The route middleware calls it with the route's declared permission and
 * the scope it resolved; services call it again after loading a record (record-level checks,
 * e.g. the print request's project). Every denial is written to the audit trail (R-AUDIT),
 * through the one refusal path (src/policy/refusal.ts).
 */
export class Authorizer {
  constructor(
    private readonly policy: PolicyService,
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly logger: Logger,
  ) {}

  decide(userId: number, scope: string, p: Permission): Decision {
    return this.policy.decide(userSubject(userId), scope, p.object, p.action);
  }

  /**
   * The users the policy allows `p` in `scope`, each decided exactly as their own request would be
   * (the scope chain, deny-override): the candidates are the holders of any role in the scope or an
   * enclosing one, the only places a line can reach it from. Offboarded users hold no role. Who is
   * told that a record waits for their decision (e.g. a print request's approvers).
   */
  holders(scope: string, p: Permission): number[] {
    const candidates = new Set<number>();
    for (const s of this.policy.scopeChain(scope)) for (const role of ROLE_NAMES) for (const id of this.policy.holdersOf(role, s)) candidates.add(id);
    return [...candidates].filter((id) => this.decide(id, scope, p).allowed).sort((a, b) => a - b);
  }

  /** Throws 403 with the missing permission unless the policy allows it. */
  async require(actor: AuditActor & { id: number }, scope: string, p: Permission): Promise<Decision> {
    const decision = this.decide(actor.id, scope, p);
    if (decision.allowed) return decision;
    const err = new ForbiddenError('forbidden', `Missing permission ${p.object}:${p.action} in scope ${scope}`, {
      permission: `${p.object}:${p.action}`,
      scope,
      reason:
        decision.effect === 'deny'
          ? `denied by policy line ${decision.line?.join(', ')}`
          : decision.effect === 'error'
            ? 'the authorization check failed'
            : 'no policy line allows it',
    });
    await this.recordDenial(actor, scope, p, decision, err);
    throw err;
  }

  /** Allowed if the permission holds in "*" or in any scope where the user holds a role. */
  async requireInHeldScope(actor: AuditActor & { id: number }, p: Permission): Promise<Decision> {
    const scopes = [COMPANY, ...this.policy.heldScopes(userSubject(actor.id)).filter((s) => s !== COMPANY)];
    for (const scope of scopes) {
      const decision = this.decide(actor.id, scope, p);
      if (decision.allowed) return decision;
    }
    return this.require(actor, COMPANY, p);
  }

  /** The policy's refusal in the trail; `err`, the 403 it becomes, is then known to be recorded. */
  async recordDenial(actor: AuditActor, scope: string, p: Permission, decision: Decision, err?: Error): Promise<void> {
    try {
      await recordRefusal(
        this.db,
        this.audit,
        actor,
        {
          action: 'access.denied',
          objectType: p.object,
          scope,
          reason: `${p.object}:${p.action} ${decision.effect}${decision.line ? ' [' + decision.line.join(', ') + ']' : ''}`,
        },
        err,
      );
    } catch (e) {
      // The request is refused either way; a failed audit write must not turn a 403 into a 500
      // (the error handler's net tries once more: the refusal is not marked recorded).
      this.logger.error('could not record access denial', { error: String(e) });
    }
  }

  /** The error handler's net under every 403 that nobody recorded (see recordUnrecorded). */
  async recordRefused(err: AppError, r: RefusedRequest): Promise<void> {
    try {
      await recordUnrecorded(this.db, this.audit, err, r);
    } catch (e) {
      this.logger.error('could not record a refusal', { code: err.code, error: String(e) });
    }
  }
}
