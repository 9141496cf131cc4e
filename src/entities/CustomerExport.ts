import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One export of control data (R-CTRL-IT: the IT admin alone exports). The id is printed in the
 * file itself, so a leaked file can be traced to who exported it, when and why.
 */
@Entity('customer_export')
// The monthly indicators count a department's exports by project and period.
@Index('idx_customer_export_project_at', ['projectId', 'createdAt'])
export class CustomerExport {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'int' })
  projectId: number;

  @Column({ type: 'varchar', length: 10 })
  format: 'csv' | 'xlsx';

  @Column({ type: 'varchar', length: 500 })
  purpose: string;

  /** Personal fields written in clear. */
  @Column({ type: 'simple-json' })
  fields: string[];

  @Column({ type: 'int' })
  rowCount: number;

  /** Set when the export is the download of an approved external release (R-EXTERNAL). */
  @Column({ type: 'int', nullable: true })
  releaseId: number | null;

  @Column({ type: 'int' })
  createdById: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
