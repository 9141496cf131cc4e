import type { AuditActor, AuditWriter } from '../../audit/audit-writer';
import type { Database } from '../../db/database';
import type { HandoverFile } from '../../entities/HandoverFile';
import { AppError, ErrorCode, ForbiddenError } from '../../errors';
import type { Logger } from '../../logger';

export type Acting = AuditActor & { id: number };

export const serialOf = (fileId: number): string => `HF-${fileId}`;

/** R-HANDOVER-DESTROY: after destruction every access answers 410 with the destruction record. */
export function ensureNotDestroyed(f: HandoverFile): void {
  if (f.status === 'destroyed') {
    throw new AppError(410, 'destroyed', `Handover file ${serialOf(f.id)} was destroyed${f.destroyedAt ? ` at ${f.destroyedAt.toISOString()}` : ''}: see destruction record ${f.destructionId}`, {
      destructionId: f.destructionId,
    });
  }
}

/**
 * Record-level refusals (not the holder, no delegation, delegation expired or revoked): one
 * audit event with decision "deny" (R-AUDIT), then 403 with a stable code.
 */
export class Refusals {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly logger: Logger,
  ) {}

  async refuse(actor: Acting, f: Pick<HandoverFile, 'id'>, scope: string, action: string, code: ErrorCode, message: string): Promise<never> {
    try {
      await this.db.tx((m) =>
        this.audit.append(m, actor, { action: 'handover_file.denied', objectType: 'handover_file', objectId: f.id, scope, decision: 'deny', reason: `${action} ${code}: ${message}` }),
      );
    } catch (err) {
      // Refused either way; a failed audit write must not turn a 403 into a 500.
      this.logger.error('could not record a handover refusal', { error: String(err) });
    }
    throw new ForbiddenError(code, message, { fileId: f.id, action });
  }
}
