import type { Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { HANDOVER_STATUSES, HandoverFile } from '../../entities/HandoverFile';
import type { HandoverDestruction } from '../../entities/HandoverDestruction';
import { acting, loaded, permission, projectInQuery, recordScope, Reply, route, RouteSpec, selfAccess } from '../../api/route';
import { code, idParam, pageQuery } from '../../api/validate';
import { ForbiddenError } from '../../errors';
import { confirmationSchema } from '../confirmations/confirmation.views';
import {
  clerksSchema,
  delegationListSchema,
  delegationSchema,
  destructionSchema,
  fileListSchema,
  fileMetaSchema,
  fileSchema,
  fileViewSchema,
  myDelegationsSchema,
  recordSchema,
  rowsViewSchema,
} from './handover.schemas';

const CONTENT_TYPES = { pdf: 'application/pdf', csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

/** R-HANDOVER-HOLD: nothing of a handover file is ever kept in a cache. */
const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

/** Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const fileName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((n) => !/[\\/\x00-\x1f\x7f]/.test(n), 'a file name without path separators or control characters');

/**
 * The developer's electronic handover files (R-HANDOVER-HOLD, R-HANDOVER-DESTROY, §5.2.2).
 * Permissions (policies/policy.csv): the project lead holds, reads, views, delegates, confirms,
 * destroys and witnesses; the information clerk views (by delegation, checked on the record)
 * and reports the entry; the IT admin reads metadata and transfers custody (R-OFFBOARD), never
 * to themselves; auditors read the metadata and the destruction records (R-AUDIT); the head of
 * the project's department may witness a destruction (§5.2.2.3).
 * Downloading needs handover_file:hold (the holder only); forwarding needs handover_file:forward,
 * which is not in the permission vocabulary, so no policy line can ever grant it: the route
 * exists to refuse and record the attempt.
 */
export function handoverRoutes(ctx: AppContext): RouteSpec[] {
  const fileScope = recordScope('file', (id) => ctx.handover.load(Number(id)), (f) => ctx.handover.scopeOf(f));
  const file = (locals: Record<string, unknown>) => loaded<HandoverFile>(locals, 'file');
  const destructionScope = recordScope('destruction', (id) => ctx.handover.loadDestruction(Number(id)), (d) => ctx.policy.projectScope(d.projectId));
  const tags = ['handover files'];

  return [
    route({
      method: 'post',
      path: '/api/v1/handover-files',
      summary: 'The project lead takes a handover file into custody: the raw file as the body (XLSX, CSV or PDF, checked by content), its name in ?name=; encrypted at rest under its own key (R-HANDOVER-HOLD)',
      tags,
      access: permission('handover_file', 'hold', projectInQuery),
      query: z.strictObject({ project: code, name: fileName }),
      status: 201,
      response: fileViewSchema,
      handler: async ({ query, req, res, auditActor }) => {
        noStore(res);
        return new Reply(201, await ctx.handover.upload(acting(auditActor), query.project, query.name, req));
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/handover-files',
      summary: "Handover files of a project: the lead sees the files they hold; the IT admin and auditors see every file's metadata; never the content",
      tags,
      access: permission('handover_file', 'read', projectInQuery),
      query: z.strictObject({ project: code, status: z.enum(HANDOVER_STATUSES).optional(), ...pageQuery }),
      response: fileListSchema,
      handler: async ({ query, res, auditActor }) => {
        noStore(res);
        return ctx.handover.list(acting(auditActor), query.project, { status: query.status, limit: query.limit, offset: query.offset });
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/handover-files/:id',
      summary: 'One handover file: its metadata (the holder also sees the entry report, confirmation and delegations); 410 once destroyed',
      tags,
      access: permission('handover_file', 'read', fileScope),
      params: idParam,
      response: fileSchema,
      handler: async ({ locals, res, auditActor }) => {
        noStore(res);
        return ctx.handover.get(acting(auditActor), file(locals));
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/handover-files/:id/record',
      summary: 'The file as GET /handover-files/:id shows it to the caller, or, once destroyed, its destruction record (200 either way, where the other routes answer 410)',
      tags,
      access: permission('handover_file', 'read', fileScope),
      params: idParam,
      response: recordSchema,
      handler: async ({ locals, res, auditActor }) => {
        noStore(res);
        return ctx.handover.record(acting(auditActor), file(locals));
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/handover-files/:id/view',
      summary: 'View only (the holder, or a clerk with an open delegation): XLSX/CSV rows as paginated JSON with a view stamp, PDFs inline and stamped with the viewer and time on every page; one audit event per view',
      tags,
      access: permission('handover_file', 'view', fileScope),
      params: idParam,
      query: z.strictObject({
        page: z.coerce.number().int().min(1).max(1_000_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(500).default(50),
        sheet: z.coerce.number().int().min(1).max(1000).optional(),
      }),
      response: rowsViewSchema,
      handler: async ({ locals, query, res, auditActor }) => {
        noStore(res);
        const v = await ctx.handover.view(acting(auditActor), file(locals), query);
        if (v.kind === 'rows') return v.body;
        res.setHeader('Content-Type', 'application/pdf');
        res.setHeader('Content-Disposition', disposition('inline', v.fileName));
        res.status(200).end(v.pdf);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/handover-files/:id/download',
      summary: 'The original file, for the lead holding it (handover_file:hold); a clerk views only and is refused (R-HANDOVER-HOLD)',
      tags,
      access: permission('handover_file', 'hold', fileScope),
      params: idParam,
      produces: 'application/octet-stream',
      handler: async ({ locals, res, auditActor }) => {
        noStore(res);
        const d = await ctx.handover.download(acting(auditActor), file(locals));
        res.setHeader('Content-Type', CONTENT_TYPES[d.format]);
        res.setHeader('Content-Disposition', disposition('attachment', d.fileName));
        res.status(200).end(d.bytes);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/handover-files/:id/forward',
      summary: 'Never allowed: handover files are not forwarded (R-HANDOVER-HOLD). handover_file:forward is outside the permission vocabulary, so every attempt is refused and recorded',
      tags,
      access: permission('handover_file', 'forward', fileScope),
      params: idParam,
      body: z.unknown(),
      handler: async ({ res }) => {
        noStore(res);
        // Unreachable while the vocabulary has no handover_file:forward (no policy line can name it).
        throw new ForbiddenError('no_forwarding', 'Handover files are never forwarded (R-HANDOVER-HOLD)');
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/handover-files/:id/delegations',
      summary: "A file's view delegations to clerks (active, expired, revoked, ended)",
      tags,
      access: permission('handover_file', 'read', fileScope),
      params: idParam,
      response: delegationListSchema,
      handler: async ({ locals, res, auditActor }) => {
        noStore(res);
        return { items: await ctx.handover.delegations(acting(auditActor), file(locals)) };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/handover-files/:id/clerks',
      summary: "The holding lead's picker: the project's active information clerks the file may be delegated to (view only, R-HANDOVER-HOLD)",
      tags,
      access: permission('handover_file', 'delegate', fileScope),
      params: idParam,
      response: clerksSchema,
      handler: async ({ locals, res, auditActor }) => {
        noStore(res);
        return { items: await ctx.handover.eligibleClerks(acting(auditActor), file(locals)) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/handover-files/:id/delegations',
      summary: 'The holding lead lets an information clerk of the project view the file for a set number of days (at most HANDOVER_MAX_DELEGATION_DAYS)',
      tags,
      access: permission('handover_file', 'delegate', fileScope),
      params: idParam,
      body: z.strictObject({ clerkUserId: z.number().int().positive(), days: z.number().int().min(1).max(3650) }),
      status: 201,
      response: delegationSchema,
      handler: async ({ locals, body, res, auditActor }) => {
        noStore(res);
        return new Reply(201, await ctx.handover.delegate(acting(auditActor), file(locals), body));
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/handover-files/:id/delegations/:delegationId',
      summary: 'The holding lead revokes a delegation (early, or records the end of an expired one)',
      tags,
      access: permission('handover_file', 'delegate', fileScope),
      params: z.strictObject({ id: z.coerce.number().int().positive(), delegationId: z.coerce.number().int().positive() }),
      response: delegationSchema,
      handler: async ({ locals, params, res, auditActor }) => {
        noStore(res);
        return ctx.handover.revoke(acting(auditActor), file(locals), params.delegationId);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/handover-files/:id/entry-confirmation',
      summary: 'The clerk (with an open delegation) reports the control data built from the file as entered, with the number of records (R-HANDOVER-DESTROY)',
      tags,
      access: permission('handover_file', 'confirm_entry', fileScope),
      params: idParam,
      body: z.strictObject({ records: z.number().int().min(0).max(10_000_000), note: z.string().trim().max(500).optional() }),
      response: fileMetaSchema,
      handler: async ({ locals, body, res, auditActor }) => {
        noStore(res);
        return ctx.handover.reportEntry(acting(auditActor), file(locals), body);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/handover-files/:id/confirm',
      summary: "The holding lead confirms the clerk's entry: the file is pending destruction and the deadline (HANDOVER_DESTRUCTION_DAYS) starts",
      tags,
      access: permission('handover_file', 'confirm', fileScope),
      params: idParam,
      body: z.strictObject({}).optional(),
      response: fileViewSchema,
      handler: async ({ locals, res, auditActor }) => {
        noStore(res);
        return ctx.handover.confirm(acting(auditActor), file(locals));
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/handover-files/:id/destroy',
      summary:
        "The holding lead records the file's destruction, supervised, naming a second person as witness (R-HANDOVER-DESTROY). Nothing is destroyed until the witness confirms from their own session (CONFIRMATION_TTL_HOURS); before the entry's confirmation only with a reason",
      tags,
      access: permission('handover_file', 'destroy', fileScope),
      params: idParam,
      body: z.strictObject({ witnessUserId: z.number().int().positive(), reason: z.string().trim().min(5).max(500).optional() }),
      response: fileViewSchema,
      handler: async ({ locals, body, res, auditActor }) => {
        noStore(res);
        return ctx.handover.destroy(acting(auditActor), file(locals), body);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/handover-files/:id/destruction/confirm',
      summary:
        'The named witness confirms the recorded destruction from their own session: the file is crypto-shredded now and the destruction recorded (R-HANDOVER-DESTROY two-person rule); anyone else 403 (audited); once, before it lapses (409)',
      tags,
      access: permission('handover_file', 'witness', fileScope),
      params: idParam,
      body: z.strictObject({}).optional(),
      response: destructionSchema,
      handler: async ({ locals, res, auditActor }) => {
        noStore(res);
        return ctx.handover.confirmDestruction(acting(auditActor), file(locals));
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/handover-files/:id/destruction/decline',
      summary: 'The named witness declines the recorded destruction with a reason: the file stays held as it was, and the holder is notified',
      tags,
      access: permission('handover_file', 'witness', fileScope),
      params: idParam,
      body: z.strictObject({ reason: z.string().trim().min(3).max(500) }),
      response: confirmationSchema,
      handler: async ({ locals, body, res, auditActor }) => {
        noStore(res);
        return ctx.handover.declineDestruction(acting(auditActor), file(locals), body.reason);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/handover-files/:id/transfer',
      summary: 'The IT admin passes custody to another project manager of the project (R-OFFBOARD), never to themselves (403 own_transfer): the only way a file changes holder; open delegations end',
      tags,
      access: permission('handover_file', 'transfer', fileScope),
      params: idParam,
      body: z.strictObject({ toUserId: z.number().int().positive(), reason: z.string().trim().min(3).max(500).optional() }),
      response: fileMetaSchema,
      handler: async ({ locals, body, res, auditActor }) => {
        noStore(res);
        return ctx.handover.transfer(acting(auditActor), file(locals), body.toUserId, body.reason);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/handover-destructions/:id',
      summary: 'A destruction record: what (name, hash, size), who destroyed, supervised and witnessed, when, how, why (R-HANDOVER-DESTROY)',
      tags,
      access: permission('handover_file', 'read', destructionScope),
      params: idParam,
      response: destructionSchema,
      handler: async ({ locals, res }) => {
        noStore(res);
        return ctx.handover.destructionView(loaded<HandoverDestruction>(locals, 'destruction'));
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/handover-delegations',
      summary: "The caller's own open view delegations (what a clerk may view now)",
      tags,
      access: selfAccess(),
      response: myDelegationsSchema,
      handler: async ({ res, auditActor }) => {
        noStore(res);
        return { items: await ctx.handover.myDelegations(acting(auditActor)) };
      },
    }),
  ];
}
