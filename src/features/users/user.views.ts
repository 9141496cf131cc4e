import { z } from 'zod';
import { USER_LANGUAGES, USER_STATUSES } from '../../entities/User';

/**
 * The account's documented shape and the contact fields, shared with the own profile
 * (src/features/me: GET /api/v1/me, PATCH /api/v1/me/profile). Dates travel as ISO strings.
 */
const isoDate = z.string().describe('ISO 8601 date-time');

export const userViewSchema = z.strictObject({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  departmentCode: z.string().nullable(),
  status: z.enum(USER_STATUSES),
  agreementVersion: z.string().nullable(),
  agreementSignedAt: isoDate.nullable(),
  lockedUntil: isoDate.nullable(),
  createdAt: isoDate,
  offboardedAt: isoDate.nullable(),
  email: z.string().nullable(),
  language: z.enum(USER_LANGUAGES),
});

/**
 * An e-mail address for notifications (null clears it): one address, no display name, no
 * spaces or line breaks (it becomes an SMTP envelope recipient).
 */
export const emailField = z.email({ error: 'a valid e-mail address such as name@example.com' }).max(254).nullable();
export const languageField = z.enum(USER_LANGUAGES, { error: "'zh-Hant' or 'en'" });

