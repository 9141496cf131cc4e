import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The record of a handover file's destruction (R-HANDOVER-DESTROY, §5.2.2.2–3): what (name,
 * hash, size), who destroyed it, who supervised (the lead) and who witnessed, when, how, and
 * why if it was destroyed before the entry was confirmed. Written when the witness confirms, in
 * the same transaction that deletes the file's wrapped key; `bytesShreddedAt` is set once the ciphertext has also been
 * overwritten and unlinked (a start-up sweep finishes that step after a crash).
 */
@Entity('handover_destruction')
export class HandoverDestruction {
  @PrimaryGeneratedColumn()
  id: number;

  /** One destruction per file, ever. */
  @Column({ type: 'int', unique: true })
  fileId: number;

  @Column({ type: 'int' })
  projectId: number;

  @Column({ type: 'varchar', length: 200 })
  fileName: string;

  @Column({ type: 'varchar', length: 10 })
  format: string;

  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  @Column({ type: 'int' })
  byteSize: number;

  @Column({ type: 'int' })
  destroyedById: number;

  /** The project lead who supervised (§5.2.2.3). */
  @Column({ type: 'int' })
  supervisorId: number;

  /** A second person with the witness permission in the project, never the destroyer. */
  @Column({ type: 'int' })
  witnessId: number;

  @Column({ type: 'varchar', length: 300 })
  method: string;

  /** Why the file was destroyed before the lead confirmed the entry (null for a regular destruction). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;

  /** The status the file had when destroyed (pending_destruction, or earlier with a reason). */
  @Column({ type: 'varchar', length: 30 })
  statusBefore: string;

  @Column({ type: 'datetime', precision: 3 })
  destroyedAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  bytesShreddedAt: Date | null;

  /** When the holder recorded the destruction (null for a destruction recorded before the two-person rule). */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  requestedAt: Date | null;

  /**
   * When the witness confirmed it from their own session: the moment of the crypto-shred (equal to
   * destroyedAt). Null for a destruction recorded before the two-person rule (asserted, not witnessed).
   */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  witnessConfirmedAt: Date | null;

  /** The two_person_confirmation the witness confirmed. */
  @Column({ type: 'int', nullable: true })
  confirmationId: number | null;
}
