import type { AuditActor } from '../../audit/audit-writer';
import type { CaseChannel, CaseCause, CaseItem, CaseProposal, CaseStatus, CaseType, ComplaintCase } from '../../entities/ComplaintCase';
import type { CaseStep } from '../../entities/CaseEvent';
import type { CustomerView } from '../customers/customer.service';
import { redactPersonalDetails } from '../../lib/redact';

/** Who takes a step on a case: an audited actor with a user id. */
export type CaseActor = AuditActor & { id: number };

export interface CaseIntake {
  project: string;
  customerId: number;
  channel: CaseChannel;
  type: CaseType;
  request: string;
  items?: CaseItem[];
  notes?: string | null;
}

export interface CaseListFilter {
  project?: string;
  department?: string;
  status?: CaseStatus;
  overdue?: boolean;
  customerId?: number;
  limit: number;
  offset: number;
}

/**
 * R-CASE-CONFIDENTIAL (第九條(十)): case records are customer information. The free text of a case
 * (the customer's request, notes, product descriptions, findings, proposal and decision notes,
 * the result told to the customer, the reason for lateness) may hold a phone number, an ID
 * number, an email or an employer. Chosen treatment: the text is stored as typed, like a
 * customer record's notes, and EVERY view, listing, export and statistic shows it only through
 * the shared redactor (src/lib/redact.ts, R-SURVEY-REDACT's redactPersonalDetails): the values
 * never leave the service; the audit trail records only that a text was given, never the text.
 * The customer is shown as in customer views (masked). There is no route that returns a case's
 * text in clear.
 */
export function redacted(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : redactPersonalDetails(text).text;
}

export function redactedItems(items: CaseItem[]): CaseItem[] {
  return items.map((i) => ({
    ...(i.product !== undefined ? { product: redacted(i.product)! } : {}),
    ...(i.orderNo !== undefined ? { orderNo: redacted(i.orderNo)! } : {}),
    ...(i.quantity !== undefined ? { quantity: i.quantity } : {}),
    ...(i.defectiveQuantity !== undefined ? { defectiveQuantity: i.defectiveQuantity } : {}),
  }));
}

/** What the audit trail records of a case: states, classes, ids and amounts; never free text (R-CASE-CONFIDENTIAL). */
export function caseSnapshot(c: ComplaintCase) {
  return {
    caseNo: c.caseNo,
    status: c.status,
    customerId: c.customerId,
    type: c.type,
    channel: c.channel,
    dueDate: c.dueDate,
    departmentId: c.departmentId,
    cause: c.cause,
    responsibleUserIds: c.responsibleUserIds,
    proposal: c.proposal,
    amount: c.amountFen === null ? null : c.amountFen / 100,
    decidedAs: c.decidedAs,
    late: c.late,
    reopenedFromId: c.reopenedFromId,
    reopenedToId: c.reopenedToId,
  };
}

export interface CaseHistoryEntry {
  step: CaseStep;
  at: Date;
  byUserId: number | null;
  byUsername: string | null;
  note: string | null;
}

export interface CaseView {
  id: number;
  caseNo: string;
  project: string;
  status: CaseStatus;
  channel: CaseChannel;
  type: CaseType;
  /** The customer as in customer views: personal fields masked, notes redacted; null if the record was deleted. */
  customer: CustomerView | null;
  customerId: number;
  request: string;
  items: CaseItem[];
  notes: string | null;
  /** R-CASE-DEADLINE: accepted at, 15 or 20 days, the due date, and whether it is overdue now. */
  acceptedAt: Date;
  deadlineDays: number;
  dueDate: string;
  dueAt: Date;
  overdue: boolean;
  department: string | null;
  cause: CaseCause | null;
  findings: string | null;
  responsibleUserIds: number[];
  proposal: CaseProposal | null;
  /** In yuan. */
  amount: number | null;
  proposalNote: string | null;
  decidedById: number | null;
  decidedAt: Date | null;
  decidedAs: string | null;
  decisionNote: string | null;
  result: string | null;
  communicatedAt: Date | null;
  closedAt: Date | null;
  closedById: number | null;
  late: boolean | null;
  lateReason: string | null;
  reopenedFrom: { id: number; caseNo: string } | null;
  reopenedTo: { id: number; caseNo: string } | null;
  createdById: number;
  createdAt: Date;
  updatedAt: Date;
  /** Free text is shown redacted (R-CASE-CONFIDENTIAL). */
  redacted: true;
  /** The steps so far (single-case reads only). */
  history?: CaseHistoryEntry[];
}

/** What a view needs besides the case row, read by the service (the mapping itself reads nothing). */
export interface CaseViewContext {
  project: string;
  customer: CustomerView | null;
  deadlineDays: number;
  department: string | null;
  link: (id: number | null) => { id: number; caseNo: string } | null;
  now: Date;
}

/** The case as the routes show it: free text redacted, the customer masked (R-CASE-CONFIDENTIAL). */
export function toCaseView(c: ComplaintCase, x: CaseViewContext): CaseView {
  return {
    id: c.id,
    caseNo: c.caseNo,
    project: x.project,
    status: c.status,
    channel: c.channel,
    type: c.type,
    customer: x.customer,
    customerId: c.customerId,
    request: redacted(c.request)!,
    items: redactedItems(c.items),
    notes: redacted(c.notes),
    acceptedAt: c.acceptedAt,
    deadlineDays: x.deadlineDays,
    dueDate: c.dueDate,
    dueAt: c.dueAt,
    overdue: c.status !== 'closed' && x.now.getTime() >= c.dueAt.getTime(),
    department: x.department,
    cause: c.cause,
    findings: redacted(c.findings),
    responsibleUserIds: c.responsibleUserIds,
    proposal: c.proposal,
    amount: c.amountFen === null ? null : c.amountFen / 100,
    proposalNote: redacted(c.proposalNote),
    decidedById: c.decidedById,
    decidedAt: c.decidedAt,
    decidedAs: c.decidedAs,
    decisionNote: redacted(c.decisionNote),
    result: redacted(c.result),
    communicatedAt: c.communicatedAt,
    closedAt: c.closedAt,
    closedById: c.closedById,
    late: c.late,
    lateReason: redacted(c.lateReason),
    reopenedFrom: x.link(c.reopenedFromId),
    reopenedTo: x.link(c.reopenedToId),
    createdById: c.createdById,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    redacted: true,
  };
}
