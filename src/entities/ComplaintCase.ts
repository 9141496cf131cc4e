import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { NATIONALITY_CLASSES, NationalityClass } from './Customer';

/** How the customer reached the company (第九條(一): the business department takes the complaint). */
export const CASE_CHANNELS = ['phone', 'visit', 'letter', 'email', 'online', 'sales_rep', 'other'] as const;
export type CaseChannel = (typeof CASE_CHANNELS)[number];

/** What the customer raises: a complaint about quality or not about quality (第五條), a repair request, or other. */
export const CASE_TYPES = ['quality_complaint', 'non_quality_complaint', 'repair_request', 'other'] as const;
export type CaseType = (typeof CASE_TYPES)[number];

/** The cause found by the investigation (第五條): a quality abnormality, or a non-quality (human) cause. */
export const CASE_CAUSES = ['quality', 'non_quality'] as const;
export type CaseCause = (typeof CASE_CAUSES)[number];

/** The handling proposal (第九條(三), 第十三條): return, replacement, discount, compensation, or the complaint rejected (客訴不成立). */
export const CASE_PROPOSALS = ['return', 'replacement', 'discount', 'compensation', 'rejected'] as const;
export type CaseProposal = (typeof CASE_PROPOSALS)[number];

/**
 * registered (numbered and accepted) → investigating (responsible department, cause) → proposed
 * (handling proposal) → decided (by an approver whose authority covers the amount) →
 * communicated (result given to the customer) → closed.
 */
export const CASE_STATUSES = ['registered', 'investigating', 'proposed', 'decided', 'communicated', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** A product or order concerned by the case, with quantities where known (第九條(一)). */
export interface CaseItem {
  product?: string;
  orderNo?: string;
  quantity?: number;
  defectiveQuantity?: number;
}

/**
 * A complaint case (客戶抱怨處理表) about a customer of a project: customer information under the
 * Rules (R-CASE-CONFIDENTIAL), numbered YYMM-NNN (R-CASE-NO), due 15 or 20 days after
 * acceptance (R-CASE-DEADLINE). Free-text fields are stored as typed and shown only redacted
 * (see src/features/cases/case.views.ts).
 */
@Entity('complaint_case')
@Index('uq_complaint_case_no', ['caseNo'], { unique: true })
@Index('idx_complaint_case_project', ['projectId', 'status'])
@Index('idx_complaint_case_due', ['status', 'dueAt'])
@Index('idx_complaint_case_closed', ['closedAt'])
@Index('idx_complaint_case_customer', ['customerId'])
export class ComplaintCase {
  @PrimaryGeneratedColumn()
  id: number;

  /** YYMM-NNN (R-CASE-NO); the serial grows past 999 (2611-1000). */
  @Column({ type: 'varchar', length: 20 })
  caseNo: string;

  @Column({ type: 'int' })
  projectId: number;

  @Column({ type: 'int' })
  customerId: number;

  /** The customer's nationality class at acceptance: it set the deadline (R-CASE-DEADLINE). */
  @Column({ type: 'simple-enum', enum: NATIONALITY_CLASSES })
  nationality: NationalityClass;

  @Column({ type: 'simple-enum', enum: CASE_STATUSES, default: 'registered' })
  status: CaseStatus;

  @Column({ type: 'simple-enum', enum: CASE_CHANNELS })
  channel: CaseChannel;

  @Column({ type: 'simple-enum', enum: CASE_TYPES })
  type: CaseType;

  /** The customer's request (客戶要求), free text. */
  @Column({ type: 'text' })
  request: string;

  @Column({ type: 'simple-json' })
  items: CaseItem[];

  /** Notes attached at intake, free text. */
  @Column({ type: 'text', nullable: true })
  notes: string | null;

  /** Acceptance (受理): the registration. */
  @Column({ type: 'datetime', precision: 3 })
  acceptedAt: Date;

  /** The last local day of the deadline (YYYY-MM-DD in the configured timezone). */
  @Column({ type: 'varchar', length: 10 })
  dueDate: string;

  /** The first instant after the due date: open at or after it = overdue; closed at or after it = late. */
  @Column({ type: 'datetime', precision: 3 })
  dueAt: Date;

  /** The responsible department (職責歸屬部門), set by the investigation. */
  @Column({ type: 'int', nullable: true })
  departmentId: number | null;

  @Column({ type: 'simple-enum', enum: CASE_CAUSES, nullable: true })
  cause: CaseCause | null;

  /** The cause analysis and responsibility finding, free text. */
  @Column({ type: 'text', nullable: true })
  findings: string | null;

  /** The persons found responsible (R-CASE-SANCTION: the source of a reward/penalty record). */
  @Column({ type: 'simple-json' })
  responsibleUserIds: number[];

  @Column({ type: 'simple-enum', enum: CASE_PROPOSALS, nullable: true })
  proposal: CaseProposal | null;

  /** The amount of the proposal in fen (1/100 yuan), where relevant. */
  @Column({ type: 'int', nullable: true })
  amountFen: number | null;

  @Column({ type: 'text', nullable: true })
  proposalNote: string | null;

  @Column({ type: 'int', nullable: true })
  proposedById: number | null;

  @Column({ type: 'int', nullable: true })
  decidedById: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  decidedAt: Date | null;

  /** The role whose approval limit covered the amount, e.g. "dept_head (5000)". */
  @Column({ type: 'varchar', length: 80, nullable: true })
  decidedAs: string | null;

  @Column({ type: 'text', nullable: true })
  decisionNote: string | null;

  /** What the customer was told (第九條(四)), free text. */
  @Column({ type: 'text', nullable: true })
  result: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  communicatedAt: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  closedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  closedById: number | null;

  /** Closed at or after dueAt (R-CASE-CHASE); null while open. */
  @Column({ type: 'boolean', nullable: true })
  late: boolean | null;

  /** Required when closed late (R-CASE-CHASE), free text. */
  @Column({ type: 'text', nullable: true })
  lateReason: string | null;

  /** The case this one reopens (第九條(八)): the customer did not accept its decision. */
  @Column({ type: 'int', nullable: true })
  reopenedFromId: number | null;

  /** The case that reopened this one. */
  @Column({ type: 'int', nullable: true })
  reopenedToId: number | null;

  @Column({ type: 'int' })
  createdById: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
