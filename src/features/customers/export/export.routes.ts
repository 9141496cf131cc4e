import { z } from 'zod';
import type { AppContext } from '../../../context';
import { permission, route, RouteSpec, ScopeInput } from '../../../api/route';
import { code, pageQuery } from '../../../api/validate';
import { COMPANY } from '../../../policy/scope';

/** Scope of the list: the project asked for, else the whole company (only company-wide holders of customer:export). */
const projectOrCompany = ({ query }: ScopeInput): string => (query.project ? `project:${String(query.project)}` : COMPANY);

export const exportListItemSchema = z.object({
  id: z.string(),
  project: z.string(),
  format: z.enum(['csv', 'xlsx']),
  purpose: z.string(),
  fields: z.array(z.string()),
  rowCount: z.number().int().nonnegative(),
  releaseId: z.number().int().nullable(),
  createdAt: z.string().describe('ISO 8601'),
  createdBy: z.object({ id: z.number().int(), username: z.string().nullable(), displayName: z.string().nullable() }),
});

/**
 * The record of customer exports (R-CTRL-IT: the IT admin alone exports, so the IT admin reviews
 * them): customer:export in the project asked for, or company-wide without one. Issue 12.
 */
export function exportRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/exports',
      summary: 'Recorded customer exports, newest first: who, when, project, purpose, fields, row count, release (R-CTRL-IT); filter by project and period (from inclusive, to exclusive)',
      tags: ['customers'],
      access: permission('customer', 'export', projectOrCompany),
      query: z.strictObject({
        project: code.optional(),
        from: z.coerce.date().optional(),
        to: z.coerce.date().optional(),
        ...pageQuery,
      }),
      response: z.object({ items: z.array(exportListItemSchema), total: z.number().int().nonnegative() }),
      handler: ({ query }) => ctx.exports.list(query),
    }),
  ];
}
