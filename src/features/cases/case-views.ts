import type { CaseChannel, CaseCause, CaseItem, CaseProposal, CaseStatus, CaseType } from '../../entities/ComplaintCase';
import type { CaseStep } from '../../entities/CaseEvent';
import type { CustomerView } from '../customers/customer.service';
import { redactPersonalDetails } from '../survey/redact';

/**
 * R-CASE-CONFIDENTIAL (第九條(十)): case records are customer information. The free text of a case
 * (the customer's request, notes, product descriptions, findings, proposal and decision notes,
 * the result told to the customer, the reason for lateness) may hold a phone number, an ID
 * number, an email or an employer. Chosen treatment: the text is stored as typed, like a
 * customer record's notes, and EVERY view, listing, export and statistic shows it only through
 * the survey redactor (R-SURVEY-REDACT's redactPersonalDetails): the values never leave the
 * service; the audit trail records only that a text was given, never the text. The customer
 * is shown as in customer views (masked). There is no route that returns a case's text in clear.
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
