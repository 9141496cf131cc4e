import { z } from 'zod';
import { customerViewSchema } from './customer.views';

/**
 * Response shapes of the customer routes, for the API document (the console's typed client).
 * They describe what the service returns: personal fields masked (R-SECRET) except in a reveal.
 */

export const customerPageSchema = z.object({ items: z.array(customerViewSchema), total: z.number().int().nonnegative() });

export const customerMatchesSchema = z.object({ items: z.array(customerViewSchema) });

/** A reveal answers the id and only the fields asked for, in clear. */
export const revealedSchema = z.object({
  id: z.number().int(),
  phones: z.array(z.string()).optional(),
  idNumber: z.string().nullable().optional(),
  employer: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  emergencyContact: z.string().nullable().optional(),
});
