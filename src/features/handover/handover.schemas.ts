import { z } from 'zod';
import { confirmationSchema } from '../confirmations/confirmation.views';
import { HANDOVER_FORMATS, HANDOVER_STATUSES } from '../../entities/HandoverFile';
import { DELEGATION_END_REASONS } from '../../entities/HandoverDelegation';

/**
 * Response schemas of the handover-file routes, for the API document only (the console's typed
 * client is generated from it): they describe what handover.views.ts, destruction-ledger.ts and
 * the confirmations service return, dates as the ISO 8601 strings JSON carries.
 * test/handover-console/ parses real responses with them, so a drift fails a test.
 */
const instant = z.string().describe('An instant, ISO 8601');
const id = z.number().int().positive();

const person = z.strictObject({ id, username: z.string(), displayName: z.string() });

export const delegationSchema = z.strictObject({
  id,
  fileId: id,
  clerkId: id,
  grantedById: id,
  grantedAt: instant,
  expiresAt: instant,
  endedAt: instant.nullable(),
  endedById: id.nullable(),
  endReason: z.enum(DELEGATION_END_REASONS).nullable(),
  state: z.enum(['active', 'expired', ...DELEGATION_END_REASONS]),
});


const metaShape = {
  id,
  serial: z.string().describe('HF-<id>'),
  project: z.string(),
  fileName: z.string(),
  format: z.enum(HANDOVER_FORMATS),
  byteSize: z.number().int().nonnegative(),
  sha256: z.string(),
  status: z.enum(HANDOVER_STATUSES),
  holderId: id,
  uploadedById: id,
  uploadedAt: instant,
  entryReportedAt: instant.nullable(),
  confirmedAt: instant.nullable(),
  destructionDeadline: instant.nullable(),
  destructionId: id.nullable(),
  destroyedAt: instant.nullable(),
  pendingDestruction: z.strictObject({ confirmationId: id, dueAt: instant, state: z.enum(['pending', 'expired']) }).nullable(),
};

/** What any reader sees (the IT admin and auditors too): never the content. */
export const fileMetaSchema = z.strictObject(metaShape);

/** The holder's view: the metadata plus the entry report, the confirmation, the delegations and a destruction awaiting its witness. */
export const fileViewSchema = z.strictObject({
  ...metaShape,
  entry: z.strictObject({ reportedById: id, reportedAt: instant, records: z.number().int().nonnegative(), note: z.string().nullable() }).nullable(),
  confirmedById: id.nullable(),
  delegations: z.array(delegationSchema),
  destructionRequest: confirmationSchema.nullable(),
});

/** The holder's full view, or the metadata (a reader who cannot hold files): tell them apart by `delegations`. */
export const fileSchema = z.union([fileViewSchema, fileMetaSchema]);

export const fileListSchema = z.strictObject({ items: z.array(fileSchema), total: z.number().int().nonnegative() });

export const delegationListSchema = z.strictObject({ items: z.array(delegationSchema) });

export const myDelegationsSchema = z.strictObject({ items: z.array(delegationSchema.extend({ file: fileMetaSchema })) });

/** GET …/view for XLSX and CSV (a PDF is answered as application/pdf, stamped). */
export const rowsViewSchema = z.strictObject({
  id,
  serial: z.string(),
  fileName: z.string(),
  format: z.enum(['xlsx', 'csv']),
  sheet: z.number().int().positive().nullable(),
  sheetCount: z.number().int().nonnegative().nullable(),
  page: z.number().int().positive(),
  pageSize: z.number().int().positive(),
  totalRows: z.number().int().nonnegative(),
  rows: z.array(z.strictObject({ row: z.number().int(), cells: z.array(z.string()) })),
  stamp: z.strictObject({ viewer: z.string(), viewedAt: instant, notice: z.literal('view only') }),
});

export const destructionSchema = z.strictObject({
  id,
  serial: z.string(),
  fileId: id,
  project: z.string(),
  fileName: z.string(),
  format: z.string(),
  sha256: z.string(),
  byteSize: z.number().int().nonnegative(),
  destroyedById: id,
  supervisorId: id,
  witnessId: id,
  method: z.string(),
  reason: z.string().nullable(),
  statusBefore: z.string(),
  destroyedAt: instant,
  bytesShreddedAt: instant.nullable(),
  requestedAt: instant.nullable(),
  witnessConfirmedAt: instant.nullable(),
  confirmationId: id.nullable(),
});

/** The project's information clerks a holder may delegate viewing to. */
export const clerksSchema = z.strictObject({ items: z.array(person) });

/** GET …/:id/record: the file as the reader sees it, or its destruction record once destroyed. */
export const recordSchema = z.union([
  z.strictObject({ destroyed: z.literal(false), file: fileSchema }),
  z.strictObject({ destroyed: z.literal(true), destruction: destructionSchema }),
]);
