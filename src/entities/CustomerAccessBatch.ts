import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One flush of the access log (issue 14 §2, R-AUDIT): hash = sha256 over the previous batch's
 * hash and this batch's canonical rows, so a changed, added or deleted read breaks the chain.
 * Numbered under the lock of customer_access_head, so several instances write one chain.
 */
@Entity('customer_access_batch')
@Index('idx_customer_access_batch_at', ['at'])
export class CustomerAccessBatch {
  @PrimaryColumn({ type: 'int' })
  seq: number;

  @Column({ type: 'datetime', precision: 3 })
  at: Date;

  @Column({ type: 'int' })
  rowCount: number;

  @Column({ type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
