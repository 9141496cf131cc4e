import { z } from 'zod';
import type { AuditActor } from '../../audit/audit-writer';
import type { AppContext } from '../../context';
import { Customer, NATIONALITY_CLASSES } from '../../entities/Customer';
import { acting, loaded, permission, projectInBody, projectInQuery, recordScope, Reply, route, RouteSpec } from '../../api/route';
import { code, idParam, pageQuery } from '../../api/validate';
import { customerMatchesSchema, customerPageSchema, revealedSchema } from './customer.responses';
import { customerViewSchema } from './customer.views';
import { PERSONAL_FIELDS } from './customer.service';
import { readerOf } from '../access-log/access-log.service';

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

/** Exact search: a project and exactly one of phone or ID number (query of the GET, body of the POST). */
const searchBody = z
  .strictObject({ project: code, phone: z.string().min(3).max(40).optional(), idNumber: z.string().min(5).max(30).optional() })
  .refine((q) => (q.phone === undefined) !== (q.idNumber === undefined), { message: 'give exactly one of phone or idNumber', path: ['phone'] });

const customerFields = {
  name: text(100),
  unit: text(200),
  nationality: z.enum(NATIONALITY_CLASSES).default('domestic'),
  phones: z.array(z.string().min(3).max(40)).max(5).default([]),
  idNumber: optionalText(30),
  employer: optionalText(200),
  email: optionalText(200),
  emergencyContact: optionalText(200),
  notes: optionalText(4000),
};

/**
 * Customer records (control data). The permission is checked in the customer's own project:
 * R-CTRL-STAFF (create, read), R-CTRL-CLERK (also update, delete), R-CTRL-IT (everything),
 * reveal only where the policy grants customer:reveal (R-SECRET).
 */
export function customerRoutes(ctx: AppContext): RouteSpec[] {
  const customerScope = recordScope('customer', (id) => ctx.customers.load(Number(id)), (c) => ctx.customers.scopeOf(c));
  const customer = (locals: Record<string, unknown>) => loaded<Customer>(locals, 'customer');

  return [
    route({
      method: 'get',
      path: '/api/v1/customers',
      summary: "List a project's customers (personal fields masked)",
      tags: ['customers'],
      access: permission('customer', 'read', projectInQuery),
      query: z.strictObject({ project: code, q: z.string().max(100).optional(), ...pageQuery }),
      response: customerPageSchema,
      handler: ({ query, auditActor, res }) => ctx.customers.list(query.project, query, readerOf(auditActor, res)),
    }),
    route({
      method: 'get',
      path: '/api/v1/customers/search',
      summary: 'Exact search by phone or ID number through the keyed blind index (masked results; audited without the value)',
      tags: ['customers'],
      access: permission('customer', 'read', projectInQuery),
      query: searchBody,
      response: customerMatchesSchema,
      handler: async ({ query, auditActor, res }) => ({
        items: await ctx.customers.search(acting(auditActor), query.project, query.phone ? 'phone' : 'id_number', (query.phone ?? query.idNumber)!, readerOf(auditActor, res)),
      }),
    }),
    route({
      method: 'post',
      path: '/api/v1/customers/search',
      summary: 'The same exact search with the phone or ID number in the body: the value stays out of URLs, proxy and access logs (R-SECRET; what the console uses)',
      tags: ['customers'],
      access: permission('customer', 'read', projectInBody),
      body: searchBody,
      response: customerMatchesSchema,
      handler: async ({ body, auditActor, res }) => {
        res.setHeader('Cache-Control', 'no-store');
        return { items: await ctx.customers.search(acting(auditActor), body.project, body.phone ? 'phone' : 'id_number', (body.phone ?? body.idNumber)!, readerOf(auditActor, res)) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/customers',
      summary: 'Create a customer record in a project (R-CTRL-STAFF); 409 on a duplicate phone or ID number',
      tags: ['customers'],
      access: permission('customer', 'create', projectInBody),
      body: z.strictObject({ project: code, ...customerFields }),
      status: 201,
      response: customerViewSchema,
      handler: ({ body, auditActor }) => {
        const { project, ...input } = body;
        return ctx.customers.create(acting(auditActor), project, input);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/customers/export',
      summary: "Export a project's customers as CSV or XLSX (IT admin, R-CTRL-IT); recorded and traceable by the export id printed in the file",
      tags: ['customers'],
      access: permission('customer', 'export', projectInQuery),
      produces: 'text/csv',
      query: z.strictObject({
        project: code,
        format: z.enum(['csv', 'xlsx']).default('csv'),
        purpose: z.string().trim().min(5).max(500),
        fields: z
          .string()
          .transform((s) => s.split(',').map((f) => f.trim()).filter(Boolean))
          .pipe(z.array(z.enum(PERSONAL_FIELDS)))
          .optional(),
      }),
      handler: async ({ query, auditActor, res }) => {
        await ctx.exports.exportProject(acting(auditActor) as AuditActor & { id: number; username: string | null }, query.project, {
          format: query.format,
          purpose: query.purpose,
          fields: query.fields ?? PERSONAL_FIELDS,
          // A partial export must not carry the left-out details inside free notes.
          notes: query.fields && PERSONAL_FIELDS.some((f) => !query.fields!.includes(f)) ? 'redacted' : 'clear',
        }, res, readerOf(auditActor, res));
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/customers/:id',
      summary: 'One customer (personal fields masked)',
      tags: ['customers'],
      access: permission('customer', 'read', customerScope),
      params: idParam,
      response: customerViewSchema,
      handler: async ({ locals, auditActor, res }) => ctx.customers.open(customer(locals), readerOf(auditActor, res)),
    }),
    route({
      method: 'patch',
      path: '/api/v1/customers/:id',
      summary: 'Change a customer record (R-CTRL-CLERK: clerks of the project and IT admin)',
      tags: ['customers'],
      access: permission('customer', 'update', customerScope),
      params: idParam,
      body: z
        .strictObject({
          name: text(100).optional(),
          unit: text(200).optional(),
          nationality: z.enum(NATIONALITY_CLASSES).optional(),
          phones: z.array(z.string().min(3).max(40)).max(5).optional(),
          idNumber: customerFields.idNumber,
          employer: customerFields.employer,
          email: customerFields.email,
          emergencyContact: customerFields.emergencyContact,
          notes: customerFields.notes,
        })
        .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' }),
      response: customerViewSchema,
      handler: ({ locals, body, auditActor }) => ctx.customers.update(acting(auditActor), customer(locals), body),
    }),
    route({
      method: 'delete',
      path: '/api/v1/customers/:id',
      summary: 'Delete a customer record (R-CTRL-CLERK: clerks of the project and IT admin)',
      tags: ['customers'],
      access: permission('customer', 'delete', customerScope),
      params: idParam,
      handler: async ({ locals, auditActor }) => {
        await ctx.customers.remove(acting(auditActor), customer(locals));
        return new Reply(204, undefined);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/customers/:id/reveal',
      summary: 'Personal fields in clear, for a stated reason (customer:reveal; one audit event naming the fields, never the values)',
      tags: ['customers'],
      access: permission('customer', 'reveal', customerScope),
      params: idParam,
      body: z.strictObject({ fields: z.array(z.enum(PERSONAL_FIELDS)).min(1).max(PERSONAL_FIELDS.length), reason: z.string().trim().min(5).max(500) }),
      response: revealedSchema,
      handler: async ({ locals, body, auditActor, res }) => {
        res.setHeader('Cache-Control', 'no-store');
        return ctx.customers.reveal(acting(auditActor), customer(locals), [...new Set(body.fields)], body.reason, readerOf(auditActor, res));
      },
    }),
  ];
}
