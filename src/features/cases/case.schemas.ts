import { z } from 'zod';
import { CASE_STEPS } from '../../entities/CaseEvent';
import { CASE_CAUSES, CASE_CHANNELS, CASE_PROPOSALS, CASE_STATUSES, CASE_TYPES } from '../../entities/ComplaintCase';
import { customerViewSchema } from '../customers/customer.views';

/**
 * Response schemas of the complaint-case routes, for the API document only (the console's typed
 * client is generated from it). They describe what CaseQueries / CaseStatisticsService return as
 * JSON (dates as ISO strings); test/cases-console checks real answers against them.
 */

/** The fields GET /api/v1/cases sorts by (?sort=, with ?order=asc|desc); CaseQueries.list maps each to its column. */
export const CASE_SORTS = ['caseNo', 'registeredAt', 'deadline', 'status'] as const;
/** ?sort= and ?order= of the list (they pass through CaseService.list with the CaseListFilter). */
export interface CaseSort {
  sort?: (typeof CASE_SORTS)[number];
  order?: 'asc' | 'desc';
}

const instant = z.string().describe('ISO 8601 instant');
const link = z.object({ id: z.number(), caseNo: z.string() });

/** The customer as customer views show it (R-SECRET, R-CASE-CONFIDENTIAL): personal fields masked. */
/** The case's customer, masked as the customer routes show it. */
const maskedCustomer = customerViewSchema;

const caseItem = z.object({
  product: z.string().optional(),
  orderNo: z.string().optional(),
  quantity: z.number().optional(),
  defectiveQuantity: z.number().optional(),
});

export const caseHistoryEntrySchema = z.object({
  step: z.enum(CASE_STEPS),
  at: instant,
  byUserId: z.number().nullable(),
  byUsername: z.string().nullable(),
  note: z.string().nullable(),
});

/** CaseView (case.views.ts): free text redacted, customer masked (R-CASE-CONFIDENTIAL). */
export const caseViewSchema = z.object({
  id: z.number(),
  caseNo: z.string(),
  project: z.string(),
  status: z.enum(CASE_STATUSES),
  channel: z.enum(CASE_CHANNELS),
  type: z.enum(CASE_TYPES),
  customer: maskedCustomer.nullable(),
  customerId: z.number(),
  request: z.string(),
  items: z.array(caseItem),
  notes: z.string().nullable(),
  acceptedAt: instant,
  deadlineDays: z.number(),
  dueDate: z.string().describe('YYYY-MM-DD, the last day (R-CASE-DEADLINE)'),
  dueAt: instant,
  overdue: z.boolean(),
  department: z.string().nullable(),
  cause: z.enum(CASE_CAUSES).nullable(),
  findings: z.string().nullable(),
  responsibleUserIds: z.array(z.number()),
  proposal: z.enum(CASE_PROPOSALS).nullable(),
  amount: z.number().nullable().describe('yuan'),
  proposalNote: z.string().nullable(),
  decidedById: z.number().nullable(),
  decidedAt: instant.nullable(),
  decidedAs: z.string().nullable(),
  decisionNote: z.string().nullable(),
  result: z.string().nullable(),
  communicatedAt: instant.nullable(),
  closedAt: instant.nullable(),
  closedById: z.number().nullable(),
  late: z.boolean().nullable(),
  lateReason: z.string().nullable(),
  reopenedFrom: link.nullable(),
  reopenedTo: link.nullable(),
  createdById: z.number(),
  createdAt: instant,
  updatedAt: instant,
  redacted: z.literal(true),
  history: z.array(caseHistoryEntrySchema).optional(),
});

export const caseListSchema = z.object({ items: z.array(caseViewSchema), total: z.number() });

const statsSummary = {
  period: z.string(),
  periodStart: instant,
  periodEnd: instant,
  computedAt: instant,
  final: z.boolean(),
  caseCount: z.number(),
  onTime: z.number(),
  late: z.number(),
  averageDays: z.number().nullable(),
};

export const caseStatisticsListSchema = z.object({ items: z.array(z.object(statsSummary)), total: z.number() });

/** CaseStatisticsView (case-statistics.views.ts): numbers and classes only, no customer, no free text. */
export const caseStatisticsSchema = z.object({
  ...statsSummary,
  byType: z.record(z.string(), z.number()),
  byCause: z.record(z.string(), z.number()),
  byDepartment: z.array(
    z.object({
      department: z.string().nullable(),
      departmentName: z.string().nullable(),
      cases: z.number(),
      onTime: z.number(),
      late: z.number(),
      averageDays: z.number().nullable(),
    }),
  ),
  cases: z.array(
    z.object({
      caseNo: z.string(),
      project: z.string(),
      type: z.string(),
      cause: z.string().nullable(),
      department: z.string().nullable(),
      proposal: z.string().nullable(),
      acceptedAt: z.string(),
      closedAt: z.string(),
      days: z.number(),
      late: z.boolean(),
    }),
  ),
});
