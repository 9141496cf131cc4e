import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const JOB_RUN_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type JobRunStatus = (typeof JOB_RUN_STATUSES)[number];
export const JOB_TRIGGERS = ['schedule', 'catch_up', 'manual'] as const;
export type JobTrigger = (typeof JOB_TRIGGERS)[number];

/**
 * The claim and record of one job for one period. The unique (job, period) key is what makes a
 * job run once per period across every instance on one database: the first instance to insert
 * the row runs it; a crashed run is taken over only once its lease has expired.
 */
@Entity('job_run')
@Index('uq_job_run_period', ['job', 'period'], { unique: true })
export class JobRun {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 60 })
  job: string;

  /** The period the run covers: 2026-11-28 (daily), 2026-11 (monthly), 2026-B6 (bimonthly: Nov–Dec). */
  @Column({ type: 'varchar', length: 20 })
  period: string;

  @Column({ type: 'simple-enum', enum: JOB_RUN_STATUSES })
  status: JobRunStatus;

  @Column({ type: 'simple-enum', enum: JOB_TRIGGERS })
  trigger: JobTrigger;

  @Column({ type: 'int' })
  attempts: number;

  @Column({ type: 'varchar', length: 80 })
  instanceId: string;

  @Column({ type: 'int', nullable: true })
  requestedById: number | null;

  @Column({ type: 'datetime', precision: 3 })
  startedAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  finishedAt: Date | null;

  /** A running claim older than this is considered crashed and may be taken over. */
  @Column({ type: 'datetime', precision: 3 })
  leaseUntil: Date;

  @Column({ type: 'simple-json', nullable: true })
  result: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
