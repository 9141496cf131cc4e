import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const SURVEY_SOURCES = ['interview', 'census'] as const;
export const SURVEY_NOTE_STATUSES = ['pending_reconciliation', 'archived'] as const;
export type SurveyNoteStatus = (typeof SURVEY_NOTE_STATUSES)[number];

/**
 * Notes from a large-scale interview or a census (R-SURVEY-REDACT, §5.2.2.4). Until the clerk
 * has reconciled them into the control data, the original text exists only encrypted
 * (rawEnc); archiving keeps the redacted text and deletes the original.
 */
@Entity('survey_note')
@Index('idx_survey_note_project', ['projectId', 'status'])
export class SurveyNote {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  projectId: number;

  @Column({ type: 'int', nullable: true })
  customerId: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  unit: string | null;

  @Column({ type: 'simple-enum', enum: SURVEY_SOURCES })
  source: (typeof SURVEY_SOURCES)[number];

  @Column({ type: 'simple-enum', enum: SURVEY_NOTE_STATUSES, default: 'pending_reconciliation' })
  status: SurveyNoteStatus;

  /** The original text, AES-256-GCM; null once archived. */
  @Column({ type: 'text', nullable: true })
  rawEnc: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  keyId: string | null;

  /** The archive: the text without phone numbers, ID numbers, emails or employers. */
  @Column({ type: 'text', nullable: true })
  archivedText: string | null;

  /** Kinds and counts removed (never the values). */
  @Column({ type: 'simple-json', nullable: true })
  removed: Record<string, number> | null;

  /** Customer records changed while reconciling. */
  @Column({ type: 'simple-json' })
  reconciledCustomerIds: number[];

  @Column({ type: 'int' })
  createdById: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'int', nullable: true })
  archivedById: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  archivedAt: Date | null;
}
