import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * R-CLASSES (§5.1): the three classes of customer information the Rules track: paper
 * (customer archives and controlled copies), electronic, and control data (the system's data).
 */
export const INFO_CLASSES = ['paper_archive', 'electronic', 'control_data'] as const;
export type InfoClass = (typeof INFO_CLASSES)[number];

/**
 * One line of a department's customer-information inventory (清單, R-INVENTORY, §3.2, §3.3):
 * which set of customer information the department holds, in what form, who keeps it, where.
 * The keeper is either an active user (keeperUserId) or, when the keeper has no account, a
 * name (keeperName); exactly one of the two is set.
 */
@Entity('inventory_item')
@Index('idx_inventory_department', ['departmentId'])
export class InventoryItem {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  departmentId: number;

  @Column({ type: 'simple-enum', enum: INFO_CLASSES })
  infoClass: InfoClass;

  @Column({ type: 'varchar', length: 500 })
  description: string;

  @Column({ type: 'int', nullable: true })
  keeperUserId: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  keeperName: string | null;

  @Column({ type: 'varchar', length: 200 })
  location: string;

  @Column({ type: 'int' })
  approxCount: number;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastReviewedAt: Date | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;

  @Column({ type: 'int' })
  createdById: number;
}
