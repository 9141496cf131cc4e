import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const PRINT_REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'cancelled'] as const;
export type PrintRequestStatus = (typeof PRINT_REQUEST_STATUSES)[number];

/** The saved customer-list filter a request may name instead of ids (the list's own filter: name contains q). */
export interface PrintFilter {
  q?: string;
}

/**
 * A request to print customer information on paper (R-PRINT-APPROVE, §3.4.1, §5.2.1.1): the
 * requester gives the purpose, the records (ids, or a saved filter of one project resolved at
 * approval), the number of copies and the usage period; a department head or the project
 * manager approves or rejects it, never their own. Approval issues the controlled copies.
 */
@Entity('print_request')
@Index('idx_print_request_project_status', ['projectId', 'status'])
@Index('idx_print_request_requester', ['requestedById'])
export class PrintRequest {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  projectId: number;

  @Column({ type: 'varchar', length: 500 })
  purpose: string;

  /** The customer ids asked for (null when a filter was given). */
  @Column({ type: 'simple-json', nullable: true })
  customerIds: number[] | null;

  /** The saved filter asked for (null when ids were given). */
  @Column({ type: 'simple-json', nullable: true })
  filter: PrintFilter | null;

  /** The concrete records printed: resolved at approval (ids still in the project, or the filter's matches). */
  @Column({ type: 'simple-json', nullable: true })
  recordIds: number[] | null;

  @Column({ type: 'int' })
  copies: number;

  @Column({ type: 'int' })
  usageDays: number;

  /** Whether phones and ID numbers should be printed in clear (only if the requester may reveal them). */
  @Column({ type: 'boolean', default: false })
  includePersonal: boolean;

  @Column({ type: 'simple-enum', enum: PRINT_REQUEST_STATUSES, default: 'pending' })
  status: PrintRequestStatus;

  @Column({ type: 'int' })
  requestedById: number;

  @Column({ type: 'int', nullable: true })
  decidedById: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  decidedAt: Date | null;

  /** The approver's note, the rejection reason, or the requester's cancellation note. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  decisionNote: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
