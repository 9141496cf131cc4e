import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const RELEASE_STATUSES = ['pending', 'approved', 'rejected', 'downloaded', 'cancelled'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

/**
 * A release of customer information outside the company (R-EXTERNAL, §3.5): requested with
 * recipient, purpose, scope and fields; approved or rejected by the general manager; downloaded
 * once, by the requester, within 24 hours of approval.
 */
@Entity('external_release')
@Index('idx_release_status', ['status'])
export class ExternalRelease {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  projectId: number;

  @Column({ type: 'varchar', length: 200 })
  recipient: string;

  @Column({ type: 'varchar', length: 500 })
  purpose: string;

  /** Personal fields the recipient receives in clear (others are left out). */
  @Column({ type: 'simple-json' })
  fields: string[];

  @Column({ type: 'varchar', length: 10 })
  format: 'csv' | 'xlsx';

  @Column({ type: 'simple-enum', enum: RELEASE_STATUSES, default: 'pending' })
  status: ReleaseStatus;

  @Column({ type: 'int' })
  requestedById: number;

  @Column({ type: 'int', nullable: true })
  decidedById: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  decisionNote: string | null;

  /** approval + 24 h: the download window. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  availableUntil: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  downloadedAt: Date | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  exportId: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
