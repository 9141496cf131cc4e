import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Key check values: written the first time a key is used, compared at every start, so a wrong
 * DATA_KEY or BLIND_INDEX_KEY stops the service instead of producing garbage later.
 */
@Entity('key_check')
export class KeyCheck {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  checkValue: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
