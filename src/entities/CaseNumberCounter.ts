import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The last case serial handed out in a month (R-CASE-NO): one row per YYMM. Registration locks
 * the row (FOR UPDATE on MySQL) in the transaction that inserts the case, so numbers are unique
 * and gap-free across instances: a registration that rolls back gives its number back.
 */
@Entity('case_number_counter')
export class CaseNumberCounter {
  @PrimaryColumn({ type: 'varchar', length: 4 })
  month: string;

  @Column({ type: 'int' })
  lastSerial: number;
}
