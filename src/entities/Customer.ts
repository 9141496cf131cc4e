import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const NATIONALITY_CLASSES = ['domestic', 'foreign'] as const;
export type NationalityClass = (typeof NATIONALITY_CLASSES)[number];

/**
 * A customer record: control data (管控數據, R-CLASSES) of one project. Personal fields are
 * stored only as AES-256-GCM ciphertext (…Enc), under the data key named by keyId; exact
 * search goes through CustomerLookup (keyed blind index), never through the ciphertext.
 */
@Entity('customer')
@Index('idx_customer_project', ['projectId', 'name'])
export class Customer {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  projectId: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** Unit or address within the project (e.g. 3棟1204室). */
  @Column({ type: 'varchar', length: 200 })
  unit: string;

  @Column({ type: 'simple-enum', enum: NATIONALITY_CLASSES, default: 'domestic' })
  nationality: NationalityClass;

  /** JSON array of phone numbers, encrypted. */
  @Column({ type: 'text', nullable: true })
  phonesEnc: string | null;

  @Column({ type: 'text', nullable: true })
  idNumberEnc: string | null;

  @Column({ type: 'text', nullable: true })
  employerEnc: string | null;

  @Column({ type: 'text', nullable: true })
  emailEnc: string | null;

  @Column({ type: 'text', nullable: true })
  emergencyContactEnc: string | null;

  @Column({ type: 'varchar', length: 20 })
  keyId: string;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ type: 'int', nullable: true })
  createdById: number | null;

  @Column({ type: 'int', nullable: true })
  updatedById: number | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
