import { z } from 'zod';
import { confirmationSchema } from '../confirmations/confirmation.views';
import { COPY_VIEW_STATUSES, DESTRUCTION_METHODS } from '../../entities/ControlledCopy';
import { PRINT_REQUEST_STATUSES } from '../../entities/PrintRequest';

/**
 * Response schemas of the paper-ledger routes (R-PRINT-APPROVE, R-NO-PAPER, R-LEDGER-FORM), for
 * the API document only: the console's client is typed from them. They describe the JSON the
 * services' views become (dates as ISO 8601 strings); test/paper-console/ parses real answers with
 * them, so a view that changes without its schema fails there.
 */

/** The fields GET /api/v1/copies sorts by (?sort=, with ?order=asc|desc); CopyQueries.list maps each to its column. */
export const COPY_SORTS = ['serial', 'issuedAt', 'expiresAt', 'status'] as const;
export interface CopySort {
  sort?: (typeof COPY_SORTS)[number];
  order?: 'asc' | 'desc';
}

const instant = z.string().describe('An instant, ISO 8601');
const userRef = z.strictObject({ id: z.number().int(), username: z.string(), displayName: z.string() });

export const printRequestSchema = z.strictObject({
  id: z.number().int(),
  project: z.string(),
  purpose: z.string(),
  customerIds: z.array(z.number().int()).nullable(),
  filter: z.strictObject({ q: z.string().optional() }).nullable(),
  recordIds: z.array(z.number().int()).nullable().describe('The records printed, resolved at approval; null before'),
  copies: z.number().int(),
  usageDays: z.number().int(),
  includePersonal: z.boolean(),
  status: z.enum(PRINT_REQUEST_STATUSES),
  requestedBy: userRef.nullable(),
  decidedBy: userRef.nullable(),
  decidedAt: instant.nullable(),
  decisionNote: z.string().nullable(),
  createdAt: instant,
  updatedAt: instant,
  issuedCopies: z.array(z.strictObject({ serial: z.string(), status: z.enum(COPY_VIEW_STATUSES), expiresAt: instant })),
});

export const printRequestPageSchema = z.strictObject({ items: z.array(printRequestSchema), total: z.number().int().nonnegative() });


export const confirmationListSchema = z.strictObject({ items: z.array(confirmationSchema) });

export const copySchema = z.strictObject({
  serial: z.string(),
  requestedAt: instant.describe('When its print request was made'),
  status: z.enum(COPY_VIEW_STATUSES),
  project: z.string(),
  printRequestId: z.number().int(),
  purpose: z.string(),
  recordCount: z.number().int(),
  copyNumber: z.number().int(),
  copiesTotal: z.number().int(),
  holder: userRef.nullable(),
  issuedAt: instant,
  expiresAt: instant,
  signedAt: instant.nullable(),
  returnedAt: instant.nullable(),
  returnedTo: userRef.nullable(),
  destroyedAt: instant.nullable(),
  destroyedBy: userRef.nullable(),
  destructionMethod: z.enum(DESTRUCTION_METHODS).nullable(),
  destructionNote: z.string().nullable(),
  destructionPlace: z.string().nullable(),
  witness: userRef.nullable(),
  witnessConfirmedAt: instant.nullable(),
  keeperConfirmedAt: instant.nullable(),
  confirmation: confirmationSchema.nullable().describe('The return or destruction awaiting its keeper or witness (pending), or lapsed (expired)'),
  lostAt: instant.nullable(),
  lostReportedBy: userRef.nullable(),
  incidentId: z.number().int().nullable(),
  printCount: z.number().int(),
});

export const copyPageSchema = z.strictObject({ items: z.array(copySchema), total: z.number().int().nonnegative() });
export const copyListSchema = z.strictObject({ items: z.array(copySchema) });
export const lostCopySchema = copySchema.extend({ incident: z.strictObject({ id: z.number().int(), type: z.string(), status: z.string() }) });
