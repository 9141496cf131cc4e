import { z } from 'zod';
import type { AuditActor } from '../../audit/audit-writer';
import type { AppContext } from '../../context';
import { acting, loaded, permission, route, RouteSpec, ScopeInput, selfAccess } from '../../api/route';
import { code, pageQuery } from '../../api/validate';
import { COPY_VIEW_STATUSES, ControlledCopy, DESTRUCTION_METHODS } from '../../entities/ControlledCopy';
import { ForbiddenError } from '../../errors';
import { readerOf } from '../access-log/access-log.service';
import { dayOrInstant } from '../../api/day-or-instant';
import { confirmationListSchema, COPY_SORTS, copyListSchema, copyPageSchema, copySchema, lostCopySchema } from './paper.schemas';

const serialParam = z.strictObject({ serial: z.string().trim().min(1).max(40) });
const note = z.string().trim().max(500);

/** An ISO 8601 date-time (with its offset or Z): when something happened. */
const dateTime = z
  .string()
  .trim()
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'an ISO 8601 date-time with its offset, e.g. 2026-12-01T10:30:00+08:00',
  })
  .transform((s) => new Date(s));

/** The numeric user a change of a copy would have moved it to, for the audit trail (R-NO-LEND). */
function attemptedHolder(body: unknown): number | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  for (const k of ['toUserId', 'holderUserId', 'recipientUserId', 'userId']) {
    // Only a number or a numeric string: Number() of a deeply nested array recursed until the stack
    // overflowed, and the scope resolver failed (found by test/api/robustness.test.ts).
    if (typeof b[k] !== 'number' && typeof b[k] !== 'string') continue;
    const v = Number(b[k]);
    if (Number.isInteger(v) && v > 0) return v;
  }
  return null;
}

const bodyFields = (body: unknown): string[] => (body && typeof body === 'object' ? Object.keys(body as object).slice(0, 20) : []);
/**
 * The controlled-copy ledger (R-NO-PAPER, R-NO-LEND, R-PENALTY): the list, one copy, its
 * printout, and its workflow (sign, return to a keeper, destruction before a witness, the second
 * person's confirmation, loss); a change of holder is always refused and recorded.
 *
 * Record-level rules (only the recipient signs, prints, returns; the witness's and keeper's role)
 * are checked in the service after the record is loaded, refused with 403 and a stable code, and
 * audited.
 */
export function controlledCopyRoutes(ctx: AppContext): RouteSpec[] {
  const loadCopy = (serial: string) => ctx.copies.loadBySerial(serial);
  /** The copy's project (404 for an unknown serial); the copy is left for the handler. */
  const copyScope = async ({ params, locals }: ScopeInput) => {
    const c = await loadCopy(String(params.serial));
    locals.copy = c;
    return ctx.copies.scopeOf(c);
  };
  const copy = (locals: Record<string, unknown>) => loaded<ControlledCopy>(locals, 'copy');
  const declineBody = z.strictObject({ reason: z.string().trim().min(3).max(500) });

  /**
   * R-NO-LEND: the scope of a copy whose holder someone tries to change. The attempt (with the
   * holder it would have gone to) is written to the trail before authorization refuses it:
   * controlled_copy:transfer is in no policy line and is not a permission a line may name, so
   * the refusal is the same for everyone, the IT admin included; authorization then records
   * its own access.denied event naming the caller. Should a line ever grant it, the handler
   * refuses anyway (no_lending).
   */
  const transferAttemptScope = (via: 'transfer' | 'patch') => async (input: ScopeInput) => {
    const c = await loadCopy(String(input.params.serial));
    input.locals.copy = c;
    // R-NO-LEND: the refused attempt is recorded with the caller, before authorization refuses the route.
    const caller = input.actor;
    await ctx.copies
      .refuseChange({ id: caller?.id ?? null, username: caller?.username ?? null }, c, { via, toUserId: attemptedHolder(input.body), fields: bodyFields(input.body) })
      .catch((e: unknown) => {
        if (!(e instanceof ForbiddenError)) throw e;
      });
    return ctx.copies.scopeOf(c);
  };
  const refuseInHandler = (via: 'transfer' | 'patch') => async ({ locals, body, auditActor }: { locals: Record<string, unknown>; body: unknown; auditActor: AuditActor }) =>
    ctx.copies.refuseChange(auditActor, loaded<ControlledCopy>(locals, 'copy'), { via, toUserId: attemptedHolder(body), fields: bodyFields(body) });

  return [
    route({
      method: 'get',
      path: '/api/v1/copies',
      summary: 'The controlled-copy ledger of a project, a department or the company; status overdue is computed (R-NO-PAPER); sort=serial|issuedAt|expiresAt|status (the status shown, in the order of the status list) with order=asc (default)|desc, id breaking ties (without sort: newest first); from and/or to: the copies on the ledger during that period (issued before its end, not destroyed or lost before its start), days (YYYY-MM-DD) being whole local days, both included, as for /api/v1/ledger/form',
      tags: ['paper ledger'],
      access: permission('controlled_copy', 'read', ({ query }) =>
        query.project ? `project:${String(query.project)}` : query.department ? `dept:${String(query.department)}` : '*',
      ),
      query: z
        .strictObject({
          project: code.optional(),
          department: code.optional(),
          status: z.enum(COPY_VIEW_STATUSES).optional(),
          holder: z.coerce.number().int().positive().optional(),
          sort: z.enum(COPY_SORTS).optional(),
          order: z.enum(['asc', 'desc']).optional(),
          // The period, parsed as the §7 form's (whole local days, both included; or ISO instants, [from, to)).
          from: dayOrInstant(ctx.config.timezone).optional(),
          to: dayOrInstant(ctx.config.timezone, 'end').optional(),
          ...pageQuery,
        })
        .refine((q) => !(q.project && q.department), { message: 'give project or department, not both', path: ['department'] })
        // Only when both dates parsed (zod runs object refinements after field issues too).
        .refine((q) => !(q.from instanceof Date && q.to instanceof Date) || q.from.getTime() < q.to.getTime(), { message: 'to must not be before from', path: ['to'] }),
      response: copyPageSchema,
      handler: async ({ query }) => {
        const scope = query.project ? `project:${query.project}` : query.department ? `dept:${query.department}` : '*';
        return ctx.copies.listInScope(scope, {
          status: query.status,
          holderUserId: query.holder,
          from: query.from,
          to: query.to,
          sort: query.sort,
          order: query.order,
          limit: query.limit,
          offset: query.offset,
        });
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/me/copies',
      summary: 'The controlled copies I hold (overdue computed); all=true includes returned, destroyed and lost ones',
      tags: ['paper ledger'],
      access: selfAccess(),
      query: z.strictObject({ all: z.enum(['true', 'false']).optional() }),
      response: copyListSchema,
      handler: ({ query, auditActor }) => ctx.copies.mine(acting(auditActor), query.all === 'true'),
    }),
    route({
      method: 'get',
      path: '/api/v1/copies/:serial',
      summary: 'One copy: its recipient, its keeper, or a reader of the ledger (controlled_copy:read)',
      tags: ['paper ledger'],
      access: selfAccess(),
      params: serialParam,
      response: copySchema,
      handler: async ({ params, auditActor }) => ctx.copies.viewFor(acting(auditActor), await loadCopy(params.serial)),
    }),
    route({
      method: 'get',
      path: '/api/v1/copies/:serial/confirmations',
      summary:
        "The copy's returns and destructions as recorded and how each ended (pending, confirmed, declined with its reason, expired), oldest first: for whoever may see the copy (its timeline)",
      tags: ['paper ledger'],
      access: selfAccess(),
      params: serialParam,
      response: confirmationListSchema,
      handler: async ({ params, auditActor }) => ctx.copies.confirmationsOf(acting(auditActor), await loadCopy(params.serial)),
    }),
    route({
      method: 'get',
      path: '/api/v1/copies/:serial/pdf',
      summary: 'The printout (受控文件, serial, recipient, expiry and watermark on every page): the recipient only, while the copy is out and valid; each download is numbered (print n, on every page and on the copy) and audited',
      tags: ['paper ledger'],
      access: selfAccess(),
      params: serialParam,
      produces: 'application/pdf',
      handler: async ({ params, auditActor, res }) => {
        const pdf = await ctx.copies.render(acting(auditActor), await loadCopy(params.serial), readerOf(auditActor, res));
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Content-Type', 'application/pdf');
        res.setHeader('Content-Disposition', `attachment; filename="${params.serial}.pdf"`);
        res.status(200).end(pdf);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/copies/:serial/sign',
      summary: 'The recipient signs for the copy on receipt: awaiting_signature → issued (R-NO-PAPER)',
      tags: ['paper ledger'],
      access: selfAccess(),
      params: serialParam,
      response: copySchema,
      handler: async ({ params, auditActor }) => ctx.copies.sign(acting(auditActor), await loadCopy(params.serial)),
    }),
    route({
      method: 'post',
      path: '/api/v1/copies/:serial/transfer',
      summary: 'Always refused: a controlled copy is never passed to anyone else (R-NO-LEND); the attempt is recorded',
      tags: ['paper ledger'],
      access: permission('controlled_copy', 'transfer', transferAttemptScope('transfer')),
      params: serialParam,
      body: z.strictObject({ toUserId: z.number().int().positive(), reason: note.optional() }),
      handler: refuseInHandler('transfer'),
    }),
    route({
      method: 'patch',
      path: '/api/v1/copies/:serial',
      summary: 'Always refused: the ledger line of a copy changes only by its workflow, never its holder (R-NO-LEND); the attempt is recorded',
      tags: ['paper ledger'],
      access: permission('controlled_copy', 'transfer', transferAttemptScope('patch')),
      params: serialParam,
      body: z.record(z.string(), z.unknown()),
      handler: refuseInHandler('patch'),
    }),
    route({
      method: 'post',
      path: '/api/v1/copies/:serial/return',
      summary:
        'The recipient records returning the copy to a keeper (a supervisor of the project: controlled_copy:witness); pending_receipt until the keeper confirms receipt from their own session (CONFIRMATION_TTL_HOURS), the copy staying out with the recipient meanwhile',
      tags: ['paper ledger'],
      access: selfAccess(),
      params: serialParam,
      body: z.strictObject({ keeperUserId: z.number().int().positive(), note: note.optional() }),
      response: copySchema,
      handler: async ({ params, body, auditActor }) => ctx.copies.returnCopy(acting(auditActor), await loadCopy(params.serial), body),
    }),
    route({
      method: 'post',
      path: '/api/v1/copies/:serial/return/confirm',
      summary: 'The named keeper confirms receiving the returned copy (R-NO-PAPER two-person rule): the copy is returned, kept by them; anyone else 403 (audited); once, before the confirmation lapses (409)',
      tags: ['paper ledger'],
      access: permission('controlled_copy', 'witness', copyScope),
      params: serialParam,
      body: z.strictObject({}).optional(),
      response: copySchema,
      handler: ({ locals, auditActor }) => ctx.copies.decide(acting(auditActor), copy(locals), 'return', 'confirmed'),
    }),
    route({
      method: 'post',
      path: '/api/v1/copies/:serial/return/decline',
      summary: 'The named keeper declines the return with a reason: the copy stays out with its recipient, who is notified',
      tags: ['paper ledger'],
      access: permission('controlled_copy', 'witness', copyScope),
      params: serialParam,
      body: declineBody,
      response: copySchema,
      handler: ({ locals, body, auditActor }) => ctx.copies.decide(acting(auditActor), copy(locals), 'return', 'declined', body.reason),
    }),
    route({
      method: 'post',
      path: '/api/v1/copies/:serial/destroy',
      summary:
        'The holder or a supervisor records the destruction (method, place, time: destroyedAt, default now) before a witness (another supervisor of the project: controlled_copy:witness); pending_witness, and not destroyed, until the witness confirms from their own session (CONFIRMATION_TTL_HOURS)',
      tags: ['paper ledger'],
      access: selfAccess(),
      params: serialParam,
      body: z
        .strictObject({
          method: z.enum(DESTRUCTION_METHODS),
          note: note.optional(),
          place: z.string().trim().min(2).max(200),
          destroyedAt: dateTime.optional(),
          witnessUserId: z.number().int().positive(),
        })
        .refine((b) => b.method !== 'other' || (b.note?.length ?? 0) > 0, { message: 'describe the method in note when it is "other"', path: ['note'] }),
      response: copySchema,
      handler: async ({ params, body, auditActor }) => ctx.copies.destroy(acting(auditActor), await loadCopy(params.serial), body),
    }),
    route({
      method: 'post',
      path: '/api/v1/copies/:serial/destruction/confirm',
      summary: 'The named witness confirms the destruction from their own session (R-NO-PAPER two-person rule): the copy is destroyed; anyone else 403 (audited); once, before the confirmation lapses (409)',
      tags: ['paper ledger'],
      access: permission('controlled_copy', 'witness', copyScope),
      params: serialParam,
      body: z.strictObject({}).optional(),
      response: copySchema,
      handler: ({ locals, auditActor }) => ctx.copies.decide(acting(auditActor), copy(locals), 'destruction', 'confirmed'),
    }),
    route({
      method: 'post',
      path: '/api/v1/copies/:serial/destruction/decline',
      summary: 'The named witness declines the destruction with a reason (did not see it): the copy stays as it was, and whoever recorded it is notified',
      tags: ['paper ledger'],
      access: permission('controlled_copy', 'witness', copyScope),
      params: serialParam,
      body: declineBody,
      response: copySchema,
      handler: ({ locals, body, auditActor }) => ctx.copies.decide(acting(auditActor), copy(locals), 'destruction', 'declined', body.reason),
    }),
    route({
      method: 'get',
      path: '/api/v1/me/confirmations',
      summary:
        'What waits for my confirmation as a named witness or keeper (copy destructions and returns, handover file destructions), open ones only; all=true includes confirmed, declined and expired ones',
      tags: ['paper ledger'],
      access: selfAccess(),
      query: z.strictObject({ all: z.enum(['true', 'false']).optional() }),
      response: confirmationListSchema,
      handler: async ({ query, auditActor }) => ({ items: await ctx.copies.confirmations.listFor(acting(auditActor).id, query.all === 'true') }),
    }),
    route({
      method: 'post',
      path: '/api/v1/copies/:serial/report-lost',
      summary: 'The holder or a supervisor reports the copy lost: the copy becomes lost and an incident (lost written list) is opened (R-PENALTY)',
      tags: ['paper ledger'],
      access: selfAccess(),
      params: serialParam,
      body: z.strictObject({ description: z.string().trim().min(5).max(2000) }),
      response: lostCopySchema,
      handler: async ({ params, body, auditActor }) => ctx.copies.reportLost(acting(auditActor), await loadCopy(params.serial), body),
    }),
  ];
}
