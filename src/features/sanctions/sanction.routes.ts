import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, loaded, permission, recordScope, route, RouteSpec } from '../../api/route';
import { idParam, pageQuery } from '../../api/validate';
import { Sanction, SANCTION_GROUNDS, SANCTION_KINDS, SANCTION_STATUSES } from '../../entities/Sanction';
import { sanctionRulesSchema } from './sanction-rules';
import { sanctionListSchema, sanctionSchema } from './sanction.schemas';

const yuan = z.number().int().max(2147483647);

/**
 * A proposal. The bands (R-REWARD 100–1000, R-PENALTY 300–2000), the measures a kind may carry
 * and the checks against the source are the service's (sanction-rules.ts), so that every caller
 * gets them and each refusal names the band.
 */
const proposalBody = z.strictObject({
  source: z.strictObject({ type: z.string().trim().min(1).max(40), id: z.number().int().positive() }),
  userId: z.number().int().positive(),
  kind: z.enum(SANCTION_KINDS),
  ground: z.enum(SANCTION_GROUNDS),
  amount: yuan.optional(),
  fine: yuan.optional(),
  dismissal: z.boolean().optional(),
  compensation: yuan.optional(),
  judicialReferral: z.boolean().optional(),
  reason: z.string().trim().min(5).max(2000),
});

/**
 * R-REWARD (§5.3.3), R-PENALTY (§5.3.4), R-CASE-SANCTION (第十二條): the reward/penalty register.
 * The quality department proposes and reads (sanction:manage, sanction:read), the general manager
 * approves or rejects (sanction:approve) and reads, auditors read; nobody else (R-SECRET).
 */
export function sanctionRoutes(ctx: AppContext): RouteSpec[] {
  const sanctionScope = recordScope('sanction', (id) => ctx.sanctions.load(Number(id)), (s) => ctx.sanctions.scopeOf(s));
  const sanction = (locals: Record<string, unknown>) => loaded<Sanction>(locals, 'sanction');

  return [
    route({
      method: 'post',
      path: '/api/v1/sanctions',
      summary:
        'Propose a reward (100–1000 yuan, for reporting or remedying a leak, R-REWARD) or a penalty (fine 300–2000 yuan, dismissal, compensation, judicial referral, R-PENALTY) for a person, on an incident, inspection finding or case',
      tags: ['sanctions'],
      access: permission('sanction', 'manage'),
      response: sanctionSchema,
      body: proposalBody,
      status: 201,
      handler: ({ body, auditActor }) => ctx.sanctions.propose(acting(auditActor), body),
    }),
    route({
      method: 'get',
      path: '/api/v1/sanctions',
      summary: 'The reward/penalty register, newest first',
      tags: ['sanctions'],
      access: permission('sanction', 'read'),
      response: sanctionListSchema,
      query: z.strictObject({
        status: z.enum(SANCTION_STATUSES).optional(),
        kind: z.enum(SANCTION_KINDS).optional(),
        userId: z.coerce.number().int().positive().optional(),
        sourceType: z.string().trim().min(1).max(40).optional(),
        sourceId: z.coerce.number().int().positive().optional(),
        ...pageQuery,
      }),
      handler: ({ query }) => ctx.sanctions.list(query),
    }),
    // Before /:id, which would otherwise take "rules" for an id.
    route({
      method: 'get',
      path: '/api/v1/sanctions/rules',
      summary: "The Rules' bands (reward 100–1000, fine 300–2000 yuan), grounds and source types, as the checks apply them (R-REWARD, R-PENALTY)",
      tags: ['sanctions'],
      access: permission('sanction', 'read'),
      response: sanctionRulesSchema,
      handler: async () => ctx.sanctions.rules(),
    }),
    route({
      method: 'get',
      path: '/api/v1/sanctions/:id',
      summary: 'One reward or penalty',
      tags: ['sanctions'],
      access: permission('sanction', 'read', sanctionScope),
      response: sanctionSchema,
      params: idParam,
      handler: ({ locals }) => ctx.sanctions.view(sanction(locals)),
    }),
    route({
      method: 'post',
      path: '/api/v1/sanctions/:id/approve',
      summary: 'The general manager approves a proposed reward or penalty; never their own proposal (R-REWARD, R-PENALTY)',
      tags: ['sanctions'],
      access: permission('sanction', 'approve', sanctionScope),
      params: idParam,
      response: sanctionSchema,
      body: z.strictObject({ note: z.string().trim().min(1).max(500).optional() }).optional(),
      handler: ({ locals, body, auditActor }) => ctx.sanctions.decide(acting(auditActor), sanction(locals), true, body?.note ?? null),
    }),
    route({
      method: 'post',
      path: '/api/v1/sanctions/:id/reject',
      summary: 'The general manager rejects a proposed reward or penalty, with a reason',
      tags: ['sanctions'],
      access: permission('sanction', 'approve', sanctionScope),
      params: idParam,
      response: sanctionSchema,
      body: z.strictObject({ reason: z.string().trim().min(3).max(500) }),
      handler: ({ locals, body, auditActor }) => ctx.sanctions.decide(acting(auditActor), sanction(locals), false, body.reason),
    }),
    route({
      method: 'get',
      path: '/api/v1/sanctions/:id/notice',
      summary: 'The reward/penalty notice (獎罰通知單) of an approved record, as a PDF (R-CASE-SANCTION, R-REWARD, R-PENALTY); audited',
      tags: ['sanctions'],
      access: permission('sanction', 'read', sanctionScope),
      params: idParam,
      query: z.strictObject({ format: z.enum(['pdf']).default('pdf') }),
      produces: 'application/pdf',
      handler: async ({ locals, auditActor, res }) => {
        const out = await ctx.sanctions.notice(acting(auditActor), sanction(locals));
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Content-Type', 'application/pdf');
        res.setHeader('Content-Disposition', `attachment; filename="${out.filename}"`);
        res.status(200).end(out.pdf);
      },
    }),
  ];
}
