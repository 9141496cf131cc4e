import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What the second person confirms: the destruction of a controlled copy or of a handover file
 * (the witness), or the receipt of a returned copy (the keeper).
 */
export const CONFIRMATION_KINDS = ['copy_destruction', 'copy_return', 'handover_destruction'] as const;
export type ConfirmationKind = (typeof CONFIRMATION_KINDS)[number];

/**
 * Stored states. `expired` is written when the holder starts again after a lapse (decidedAt
 * null), or when a handover file changes hands with a destruction pending (decidedAt set: closed,
 * not lapsed); until then a pending confirmation past `dueAt` is shown as expired (computed, like
 * overdue copies).
 */
export const CONFIRMATION_STATES = ['pending', 'confirmed', 'declined', 'expired'] as const;
export type ConfirmationState = (typeof CONFIRMATION_STATES)[number];

/**
 * The two-person rule (R-NO-PAPER §5.2.1, R-HANDOVER-DESTROY §5.2.2.3), witnessed rather than
 * asserted: one person records the act (a destruction with its method, time and place, or a
 * return to a keeper) naming the second person, who confirms it, or declines it with a reason,
 * from their own session before `dueAt` (CONFIRMATION_TTL_HOURS). Until then the act is not done:
 * the copy or file stays on its ledger as it was. One row per attempt, kept after the decision,
 * so a declined or lapsed attempt stays on record beside the one that was confirmed.
 */
@Entity('two_person_confirmation')
@Index('idx_confirmation_confirmer', ['confirmerId', 'state'])
@Index('idx_confirmation_object', ['objectType', 'objectId'])
@Index('idx_confirmation_project_due', ['projectId', 'dueAt'])
export class TwoPersonConfirmation {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 30 })
  kind: ConfirmationKind;

  /** controlled_copy or handover_file. */
  @Column({ type: 'varchar', length: 30 })
  objectType: string;

  /** The copy's serial, or the handover file's id. */
  @Column({ type: 'varchar', length: 40 })
  objectId: string;

  @Column({ type: 'int' })
  projectId: number;

  /** Who recorded the act (the destroyer, or the recipient returning the copy). */
  @Column({ type: 'int' })
  requestedById: number;

  @Column({ type: 'datetime', precision: 3 })
  requestedAt: Date;

  /** The named witness (destruction) or keeper (return): the only one who may confirm or decline. */
  @Column({ type: 'int' })
  confirmerId: number;

  /** requestedAt + CONFIRMATION_TTL_HOURS: no confirmation or decline after it. */
  @Column({ type: 'datetime', precision: 3 })
  dueAt: Date;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  state: ConfirmationState;

  /** The status the copy or file had when the act was recorded. */
  @Column({ type: 'varchar', length: 30 })
  statusBefore: string;

  /** Destruction of a copy: shredding, pulping, burning, other. */
  @Column({ type: 'varchar', length: 30, nullable: true })
  method: string | null;

  /** Free text of the requester (the destruction note, the return note): kept here, never in the audit trail. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  /** Where the copy was destroyed. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  place: string | null;

  /** When the copy was destroyed, as recorded by the destroyer. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  actedAt: Date | null;

  /** Why a handover file is destroyed before its entry was confirmed. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;

  /** When the confirmer confirmed or declined. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  decidedAt: Date | null;

  /** The confirmer's reason for declining (free text: kept here, never in the audit trail). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  declineReason: string | null;
}
