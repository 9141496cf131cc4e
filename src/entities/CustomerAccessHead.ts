import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The single row holding the head of the access-log batch chain; a flush locks it (FOR UPDATE
 * on MySQL), as the audit writer locks audit_head, so batches of several instances form one chain.
 */
@Entity('customer_access_head')
export class CustomerAccessHead {
  @PrimaryColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  seq: number;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
