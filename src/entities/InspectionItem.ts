import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What the inspector records per checklist item; `pending` until recorded. */
export const ITEM_RESULTS = ['pending', 'pass', 'fail', 'na'] as const;
export type ItemResult = (typeof ITEM_RESULTS)[number];

/** A figure the service already knows for the project, shown beside the item (e.g. 3 copies overdue). */
export interface ItemFigure {
  key: string;
  labelZh: string;
  labelEn: string;
  value: number;
  /** The R-id the figure belongs to. */
  requirement: string;
}

/**
 * R-INSPECT (§5.3.2): one line of an inspection's checklist: a requirement of the Rules that
 * applies to a project, what to check, and the figures the service knows for it. The clause and
 * requirement text are copied when the checklist is made, so the record shows what was checked.
 */
@Entity('inspection_item')
@Index('uq_inspection_item_requirement', ['inspectionId', 'requirementId'], { unique: true })
export class InspectionItem {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  inspectionId: number;

  @Column({ type: 'int' })
  position: number;

  /** e.g. R-NO-PAPER */
  @Column({ type: 'varchar', length: 40 })
  requirementId: string;

  /** e.g. §5.2.1.1 */
  @Column({ type: 'varchar', length: 60 })
  clause: string;

  @Column({ type: 'text' })
  requirementText: string;

  @Column({ type: 'text' })
  checkZh: string;

  @Column({ type: 'text' })
  checkEn: string;

  @Column({ type: 'simple-json' })
  figures: ItemFigure[];

  @Column({ type: 'simple-enum', enum: ITEM_RESULTS })
  result: ItemResult;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  /** What the inspector saw: documents, ledger pages, photos (references, not files). */
  @Column({ type: 'text', nullable: true })
  evidence: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  recordedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  recordedById: number | null;
}
