import { z } from 'zod';

/** The documented answers of the access routes (R-IT-PERMS), for the console's typed client; test/admin-console checks them. */
const isoDate = z.string().describe('ISO 8601 date-time');
const effect = z.enum(['allow', 'deny']);

export const roleSchema = z.strictObject({
  name: z.string(),
  chinese: z.string(),
  scopes: z.array(z.enum(['company', 'dept', 'project'])),
  description: z.string(),
});
export const rolesSchema = z.strictObject({ items: z.array(roleSchema) });

export const assignmentSchema = z.strictObject({ id: z.number().int(), userId: z.number().int(), role: z.string(), scope: z.string() });
export const assignmentsSchema = z.strictObject({ items: z.array(assignmentSchema) });

export const policyLineSchema = z.strictObject({ id: z.number().int(), role: z.string(), scope: z.string(), object: z.string(), action: z.string(), effect });
export const policySchema = z.strictObject({ version: z.number().int(), lines: z.array(policyLineSchema) });

export const effectivePermissionsSchema = z.strictObject({
  assignments: z.array(assignmentSchema),
  permissions: z.array(
    z.strictObject({ scope: z.string(), object: z.string(), action: z.string(), effect, viaRole: z.string(), lineId: z.number().int() }),
  ),
});

/** GET /authz/explain: the policy's decision (casbin), then the account gate, and the answer in words. */
export const explanationSchema = z.strictObject({
  allowed: z.boolean(),
  refusedBy: z.enum(['account', 'policy']).nullable(),
  reason: z.string(),
  user: z.strictObject({ id: z.number().int(), username: z.string() }),
  account: z.strictObject({
    status: z.string(),
    agreementVersion: z.string().nullable(),
    lockedUntil: isoDate.nullable(),
    refusal: z.string().nullable(),
  }),
  /** allow / deny: a line matched (deny overrides); default: none did; error: the check failed. */
  effect: z.enum(['allow', 'deny', 'default', 'error']),
  /** The deciding policy line as [role, scope, object, action, effect]. */
  line: z.array(z.string()).nullable(),
  decidedIn: z.string().nullable(),
  checked: z.array(z.string()),
});

/** GET /permissions: the vocabulary of objects and actions (src/policy/permissions.ts). */
export const catalogueSchema = z.strictObject({ items: z.array(z.strictObject({ object: z.string(), actions: z.array(z.string()) })) });
