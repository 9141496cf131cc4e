import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** draft (the department head fills it) → submitted → reviewed by the quality department; a return sends it back to draft. */
export const ASSESSMENT_STATUSES = ['draft', 'submitted', 'reviewed'] as const;
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number];

/** One computed indicator as stored in the assessment's snapshot (see src/features/indicators). */
export interface IndicatorSnapshot {
  key: string;
  labelZh: string;
  labelEn: string;
  value: number;
  requirement: string;
}

/**
 * A department's monthly confidentiality risk assessment (客戶信息保密風險評估表, R-RISK-MONTHLY,
 * §5.3.1, §7): one per department and month, created on the 1st for the month before, pre-filled
 * with the indicators computed for the department's projects (a snapshot; refreshed on request
 * while still a draft).
 */
@Entity('risk_assessment')
@Index('uq_risk_assessment_period', ['departmentId', 'period'], { unique: true })
@Index('idx_risk_assessment_status', ['status', 'period'])
export class RiskAssessment {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  departmentId: number;

  /** The month assessed, YYYY-MM (local calendar). */
  @Column({ type: 'varchar', length: 7 })
  period: string;

  @Column({ type: 'simple-enum', enum: ASSESSMENT_STATUSES, default: 'draft' })
  status: AssessmentStatus;

  @Column({ type: 'simple-json' })
  indicators: IndicatorSnapshot[];

  /** The "as of" instant of the indicator snapshot. */
  @Column({ type: 'datetime', precision: 3 })
  indicatorsAsOf: Date;

  @Column({ type: 'int', nullable: true })
  submittedById: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  submittedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  reviewedById: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  reviewedAt: Date | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  reviewComment: string | null;

  /** The last return to draft by the quality department, and why. */
  @Column({ type: 'int', nullable: true })
  returnedById: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  returnedAt: Date | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  returnReason: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
