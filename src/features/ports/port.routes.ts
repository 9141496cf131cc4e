import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, permission, recordScope, route, RouteSpec } from '../../api/route';
import { code, idParam } from '../../api/validate';
import { BURNER_STATUSES, PORT_STATUSES, PortRecord } from '../../entities/PortRecord';
import { portListSchema, portSchema } from './port.schemas';

const codeParam = z.strictObject({ code });
const assetTag = z.string().trim().min(1).max(60);
const userId = z.number().int().positive();
const userName = z.string().trim().min(1).max(200);
const location = z.string().trim().min(1).max(200);
const usbStatus = z.enum(PORT_STATUSES);
const burnerStatus = z.enum(BURNER_STATUSES);
const decision = z.string().trim().min(1).max(1000);
const approvedById = z.number().int().positive();
const riskAssessmentId = z.number().int().positive();

function oneUser(v: { userId?: number | null; userName?: string | null }, ctx: z.RefinementCtx) {
  if (v.userId != null && v.userName != null) ctx.addIssue({ code: 'custom', path: ['userName'], message: 'give userId or userName, not both' });
}

const createBody = z
  .strictObject({
    assetTag,
    userId: userId.nullable().optional(),
    userName: userName.nullable().optional(),
    location,
    usbStatus,
    burnerStatus,
    decision,
    approvedById,
    riskAssessmentId: riskAssessmentId.nullable().optional(),
  })
  .superRefine((v, ctx) => {
    oneUser(v, ctx);
    if (v.userId == null && v.userName == null) ctx.addIssue({ code: 'custom', path: ['userId'], message: 'required: userId (a user) or userName (someone without an account)' });
  });

const updateBody = z
  .strictObject({
    assetTag: assetTag.optional(),
    userId: userId.nullable().optional(),
    userName: userName.nullable().optional(),
    location: location.optional(),
    usbStatus: usbStatus.optional(),
    burnerStatus: burnerStatus.optional(),
    decision: decision.optional(),
    approvedById: approvedById.optional(),
    riskAssessmentId: riskAssessmentId.nullable().optional(),
  })
  .superRefine((v, ctx) => {
    oneUser(v, ctx);
    if (Object.keys(v).length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'nothing to change' });
  });

/**
 * R-PORTS (§5.2.4): each department's register of computers and whether their USB ports and
 * disc burners are sealed. The department head keeps it (port_register:manage in dept:<code>);
 * the quality department and auditors read every department's (port_register:read).
 */
export function portRoutes(ctx: AppContext): RouteSpec[] {
  const departmentScope = ({ params }: { params: Record<string, unknown> }) => ctx.ports.departmentScope(String(params.code));
  const portScope = recordScope('port', (id) => ctx.ports.load(Number(id)), (p: PortRecord) => ctx.ports.scopeOf(p));
  const tags = ['port register'];
  return [
    route({
      method: 'get',
      path: '/api/v1/departments/:code/ports',
      summary: "A department's port register; ?open=true lists the computers with USB or burner open",
      tags,
      access: permission('port_register', 'read', departmentScope),
      response: portListSchema,
      params: codeParam,
      query: z.strictObject({ open: z.enum(['true', 'false']).transform((v) => v === 'true').optional() }),
      handler: ({ params, query }) => ctx.ports.listForDepartment(params.code, query),
    }),
    route({
      method: 'post',
      path: '/api/v1/departments/:code/ports',
      summary: 'Record a computer: asset tag (unique), user, location, USB and burner status, the decision and its approver, the assessment it came from',
      tags,
      access: permission('port_register', 'manage', departmentScope),
      response: portSchema,
      params: codeParam,
      body: createBody,
      status: 201,
      handler: ({ params, body, auditActor }) => ctx.ports.create(acting(auditActor), params.code, body),
    }),
    route({
      method: 'patch',
      path: '/api/v1/ports/:id',
      summary: 'Change a register entry (opening or sealing a port needs the decision and its approver)',
      tags,
      access: permission('port_register', 'manage', portScope),
      response: portSchema,
      params: idParam,
      body: updateBody,
      handler: ({ params, body, auditActor }) => ctx.ports.update(acting(auditActor), params.id, body),
    }),
    route({
      method: 'post',
      path: '/api/v1/ports/:id/verify',
      summary: 'Record that the computer was checked and found as registered (lastVerifiedAt = now)',
      tags,
      access: permission('port_register', 'manage', portScope),
      response: portSchema,
      params: idParam,
      body: z.strictObject({ note: z.string().trim().min(1).max(500).optional() }).optional(),
      handler: ({ params, body, auditActor }) => ctx.ports.verify(acting(auditActor), params.id, body?.note),
    }),
  ];
}
