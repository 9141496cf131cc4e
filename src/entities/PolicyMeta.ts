import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Policy version: bumped in the same transaction as every policy, role or org change; instances poll it. */
@Entity('policy_meta')
export class PolicyMeta {
  @PrimaryColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  version: number;
}
