import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const HANDOVER_FORMATS = ['xlsx', 'csv', 'pdf'] as const;
export type HandoverFormat = (typeof HANDOVER_FORMATS)[number];

/**
 * held → (the clerk reports the control data entered) entry_reported → (the lead confirms)
 * pending_destruction → destroyed. A destruction before confirmation needs a recorded reason.
 */
export const HANDOVER_STATUSES = ['held', 'entry_reported', 'pending_destruction', 'destroyed'] as const;
export type HandoverStatus = (typeof HANDOVER_STATUSES)[number];

/**
 * One electronic file the developer handed over with the property (R-HANDOVER-HOLD, §5.2.2.1),
 * held by the project lead. The content is stored encrypted under its own AES-256-GCM key
 * (`storageName` under HANDOVER_STORAGE_DIR); that key is kept here only wrapped by the service
 * data key (`keyId` names which one). Destruction deletes the wrapped key first (R-HANDOVER-DESTROY):
 * from then on the stored bytes are unreadable, whatever happens to them.
 */
@Entity('handover_file')
@Index('idx_handover_file_project', ['projectId', 'status'])
@Index('idx_handover_file_holder', ['holderId', 'status'])
export class HandoverFile {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  projectId: number;

  /** The name the file was handed over under (shown in lists and the destruction record). */
  @Column({ type: 'varchar', length: 200 })
  fileName: string;

  /** Determined from the content, never from the name alone. */
  @Column({ type: 'simple-enum', enum: HANDOVER_FORMATS })
  format: HandoverFormat;

  @Column({ type: 'int' })
  byteSize: number;

  /** SHA-256 of the plaintext, hex: proves which file was held and destroyed. */
  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  /** File name of the ciphertext inside HANDOVER_STORAGE_DIR. */
  @Column({ type: 'varchar', length: 64, unique: true })
  storageName: string;

  /** The file key, wrapped (AES-256-GCM) by the data key `keyId`; null once destroyed (crypto-shred). */
  @Column({ type: 'text', nullable: true })
  wrappedKey: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  keyId: string | null;

  @Column({ type: 'simple-enum', enum: HANDOVER_STATUSES, default: 'held' })
  status: HandoverStatus;

  /** The project lead holding the file: the only one who opens, delegates, confirms and destroys it. */
  @Column({ type: 'int' })
  holderId: number;

  @Column({ type: 'int' })
  uploadedById: number;

  @Column({ type: 'datetime', precision: 3 })
  uploadedAt: Date;

  /** The clerk who reported the control data built from the file as entered, and how many records. */
  @Column({ type: 'int', nullable: true })
  entryReportedById: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  entryReportedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  entryRecords: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  entryNote: string | null;

  /** The lead's confirmation of the entry: starts the destruction deadline. */
  @Column({ type: 'int', nullable: true })
  confirmedById: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  confirmedAt: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  destructionDeadline: Date | null;

  @Column({ type: 'int', nullable: true })
  destructionId: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  destroyedAt: Date | null;

  /**
   * R-HANDOVER-DESTROY: a destruction the holder recorded, awaiting its witness's confirmation
   * (two_person_confirmation `confirmationId`, due at `confirmationDueAt`). The file stays held,
   * keyed and readable meanwhile; the crypto-shred happens at the confirmation. Cleared on
   * decline; left when it lapses, until the holder starts again.
   */
  @Column({ type: 'int', nullable: true })
  confirmationId: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  confirmationDueAt: Date | null;
}
