import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A writer's own chain in audit_pending (issue 16). Two rows per writer, each updated by one party
 * only, so that the writer and a sealer on another node never touch the same row:
 * - role 'written': the writer's last entry (it locks this row to append: a lock on its own node);
 * - role 'sealed': the last of its entries moved into the chain (only the sealer writes it).
 */
@Entity('audit_writer_head')
export class AuditWriterHead {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  writer: string;

  @PrimaryColumn({ type: 'varchar', length: 8 })
  role: 'written' | 'sealed';

  @Column({ type: 'int' })
  wseq: number;

  @Column({ type: 'varchar', length: 64 })
  hash: string;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
