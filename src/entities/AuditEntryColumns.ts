import { Column } from 'typeorm';

/**
 * What an audit entry says, and its link in a hash chain (R-AUDIT): the columns an entry of the
 * one chain (AuditEvent) and an entry still in a writer's own chain (AuditPending, issue 16) share.
 * The hash covers every column here but itself (src/audit/chain.ts).
 */
export abstract class AuditEntryColumns {
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
