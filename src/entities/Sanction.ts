import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A reward (R-REWARD, §5.3.3) or a penalty (R-PENALTY, §5.3.4). */
export const SANCTION_KINDS = ['reward', 'penalty'] as const;
export type SanctionKind = (typeof SANCTION_KINDS)[number];

/** R-REWARD §5.3.3 (1): reporting a leak or an illegal acquisition; (2): stopping or reducing a leak. */
export const REWARD_GROUNDS = ['report', 'remedy'] as const;
/**
 * R-PENALTY §5.3.4 (1) leak by negligence, (2) a lost written list, (3) selling or using customer
 * information for gain; R-CASE-SANCTION (complaint procedure 第十二條): responsibility found on a case.
 */
export const PENALTY_GROUNDS = ['negligent_leak', 'lost_written_list', 'selling_for_gain', 'case_responsibility'] as const;
export const SANCTION_GROUNDS = [...REWARD_GROUNDS, ...PENALTY_GROUNDS] as const;
export type RewardGround = (typeof REWARD_GROUNDS)[number];
export type PenaltyGround = (typeof PENALTY_GROUNDS)[number];
export type SanctionGround = (typeof SANCTION_GROUNDS)[number];

export const SANCTION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type SanctionStatus = (typeof SANCTION_STATUSES)[number];

/**
 * One record of the reward/penalty register (R-REWARD, R-PENALTY, R-CASE-SANCTION): who is
 * rewarded or penalised, on what ground, for which source (an incident, an inspection finding,
 * a complaint case), with the amounts and measures; proposed by the quality department and
 * approved or rejected by the general manager. An approved record is the 獎罰通知單 (notice).
 * Amounts are whole yuan.
 */
@Entity('sanction')
@Index('idx_sanction_status', ['status'])
@Index('idx_sanction_source', ['sourceType', 'sourceId'])
@Index('idx_sanction_user', ['userId'])
export class Sanction {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'simple-enum', enum: SANCTION_KINDS })
  kind: SanctionKind;

  @Column({ type: 'simple-enum', enum: SANCTION_GROUNDS })
  ground: SanctionGround;

  /** The registered source type: 'incident', 'inspection_finding', 'case'. */
  @Column({ type: 'varchar', length: 40 })
  sourceType: string;

  @Column({ type: 'int' })
  sourceId: number;

  /** How the source named itself when the record was proposed (e.g. "incident #12 (lost_written_list)"). */
  @Column({ type: 'varchar', length: 200 })
  sourceLabel: string;

  /** The source's project and department: the record's scope. */
  @Column({ type: 'int', nullable: true })
  projectId: number | null;

  @Column({ type: 'int', nullable: true })
  departmentId: number | null;

  /** The person rewarded or penalised. */
  @Column({ type: 'int' })
  userId: number;

  /** A reward: 100–1000 yuan (R-REWARD). */
  @Column({ type: 'int', nullable: true })
  rewardAmount: number | null;

  /** A fine: 300–2000 yuan (R-PENALTY). */
  @Column({ type: 'int', nullable: true })
  fineAmount: number | null;

  /** Serious cases (R-PENALTY): dismissal. */
  @Column({ type: 'boolean', default: false })
  dismissal: boolean;

  /** Compensation of the company's loss (R-PENALTY), > 0 when ordered. */
  @Column({ type: 'int', nullable: true })
  compensationAmount: number | null;

  /** Referral to the judicial authorities: required when customer information was sold (R-PENALTY (3)). */
  @Column({ type: 'boolean', default: false })
  judicialReferral: boolean;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'simple-enum', enum: SANCTION_STATUSES, default: 'pending' })
  status: SanctionStatus;

  /**
   * `<sourceType>:<sourceId>:<userId>:<kind>:<ground>` while pending or approved, null once
   * rejected: the unique index keeps one live record per person, source and ground, also when
   * two proposals arrive at once.
   */
  @Index('uq_sanction_active', { unique: true })
  @Column({ type: 'varchar', length: 160, nullable: true })
  activeKey: string | null;

  @Column({ type: 'int' })
  proposedById: number;

  @Column({ type: 'int', nullable: true })
  decidedById: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  decisionNote: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
