import { z } from 'zod';
import { CONFIRMATION_KINDS, CONFIRMATION_STATES } from '../../entities/TwoPersonConfirmation';

const instant = z.string().describe('ISO 8601 instant');
const person = z.strictObject({ id: z.number().int(), username: z.string(), displayName: z.string() });

/**
 * A two-person confirmation as the routes show it (ConfirmationView of confirmation.service.ts,
 * dates as the ISO 8601 strings JSON carries): the response schema of the copy and handover-file
 * routes that answer one (R-NO-PAPER, R-HANDOVER-DESTROY).
 */
export const confirmationSchema = z.strictObject({
  id: z.number().int(),
  kind: z.enum(CONFIRMATION_KINDS),
  role: z.enum(['witness', 'keeper']),
  state: z.enum(CONFIRMATION_STATES),
  objectType: z.string(),
  serial: z.string().describe('The copy serial (CC-…) or the handover file serial (HF-…)'),
  project: z.string(),
  requestedBy: person.nullable(),
  requestedAt: instant,
  confirmer: person.nullable(),
  dueAt: instant,
  decidedAt: instant.nullable(),
  statusBefore: z.string(),
  method: z.string().nullable(),
  place: z.string().nullable(),
  actedAt: instant.nullable(),
  note: z.string().nullable(),
  reason: z.string().nullable(),
  declineReason: z.string().nullable(),
});
