import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Where a rectification comes from: a department's monthly risk assessment (R-RISK-MONTHLY) or an inspection (R-INSPECT). */
export const RECTIFICATION_SOURCES = ['risk_assessment', 'inspection'] as const;
export type RectificationSource = (typeof RECTIFICATION_SOURCES)[number];

export const RECTIFICATION_STATUSES = ['open', 'in_progress', 'done'] as const;
export type RectificationStatus = (typeof RECTIFICATION_STATUSES)[number];

/**
 * One rectification action (整改, §5.3.1 "及時整改"): what must be put right, who owns it and by
 * when, how far it got and the evidence that it was done. It belongs to the department
 * (assessment findings) or to the project (inspection findings) it was found in. A rectification
 * not done by its due date is overdue: reminded daily and counted in the next monthly assessment.
 */
@Entity('rectification')
@Index('idx_rectification_source', ['sourceType', 'sourceId'])
@Index('idx_rectification_due', ['status', 'dueDate'])
@Index('idx_rectification_department', ['departmentId'])
@Index('idx_rectification_project', ['projectId'])
export class Rectification {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'simple-enum', enum: RECTIFICATION_SOURCES })
  sourceType: RectificationSource;

  /** The risk assessment's or the inspection's id. */
  @Column({ type: 'int' })
  sourceId: number;

  @Column({ type: 'int', nullable: true })
  departmentId: number | null;

  @Column({ type: 'int', nullable: true })
  projectId: number | null;

  @Column({ type: 'varchar', length: 1000 })
  description: string;

  /** The owner: an active user when the action was opened. */
  @Column({ type: 'int' })
  ownerUserId: number;

  /** Local calendar date (YYYY-MM-DD, in the configured timezone): due by the end of that day. */
  @Column({ type: 'varchar', length: 10 })
  dueDate: string;

  @Column({ type: 'simple-enum', enum: RECTIFICATION_STATUSES, default: 'open' })
  status: RectificationStatus;

  @Column({ type: 'text', nullable: true })
  evidenceNotes: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  doneAt: Date | null;

  @Column({ type: 'int' })
  createdById: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
