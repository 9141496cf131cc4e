import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const INSPECTION_STATUSES = ['in_progress', 'completed'] as const;
export type InspectionStatus = (typeof INSPECTION_STATUSES)[number];

/**
 * R-INSPECT (§5.3.2): the quality department's inspection of one project for one two-month
 * period (2026-B6 = November–December). The bimonthly job creates one per project and period;
 * the unique (projectId, period) key is what makes a rerun create nothing twice.
 */
@Entity('inspection')
@Index('uq_inspection_project_period', ['projectId', 'period'], { unique: true })
@Index('idx_inspection_period', ['period', 'status'])
export class Inspection {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  projectId: number;

  /** The project's department when the inspection was created (the report keeps it). */
  @Column({ type: 'int', nullable: true })
  departmentId: number | null;

  /** Bimonthly period key: 2026-B6. */
  @Column({ type: 'varchar', length: 10 })
  period: string;

  /** First instant of the period and first instant after it. */
  @Column({ type: 'datetime', precision: 3 })
  periodStart: Date;

  @Column({ type: 'datetime', precision: 3 })
  periodEnd: Date;

  /** The window the checklist's figures were computed over: the two months before the period. */
  @Column({ type: 'datetime', precision: 3 })
  figuresFrom: Date;

  @Column({ type: 'datetime', precision: 3 })
  figuresTo: Date;

  @Column({ type: 'simple-enum', enum: INSPECTION_STATUSES })
  status: InspectionStatus;

  /** The inspector's overall conclusion, given on completion. */
  @Column({ type: 'text', nullable: true })
  conclusion: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  /** Null when the bimonthly job created it. */
  @Column({ type: 'int', nullable: true })
  createdById: number | null;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  completedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  completedById: number | null;
}
