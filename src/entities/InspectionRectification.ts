import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * R-INSPECT (§5.3.2): which finding a rectification (kept by the rectification register, with
 * owner and due date) was assigned for.
 */
@Entity('inspection_rectification')
@Index('uq_inspection_rectification', ['rectificationId'], { unique: true })
@Index('idx_inspection_rectification_inspection', ['inspectionId'])
export class InspectionRectification {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  inspectionId: number;

  @Column({ type: 'int' })
  findingId: number;

  @Column({ type: 'int' })
  rectificationId: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'int' })
  createdById: number;
}
