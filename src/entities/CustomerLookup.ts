import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Keyed blind index of a customer's phone numbers and ID number: HMAC-SHA-256 of the
 * normalised value. Used for exact search and for deduplication on (project, ID number) and
 * (project, phone) without decrypting anything.
 */
@Entity('customer_lookup')
@Index('idx_customer_lookup_value', ['projectId', 'kind', 'digest'], { unique: true })
@Index('idx_customer_lookup_customer', ['customerId'])
export class CustomerLookup {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  customerId: number;

  @Column({ type: 'int' })
  projectId: number;

  @Column({ type: 'varchar', length: 20 })
  kind: 'phone' | 'id_number';

  @Column({ type: 'varchar', length: 64 })
  digest: string;
}
