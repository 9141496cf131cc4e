import { z } from 'zod';
import { userViewSchema } from './user.views';

/**
 * The documented answers of the account routes (the console's typed client reads them from the
 * API document; test/admin-console checks real answers against them). Dates travel as ISO strings.
 */
/** The fields GET /api/v1/users sorts by (?sort=, with ?order=asc|desc); UserService.list maps each to its column. */
export const USER_SORTS = ['username', 'displayName', 'createdAt', 'status'] as const;
export interface UserSort {
  sort?: (typeof USER_SORTS)[number];
  order?: 'asc' | 'desc';
}

export { emailField, languageField, userViewSchema } from './user.views';

export const userPageSchema = z.strictObject({ items: z.array(userViewSchema), total: z.number().int().nonnegative() });

/** R-OFFBOARD: one thing a user still holds (kind: controlled_copy -> id is the serial; handover_file -> the file id; inventory_keeper -> the item id). */
export const holdingSchema = z.strictObject({ kind: z.string(), id: z.string(), description: z.string() });
export const holdingsSchema = z.strictObject({ items: z.array(holdingSchema) });
