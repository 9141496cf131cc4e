import { Entity, Index, PrimaryColumn } from 'typeorm';
import { AuditEntryColumns } from './AuditEntryColumns';

/**
 * One entry of the append-only audit trail (R-AUDIT). `seq` is assigned by the writer under
 * a lock on AuditHead, and `hash` = SHA-256(prevHash + canonical entry), so editing,
 * deleting or inserting a row breaks the chain where it happened.
 */
@Entity('audit_event')
@Index('idx_audit_at', ['at'])
@Index('idx_audit_actor', ['actorId'])
@Index('idx_audit_action', ['action'])
@Index('idx_audit_object', ['objectType', 'objectId'])
// The list's other filters (issue 14 §3): each an index range in seq order, for cursor pages.
@Index('idx_audit_actor_name', ['actorName'])
@Index('idx_audit_object_id', ['objectId'])
@Index('idx_audit_scope', ['scope'])
@Index('idx_audit_decision', ['decision'])
// The monthly indicators (src/features/indicators): reveals by action, scope and period; refusals
// by decision, scope and period, `action` last so that excluding refused offboardings reads the index alone.
@Index('idx_audit_action_scope_at', ['action', 'scope', 'at'])
@Index('idx_audit_decision_scope_at', ['decision', 'scope', 'at', 'action'])
export class AuditEvent extends AuditEntryColumns {
  @PrimaryColumn({ type: 'int' })
  seq: number;
}
