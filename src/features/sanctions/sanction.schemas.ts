import { z } from 'zod';
import { SANCTION_GROUNDS, SANCTION_KINDS, SANCTION_STATUSES } from '../../entities/Sanction';

/** R-REWARD, R-PENALTY: the documented shape of a register record (SanctionView of sanction.views.ts) for the API document. */
const instant = z.string().describe('An instant, ISO 8601');
const person = z.strictObject({ id: z.number().int(), username: z.string().nullable(), displayName: z.string().nullable() });
export const sanctionSchema = z.strictObject({
  id: z.number().int(),
  kind: z.enum(SANCTION_KINDS),
  ground: z.enum(SANCTION_GROUNDS),
  source: z.strictObject({ type: z.string(), id: z.number().int(), label: z.string() }),
  project: z.string().nullable(),
  department: z.string().nullable(),
  person,
  rewardAmount: z.number().int().nullable(),
  fineAmount: z.number().int().nullable(),
  dismissal: z.boolean(),
  compensationAmount: z.number().int().nullable(),
  judicialReferral: z.boolean(),
  reason: z.string(),
  status: z.enum(SANCTION_STATUSES),
  proposedBy: person,
  proposedAt: instant,
  decidedBy: person.nullable(),
  decidedAt: instant.nullable(),
  decisionNote: z.string().nullable(),
});
export const sanctionListSchema = z.strictObject({ items: z.array(sanctionSchema), total: z.number().int() });
