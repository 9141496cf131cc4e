import { z } from 'zod';
import type { AppContext } from '../../context';
import { permission, route, RouteSpec } from '../../api/route';
import { code } from '../../api/validate';
import { departmentSchema, departmentsSchema, projectSchema, projectsSchema } from './org.schemas';

const name = z.string().trim().min(1).max(200);
const codeParam = z.strictObject({ code });

/** Departments and projects (service centers). */
export function orgRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/departments',
      summary: 'List departments',
      tags: ['organisation'],
      access: permission('org', 'read', 'held'),
      response: departmentsSchema,
      handler: async () => ({ items: await ctx.org.listDepartments() }),
    }),
    route({
      method: 'post',
      path: '/api/v1/departments',
      summary: 'Create a department',
      tags: ['organisation'],
      access: permission('org', 'manage'),
      body: z.strictObject({ code, name }),
      status: 201,
      response: departmentSchema,
      handler: async ({ body, auditActor }) => ctx.org.createDepartment(auditActor, body),
    }),
    route({
      method: 'get',
      path: '/api/v1/departments/:code',
      summary: 'One department',
      tags: ['organisation'],
      access: permission('org', 'read', 'held'),
      params: codeParam,
      response: departmentSchema,
      handler: async ({ params }) => {
        const { id, code: c, name: n, createdAt } = await ctx.org.getDepartment(params.code);
        return { id, code: c, name: n, createdAt };
      },
    }),
    route({
      method: 'patch',
      path: '/api/v1/departments/:code',
      summary: 'Rename a department',
      tags: ['organisation'],
      access: permission('org', 'manage'),
      params: codeParam,
      body: z.strictObject({ name }),
      response: departmentSchema,
      handler: ({ params, body, auditActor }) => ctx.org.renameDepartment(auditActor, params.code, body.name),
    }),
    route({
      method: 'get',
      path: '/api/v1/projects',
      summary: 'List projects (service centers)',
      tags: ['organisation'],
      access: permission('org', 'read', 'held'),
      response: projectsSchema,
      handler: async () => ({ items: await ctx.org.listProjects() }),
    }),
    route({
      method: 'post',
      path: '/api/v1/projects',
      summary: 'Create a project (service center), optionally within a department',
      tags: ['organisation'],
      access: permission('org', 'manage'),
      body: z.strictObject({ code, name, departmentCode: code.nullable().optional() }),
      status: 201,
      response: projectSchema,
      handler: ({ body, auditActor }) => ctx.org.createProject(auditActor, body),
    }),
    route({
      method: 'get',
      path: '/api/v1/projects/:code',
      summary: 'One project',
      tags: ['organisation'],
      access: permission('org', 'read', 'held'),
      params: codeParam,
      response: projectSchema,
      handler: ({ params }) => ctx.org.getProject(params.code),
    }),
    route({
      method: 'patch',
      path: '/api/v1/projects/:code',
      summary: 'Rename a project or move it to another department',
      tags: ['organisation'],
      access: permission('org', 'manage'),
      params: codeParam,
      // An empty body was a 500 (TypeORM refuses an UPDATE without values): refused as 400 like the other PATCH routes.
      body: z
        .strictObject({ name: name.optional(), departmentCode: code.nullable().optional() })
        .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' }),
      response: projectSchema,
      handler: ({ params, body, auditActor }) => ctx.org.updateProject(auditActor, params.code, body),
    }),
  ];
}
