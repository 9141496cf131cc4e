import { AuditActor, AuditWriter } from '../audit/audit-writer';
import { Database } from '../db/database';
import { ForbiddenError } from '../errors';
import type { Logger } from '../logger';
import { Decision, PolicyService, userSubject } from './policy-service';
import { COMPANY } from './scope';

export interface Permission {
  object: string;
  action: string;
}

/**
 * The single gate. The route middleware calls it with the route's declared permission and
 * the scope it resolved; services call it again after loading a record (record-level checks,
 * e.g. the print request's project). Every denial is written to the audit trail (R-AUDIT).
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

  /** Throws 403 with the missing permission unless the policy allows it. */
  async require(actor: AuditActor & { id: number }, scope: string, p: Permission): Promise<Decision> {
    const decision = this.decide(actor.id, scope, p);
    if (decision.allowed) return decision;
    await this.recordDenial(actor, scope, p, decision);
    throw new ForbiddenError('forbidden', `Missing permission ${p.object}:${p.action} in scope ${scope}`, {
      permission: `${p.object}:${p.action}`,
      scope,
      reason:
        decision.effect === 'deny'
          ? `denied by policy line ${decision.line?.join(', ')}`
          : decision.effect === 'error'
            ? 'the authorization check failed'
            : 'no policy line allows it',
    });
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

  async recordDenial(actor: AuditActor, scope: string, p: Permission, decision: Decision): Promise<void> {
    try {
      await this.db.tx((m) =>
        this.audit.append(m, actor, {
          action: 'access.denied',
          objectType: p.object,
          scope,
          decision: 'deny',
          reason: `${p.object}:${p.action} ${decision.effect}${decision.line ? ' [' + decision.line.join(', ') + ']' : ''}`,
        }),
      );
    } catch (err) {
      // The request is refused either way; a failed audit write must not turn a 403 into a 500.
      this.logger.error('could not record access denial', { error: String(err) });
    }
  }
}
