import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, permission, route, RouteSpec } from '../../api/route';
import { dayOrInstant } from '../../api/day-or-instant';
import { parseScope } from '../../policy/scope';

/** A scope as the API writes it: "*", "dept:<code>" or "project:<code>". */
const scopeString = z.string().refine((s) => parseScope(s) !== null, { message: 'one of "*", "dept:<code>" or "project:<code>"' });

/** The §7 Borrowing & Destruction Record Form (R-LEDGER-FORM): every ledger's lines for a period and a scope. */
export function ledgerFormRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/ledger/form',
      summary:
        'The Borrowing & Destruction Record Form (客戶信息借閱、銷毀記錄表) for a period and a scope, as CSV, XLSX or PDF: every copy with a ledger event (approval, signature, return, destruction, loss, or a destruction or return awaiting confirmation) in the period, with who confirmed it and when (R-LEDGER-FORM). from and to given as days (YYYY-MM-DD) are whole local days, both included: from=2026-12-01&to=2026-12-31 is all of December, from=to one day; given as ISO 8601 date-times they are [from, to)',
      tags: ['paper ledger'],
      access: permission('ledger_form', 'read', ({ query }) => String(query.scope)),
      produces: 'application/pdf',
      query: z
        .strictObject({
          from: dayOrInstant(ctx.config.timezone),
          to: dayOrInstant(ctx.config.timezone, 'end'),
          scope: scopeString.default('*'),
          format: z.enum(['csv', 'xlsx', 'pdf']).default('pdf'),
        })
        // Only when both dates parsed (zod runs object refinements after field issues too).
        .refine((q) => !(q.from instanceof Date && q.to instanceof Date) || q.from.getTime() < q.to.getTime(), { message: 'to must not be before from', path: ['to'] }),
      handler: async ({ query, auditActor, res }) => {
        const out = await ctx.ledgerForm.produce(acting(auditActor), query);
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Content-Type', out.contentType);
        res.setHeader('Content-Disposition', `attachment; filename="${out.filename}"`);
        res.setHeader('X-Row-Count', String(out.rows));
        res.status(200).end(out.body);
      },
    }),
  ];
}
