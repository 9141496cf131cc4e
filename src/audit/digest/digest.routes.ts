import { z } from 'zod';
import type { AppContext } from '../../context';
import { permission, route, RouteSpec } from '../../api/route';
import { pageQuery } from '../../api/validate';
import { ConflictError, NotFoundError } from '../../errors';
import { DigestRefusedError, type DigestAnchor } from './digest.service';

const digestSchema = z.object({
  number: z.number().int(),
  fromSeq: z.number().int(),
  toSeq: z.number().int(),
  headHash: z.string(),
  digestHash: z.string(),
  keyId: z.string(),
  reason: z.string().describe('interval, manual or shutdown'),
  createdAt: z.string().describe('ISO 8601'),
  written: z.boolean().describe('The file is in AUDIT_DIGEST_DIR'),
});

const view = (d: DigestAnchor) => ({ ...d, createdAt: d.createdAt.toISOString() });

/** R-AUDIT (issue 14 §1): the signed digests and the keys that verify them. Read by the IT admin and the auditor. */
export function digestRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/audit/keys',
      summary: 'The public keys (Ed25519, PEM) that verify the audit digests: the current one and the retired ones kept beside the digests',
      tags: ['audit'],
      access: permission('audit', 'verify'),
      response: z.object({ items: z.array(z.object({ keyId: z.string(), publicKeyPem: z.string(), current: z.boolean() })) }),
      handler: async () => ({ items: ctx.auditDigests.keys() }),
    }),
    route({
      method: 'get',
      path: '/api/v1/audit/digests',
      summary: 'The signed digests of the audit chain, newest first',
      tags: ['audit'],
      access: permission('audit', 'read'),
      query: z.strictObject({ ...pageQuery }),
      response: z.object({ items: z.array(digestSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }),
      handler: async ({ query }) => {
        const page = await ctx.auditDigests.list(query);
        return { ...page, items: page.items.map(view) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/audit/digests',
      summary: 'Sign a digest now (the chain is verified first: a broken chain is answered 409 chain_broken and nothing is signed)',
      tags: ['audit'],
      access: permission('audit', 'verify'),
      body: z.strictObject({}),
      status: 201,
      response: digestSchema,
      handler: async ({ auditActor }) => {
        try {
          const made = await ctx.auditDigests.create('manual', { actor: auditActor });
          return view(made!.digest);
        } catch (err) {
          if (err instanceof DigestRefusedError) throw new ConflictError('chain_broken', err.message, { brokenAtSeq: err.brokenAtSeq });
          throw err;
        }
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/audit/digests/:number',
      summary: 'One digest file as written outside the database (signed payload, signature, entry hashes)',
      tags: ['audit'],
      access: permission('audit', 'read'),
      params: z.strictObject({ number: z.coerce.number().int().positive() }),
      response: z.object({ format: z.string(), payload: z.record(z.string(), z.unknown()), signature: z.string(), eventHashes: z.string().optional() }),
      handler: async ({ params }) => {
        const file = await ctx.auditDigests.file(params.number);
        if (!file) throw new NotFoundError('Audit digest', params.number);
        return file;
      },
    }),
  ];
}
