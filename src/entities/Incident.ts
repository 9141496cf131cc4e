import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** The kinds of incident the Rules sanction (R-PENALTY, §5.3.4). */
export const INCIDENT_TYPES = ['negligent_leak', 'lost_written_list', 'selling_for_gain', 'illegal_acquisition', 'other'] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];
export const INCIDENT_STATUSES = ['reported', 'investigating', 'concluded'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * An incident involving customer information (R-PENALTY, §5.3.4): a leak by negligence, a lost
 * written list (e.g. a controlled copy reported lost), selling or illegally acquiring customer
 * information. Opened by a report (possibly anonymous), investigated and concluded by the
 * quality department with findings and the responsible persons, on which sanctions are based.
 */
@Entity('incident')
@Index('idx_incident_status', ['status'])
@Index('idx_incident_project', ['projectId'])
@Index('idx_incident_copy', ['copyId'])
export class Incident {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'simple-enum', enum: INCIDENT_TYPES })
  type: IncidentType;

  @Column({ type: 'simple-enum', enum: INCIDENT_STATUSES, default: 'reported' })
  status: IncidentStatus;

  @Column({ type: 'int', nullable: true })
  projectId: number | null;

  @Column({ type: 'int', nullable: true })
  departmentId: number | null;

  /** Who reported it; null for an anonymous report. */
  @Column({ type: 'int', nullable: true })
  reporterId: number | null;

  @Column({ type: 'boolean', default: false })
  anonymous: boolean;

  @Column({ type: 'text' })
  description: string;

  /** The controlled copy concerned (a lost copy), if any. */
  @Column({ type: 'int', nullable: true })
  copyId: number | null;

  /** The person who held the information: the first candidate for responsibility. */
  @Column({ type: 'int', nullable: true })
  holderUserId: number | null;

  /** The quality inspector who took the incident up (reported → investigating). */
  @Column({ type: 'int', nullable: true })
  investigatorId: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  investigationStartedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  findings: string | null;

  @Column({ type: 'simple-json' })
  responsibleUserIds: number[];

  /** The quality inspector who concluded it (→ concluded). */
  @Column({ type: 'int', nullable: true })
  concludedById: number | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  concludedAt: Date | null;
}
