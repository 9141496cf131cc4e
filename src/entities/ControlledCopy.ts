import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Stored states of a copy. `overdue` is never stored: it is computed (awaiting_signature|issued past expiresAt). */
export const COPY_STATUSES = ['awaiting_signature', 'issued', 'returned', 'destroyed', 'lost'] as const;
export type CopyStatus = (typeof COPY_STATUSES)[number];
/**
 * What listings show: the stored state, or a computed one: overdue; pending_witness (a destruction
 * recorded, awaiting its witness's confirmation) and pending_receipt (a return awaiting its
 * keeper's), during which the stored state does not change; confirmation_expired (that
 * confirmation lapsed: the copy is where it was, and its holder can start again).
 */
export const COPY_VIEW_STATUSES = [...COPY_STATUSES, 'overdue', 'pending_witness', 'pending_receipt', 'confirmation_expired'] as const;
export type CopyViewStatus = (typeof COPY_VIEW_STATUSES)[number];

export const DESTRUCTION_METHODS = ['shredding', 'pulping', 'burning', 'other'] as const;
export type DestructionMethod = (typeof DESTRUCTION_METHODS)[number];

/** A two-person act recorded on the copy and awaiting the second person (R-NO-PAPER): the witness of a destruction, the keeper of a return. */
export const PENDING_ACTS = ['destruction', 'return'] as const;
export type PendingAct = (typeof PENDING_ACTS)[number];

/**
 * One controlled paper copy (受控文件) of customer information (R-NO-PAPER, §5.2.1.1): a unique
 * serial, the recipient who signed for it, the usage period; it stays with its recipient
 * (R-NO-LEND: there is no holder change) until it is returned to a keeper who confirms receipt,
 * or destroyed before a witness who confirms it, or reported lost (R-PENALTY). One ledger line
 * per copy (R-LEDGER-FORM).
 */
@Entity('controlled_copy')
@Index('idx_controlled_copy_holder', ['holderUserId', 'status'])
@Index('idx_controlled_copy_project', ['projectId', 'status'])
@Index('idx_controlled_copy_issued', ['issuedAt'])
@Index('idx_controlled_copy_request', ['printRequestId'])
export class ControlledCopy {
  @PrimaryGeneratedColumn()
  id: number;

  /** CC-YYMM-NNNNN: the month of approval and its sequence number in that month. */
  @Column({ type: 'varchar', length: 20, unique: true })
  serial: string;

  @Column({ type: 'int' })
  printRequestId: number;

  @Column({ type: 'int' })
  projectId: number;

  /** Copy n of copiesTotal of the request. */
  @Column({ type: 'int' })
  copyNumber: number;

  @Column({ type: 'int' })
  copiesTotal: number;

  /** The recipient (the requester); never changes (R-NO-LEND). */
  @Column({ type: 'int' })
  holderUserId: number;

  @Column({ type: 'simple-enum', enum: COPY_STATUSES, default: 'awaiting_signature' })
  status: CopyStatus;

  /** Approval time: when the copy entered the ledger. */
  @Column({ type: 'datetime', precision: 3 })
  issuedAt: Date;

  /** End of the usage period (approval + usage days). */
  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;

  /** The recipient's signature on receipt. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  signedAt: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  returnedAt: Date | null;

  /** The keeper (a supervisor of the project) who received the returned copy and keeps it until destruction. */
  @Column({ type: 'int', nullable: true })
  returnedToUserId: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  destroyedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  destroyedById: number | null;

  @Column({ type: 'simple-enum', enum: DESTRUCTION_METHODS, nullable: true })
  destructionMethod: DestructionMethod | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  destructionNote: string | null;

  @Column({ type: 'int', nullable: true })
  witnessUserId: number | null;

  /** Where the copy was destroyed (recorded by the destroyer, confirmed by the witness). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  destructionPlace: string | null;

  /** When the witness confirmed the destruction from their own session (R-NO-PAPER: witnessed, not asserted). */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  witnessConfirmedAt: Date | null;

  /** When the keeper confirmed receiving the returned copy. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  keeperConfirmedAt: Date | null;

  /**
   * A destruction or return recorded and awaiting its witness or keeper (two_person_confirmation
   * `confirmationId`, due at `confirmationDueAt`). The stored status does not change meanwhile:
   * the copy stays where it is until the second person confirms. Cleared on confirmation or
   * decline; left as it is when it lapses (shown as confirmation_expired until the holder starts again).
   */
  @Column({ type: 'varchar', length: 20, nullable: true })
  pendingAct: PendingAct | null;

  @Column({ type: 'int', nullable: true })
  confirmationId: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  confirmationDueAt: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lostAt: Date | null;

  @Column({ type: 'int', nullable: true })
  lostReportedById: number | null;

  /** The incident opened when the copy was reported lost (R-PENALTY). */
  @Column({ type: 'int', nullable: true })
  incidentId: number | null;

  /**
   * How many times the recipient downloaded the printout. Each download is numbered (print n,
   * printed on every page's footer) so that a reprint shows on paper and in the ledger
   * (R-NO-PAPER: one serial, one copy).
   */
  @Column({ type: 'int', default: 0 })
  printCount: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
