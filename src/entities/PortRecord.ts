import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const PORT_STATUSES = ['sealed', 'open'] as const;
export type PortStatus = (typeof PORT_STATUSES)[number];
/** A computer may have no disc burner at all. */
export const BURNER_STATUSES = ['sealed', 'open', 'none'] as const;
export type BurnerStatus = (typeof BURNER_STATUSES)[number];

/**
 * One computer of a department's port register (R-PORTS, §5.2.4): whether its USB ports and its
 * disc burner are sealed, the decision taken from the risk assessment and who approved it, and
 * when the state was last verified on the machine.
 */
@Entity('port_record')
@Index('idx_port_record_department', ['departmentId'])
export class PortRecord {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  departmentId: number;

  /** The computer's asset tag: unique across the company. */
  @Column({ type: 'varchar', length: 60, unique: true })
  assetTag: string;

  /** Who uses the computer: a user, or the name of someone without an account (exactly one). */
  @Column({ type: 'int', nullable: true })
  userId: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  userName: string | null;

  @Column({ type: 'varchar', length: 200 })
  location: string;

  @Column({ type: 'simple-enum', enum: PORT_STATUSES })
  usbStatus: PortStatus;

  @Column({ type: 'simple-enum', enum: BURNER_STATUSES })
  burnerStatus: BurnerStatus;

  /** The decision (seal or keep open, and why). */
  @Column({ type: 'varchar', length: 1000 })
  decision: string;

  @Column({ type: 'int' })
  approvedById: number;

  /** The monthly assessment the decision came from (same department), if any. */
  @Column({ type: 'int', nullable: true })
  riskAssessmentId: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastVerifiedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  lastVerifiedById: number | null;

  @Column({ type: 'int' })
  createdById: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
