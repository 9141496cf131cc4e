import { z } from 'zod';

/** GET /api/v1/people: who can be named (id, username, display name only: R-SCOPE). */
export const peopleSchema = z.strictObject({
  items: z.array(z.strictObject({ id: z.number().int(), username: z.string(), displayName: z.string() })),
});
