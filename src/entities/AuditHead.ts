import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The single row holding the chain head. Writers lock it (SELECT ... FOR UPDATE on MySQL) so
 * that several instances append to one chain; verify compares it with the last event, which
 * catches a truncated tail.
 */
@Entity('audit_head')
export class AuditHead {
  @PrimaryColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  seq: number;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
