import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What a read showed (R-SECRET): a list row, a record opened, a search hit, an export row, a printed record, a survey note's original. */
export const ACCESS_KINDS = ['list', 'open', 'search', 'export', 'print', 'survey_original'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/**
 * One read of customer information (issue 14 §2, R-SECRET, R-AUDIT): who, when, which customer,
 * masked or revealed, through which route, in which request. Ids only: never a name, phone or
 * ID number. Written in batches (customer_access_batch), each batch hash-linked to the previous.
 */
@Entity('customer_access')
@Index('idx_customer_access_customer', ['customerId', 'at'])
@Index('idx_customer_access_user', ['userId', 'at'])
@Index('idx_customer_access_project', ['projectId', 'at'])
@Index('idx_customer_access_batch', ['batchSeq'])
export class CustomerAccess {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  batchSeq: number;

  @Column({ type: 'datetime', precision: 3 })
  at: Date;

  @Column({ type: 'int' })
  userId: number;

  /** Null for a survey note that names no customer (its id is in ref). */
  @Column({ type: 'int', nullable: true })
  customerId: number | null;

  @Column({ type: 'int', nullable: true })
  projectId: number | null;

  @Column({ type: 'varchar', length: 16 })
  kind: AccessKind;

  /** True when a personal field was shown in clear (a reveal, an export with the field, a copy printed in clear). */
  @Column({ type: 'boolean' })
  revealed: boolean;

  /** "GET /api/v1/customers/:id": the route pattern, never the raw URL (it may carry a phone). */
  @Column({ type: 'varchar', length: 120 })
  route: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  requestId: string | null;

  /** The export id, copy serial or survey note id the read went through, if any. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  ref: string | null;
}
