import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { AuditEntryColumns } from './AuditEntryColumns';

/**
 * An audit entry written but not yet sealed into the one chain (R-AUDIT, issue 16): on a
 * multi-primary cluster each instance ("writer") appends to a chain of its own here, in the
 * transaction that makes the change, so that writers on different nodes never update the same row;
 * the sealer then moves the entries into audit_event in order, each writer's chain checked first.
 * `hash` = SHA-256(prevHash + canonical entry, with `seq` = the writer's own sequence `wseq`).
 */
@Entity('audit_pending')
@Index('idx_audit_pending_writer', ['writer', 'wseq'], { unique: true })
export class AuditPending extends AuditEntryColumns {
  /** Auto-increment: on Galera each node hands out its own values (auto_increment_offset), so inserts on different nodes never collide. */
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 64 })
  writer: string;

  @Column({ type: 'int' })
  wseq: number;
}
