import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An audit entry written but not yet sealed into the one chain (R-AUDIT, issue 16): on a
 * multi-primary cluster each instance ("writer") appends to a chain of its own here, in the
 * transaction that makes the change, so that writers on different nodes never update the same row;
 * the sealer then moves the entries into audit_event in order, each writer's chain checked first.
 * `hash` = SHA-256(prevHash + canonical entry, with `seq` = the writer's own sequence `wseq`).
 */
@Entity('audit_pending')
@Index('idx_audit_pending_writer', ['writer', 'wseq'], { unique: true })
export class AuditPending {
  /** Auto-increment: on Galera each node hands out its own values (auto_increment_offset), so inserts on different nodes never collide. */
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 64 })
  writer: string;

  @Column({ type: 'int' })
  wseq: number;

  @Column({ type: 'datetime', precision: 3 })
  at: Date;

  @Column({ type: 'int', nullable: true })
  actorId: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  actorName: string | null;

  @Column({ type: 'varchar', length: 100 })
  action: string;

  @Column({ type: 'varchar', length: 60, nullable: true })
  objectType: string | null;

  @Column({ type: 'varchar', length: 120, nullable: true })
  objectId: string | null;

  @Column({ type: 'varchar', length: 120, nullable: true })
  scope: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  decision: 'allow' | 'deny' | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  requestId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ type: 'simple-json', nullable: true })
  before: Record<string, unknown> | unknown[] | null;

  @Column({ type: 'simple-json', nullable: true })
  after: Record<string, unknown> | unknown[] | null;

  @Column({ type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
