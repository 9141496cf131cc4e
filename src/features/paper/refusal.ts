import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { ForbiddenError } from '../../errors';

export interface RefusedAction {
  /** e.g. copy.transfer_refused */
  action: string;
  objectType: string;
  objectId: string | number;
  scope: string;
  reason: string;
  after?: unknown;
}

/**
 * A record-level refusal (403 with a stable code): the attempt is written to the audit trail
 * with decision "deny" (R-AUDIT) in its own transaction, then refused. Nothing else changes.
 */
export async function refuse(db: Database, audit: AuditWriter, actor: AuditActor, code: string, message: string, event: RefusedAction, details?: unknown): Promise<never> {
  await db.tx((m) =>
    audit.append(m, actor, {
      action: event.action,
      objectType: event.objectType,
      objectId: event.objectId,
      scope: event.scope,
      decision: 'deny',
      reason: `${code}: ${event.reason}`,
      after: event.after,
    }),
  );
  throw new ForbiddenError(code, message, details);
}
