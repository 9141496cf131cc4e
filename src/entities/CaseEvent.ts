import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const CASE_STEPS = ['registered', 'investigated', 'proposed', 'returned', 'decided', 'communicated', 'closed', 'reopened'] as const;
export type CaseStep = (typeof CASE_STEPS)[number];

/**
 * One step of a complaint case (the tracking columns of 客戶抱怨案件登記追蹤表): who did what and
 * when, shown with the case to those who may read it. The audit trail records the same steps
 * (R-AUDIT); this table is what case readers, who do not read the audit trail, see.
 */
@Entity('case_event')
@Index('idx_case_event_case', ['caseId', 'id'])
export class CaseEvent {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  caseId: number;

  @Column({ type: 'simple-enum', enum: CASE_STEPS })
  step: CaseStep;

  @Column({ type: 'int', nullable: true })
  actorId: number | null;

  @Column({ type: 'datetime', precision: 3 })
  at: Date;

  /** The step's note (e.g. why a proposal was sent back), free text shown redacted. */
  @Column({ type: 'text', nullable: true })
  note: string | null;
}
