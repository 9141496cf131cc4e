import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, permission, Reply, route, RouteSpec } from '../../api/route';
import { code, idParam, pageQuery } from '../../api/validate';
import { INFO_CLASSES } from '../../entities/InventoryItem';
import { inventoryItemSchema, inventoryListSchema, inventoryPageSchema } from './inventory.responses';

const codeParam = z.strictObject({ code });
/** R-CLASSES (§5.1): paper archive, electronic, control data. */
const infoClass = z.enum(INFO_CLASSES);
const description = z.string().trim().min(1).max(500);
const location = z.string().trim().min(1).max(200);
const approxCount = z.number().int().min(0).max(2147483647);
const keeperUserId = z.number().int().positive();
const keeperName = z.string().trim().min(1).max(200);

/** Exactly one keeper: a user (keeperUserId) or a person without an account (keeperName). */
function oneKeeper(v: { keeperUserId?: number | null; keeperName?: string | null }, ctx: z.RefinementCtx) {
  if (v.keeperUserId != null && v.keeperName != null) {
    ctx.addIssue({ code: 'custom', path: ['keeperName'], message: 'give keeperUserId or keeperName, not both' });
  }
}

const createBody = z
  .strictObject({
    infoClass,
    description,
    keeperUserId: keeperUserId.nullable().optional(),
    keeperName: keeperName.nullable().optional(),
    location,
    approxCount,
  })
  .superRefine((v, ctx) => {
    oneKeeper(v, ctx);
    if (v.keeperUserId == null && v.keeperName == null) {
      ctx.addIssue({ code: 'custom', path: ['keeperUserId'], message: 'required: keeperUserId (a user) or keeperName (someone without an account)' });
    }
  });

/** Naming a keeper of one kind clears the other kind. The department of an item never changes. */
const updateBody = z
  .strictObject({
    infoClass: infoClass.optional(),
    description: description.optional(),
    keeperUserId: keeperUserId.nullable().optional(),
    keeperName: keeperName.nullable().optional(),
    location: location.optional(),
    approxCount: approxCount.optional(),
  })
  .superRefine((v, ctx) => {
    oneKeeper(v, ctx);
    if (Object.keys(v).length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'nothing to change' });
  });

/**
 * R-INVENTORY (§3.2, §3.3): each department's customer-information inventory. The department
 * head maintains it (inventory:manage in dept:<code>); auditors and the quality department read
 * every department's list (inventory:read in "*"); anyone else is denied (R-SECRET).
 */
export function inventoryRoutes(ctx: AppContext): RouteSpec[] {
  /** dept:<code> of the department in the path; 404 if it does not exist. */
  const departmentScope = ({ params }: { params: Record<string, unknown> }) => ctx.inventory.departmentScope(String(params.code));
  /** dept:<code> of the item's department; 404 if the item does not exist. */
  const itemScope = ({ params }: { params: Record<string, unknown> }) => ctx.inventory.itemScope(Number(params.id));
  return [
    route({
      method: 'get',
      path: '/api/v1/departments/:code/inventory',
      summary: "A department's customer-information inventory (R-INVENTORY)",
      tags: ['inventory'],
      access: permission('inventory', 'read', departmentScope),
      params: codeParam,
      query: z.strictObject({ infoClass: infoClass.optional() }),
      response: inventoryListSchema,
      handler: ({ params, query }) => ctx.inventory.listForDepartment(params.code, query),
    }),
    route({
      method: 'post',
      path: '/api/v1/departments/:code/inventory',
      summary: "Add a set of customer information to a department's inventory (class, keeper, location, approximate count)",
      tags: ['inventory'],
      access: permission('inventory', 'manage', departmentScope),
      params: codeParam,
      body: createBody,
      status: 201,
      response: inventoryItemSchema,
      handler: ({ params, body, auditActor }) => ctx.inventory.create(acting(auditActor), params.code, body),
    }),
    route({
      method: 'get',
      path: '/api/v1/inventory',
      summary: "Every department's inventory, filtered by class and department; paginated",
      tags: ['inventory'],
      access: permission('inventory', 'read', 'company'),
      query: z.strictObject({ infoClass: infoClass.optional(), department: code.optional(), ...pageQuery }),
      response: inventoryPageSchema,
      handler: ({ query }) => ctx.inventory.listAll(query),
    }),
    route({
      method: 'patch',
      path: '/api/v1/inventory/:id',
      summary: 'Change an inventory item (its department never changes)',
      tags: ['inventory'],
      access: permission('inventory', 'manage', itemScope),
      params: idParam,
      body: updateBody,
      response: inventoryItemSchema,
      handler: ({ params, body, auditActor }) => ctx.inventory.update(acting(auditActor), params.id, body),
    }),
    route({
      method: 'delete',
      path: '/api/v1/inventory/:id',
      summary: 'Remove an inventory item (the audit trail keeps what it was)',
      tags: ['inventory'],
      access: permission('inventory', 'manage', itemScope),
      params: idParam,
      handler: async ({ params, auditActor }) => {
        await ctx.inventory.remove(acting(auditActor), params.id);
        return new Reply(204, undefined);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/inventory/:id/review',
      summary: 'Mark an inventory item reviewed (lastReviewedAt = now), with an optional note',
      tags: ['inventory'],
      access: permission('inventory', 'manage', itemScope),
      params: idParam,
      body: z.strictObject({ note: z.string().trim().min(1).max(500).optional() }).optional(),
      response: inventoryItemSchema,
      handler: ({ params, body, auditActor }) => ctx.inventory.review(acting(auditActor), params.id, body?.note),
    }),
  ];
}
