import { z } from 'zod';
import type { AppContext } from '../../../context';
import type { CustomerImport } from '../../../entities/CustomerImport';
import { acting, loaded, permission, projectInQuery, recordScope, Reply, route, RouteSpec } from '../../../api/route';
import { code } from '../../../api/validate';
import { XLSX_TYPE } from './upload';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

/**
 * Bulk import of customer records. customer:import in the project: R-CTRL-IT (the IT admin
 * has every permission on control data) allows it; R-CTRL-CLERK's deny line refuses the
 * information clerk; R-CTRL-STAFF roles hold no import permission (R-SECRET: deny by default).
 */
export function importRoutes(ctx: AppContext): RouteSpec[] {
  const importScope = recordScope('import', (id) => ctx.imports.load(id), (rec) => ctx.imports.scopeOf(rec));
  return [
    route({
      method: 'post',
      path: '/api/v1/customers/import',
      summary: `Import customer records from a CSV or XLSX file sent as the raw body (Content-Type text/csv or ${XLSX_TYPE}); all-or-nothing unless onError=skip; large files run in the background (202)`,
      tags: ['customers'],
      access: permission('customer', 'import', projectInQuery),
      query: z.strictObject({
        project: code,
        dryRun: bool,
        onError: z.enum(['abort', 'skip']).default('abort'),
        fileName: z.string().trim().min(1).max(200).optional(),
      }),
      status: 201,
      handler: async ({ query, req, auditActor }) => {
        const { status, view } = await ctx.imports.start(acting(auditActor), req, {
          projectCode: query.project,
          dryRun: query.dryRun,
          onError: query.onError,
          fileName: query.fileName ?? null,
        });
        return new Reply(status, view);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/imports/:id',
      summary: 'Status, progress, counts and row errors of a customer import',
      tags: ['customers'],
      access: permission('customer', 'import', importScope),
      params: z.strictObject({ id: z.uuid() }),
      handler: async ({ locals }) => ctx.imports.view(loaded<CustomerImport>(locals, 'import')),
    }),
    route({
      method: 'post',
      path: '/api/v1/imports/:id/commit',
      summary:
        'Commit a dry run: the real import from the file the dry run kept (within 30 minutes of its end), without uploading it again; 409 import_not_committable when it had row errors (all-or-nothing), was committed already or expired (issue 12)',
      tags: ['customers'],
      access: permission('customer', 'import', importScope),
      params: z.strictObject({ id: z.uuid() }),
      status: 201,
      handler: async ({ locals, auditActor }) => {
        const { status, view } = await ctx.imports.commit(acting(auditActor), loaded<CustomerImport>(locals, 'import'));
        return new Reply(status, view);
      },
    }),
  ];
}
