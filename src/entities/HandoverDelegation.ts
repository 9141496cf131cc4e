import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const DELEGATION_END_REASONS = ['revoked', 'destroyed', 'transferred'] as const;
export type DelegationEndReason = (typeof DELEGATION_END_REASONS)[number];

/**
 * View-only access to one handover file, granted by the holding lead to an information clerk of
 * the same project for a set time (R-HANDOVER-HOLD, §5.2.2.1). It ends at `expiresAt`, or earlier
 * when revoked, when the file is destroyed, or when custody passes to another lead.
 */
@Entity('handover_delegation')
@Index('idx_handover_delegation_file', ['fileId'])
@Index('idx_handover_delegation_clerk', ['clerkId', 'endedAt'])
export class HandoverDelegation {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  fileId: number;

  @Column({ type: 'int' })
  clerkId: number;

  @Column({ type: 'int' })
  grantedById: number;

  @Column({ type: 'datetime', precision: 3 })
  grantedAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  endedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  endedById: number | null;

  @Column({ type: 'simple-enum', enum: DELEGATION_END_REASONS, nullable: true })
  endReason: DelegationEndReason | null;
}
