/**
 * The access matrix: every route of the API against every role of the Rules, a signed user
 * holding no role and an anonymous caller.
 *
 * The expectations below are written from the Rules (docs/regulation/README.md), NOT
 * computed from policies/policy.csv:
 * - R-SECRET (§4): access is denied unless the Rules give it; public routes (health, login,
 *   the API document) are the only ones open without a token.
 * - R-SCOPE (§2): every employee is a user; with no role a user reaches nothing beyond their own
 *   profile and the agreement. Every role-holder may see the organisation (departments, projects).
 * - R-IT-PERMS (§3.1): the IT admin alone manages accounts, roles, scopes, the policy and the
 *   organisation; the IT admin and the auditor review who holds what.
 * - R-AUDIT (§3.1, §5.3): the IT admin and the auditor read, export and verify the trail; every
 *   denial is recorded in it.
 *
 * A route without an entry in EXPECTATIONS fails the suite: a new route must be added here.
 */
import crypto from 'node:crypto';
import { allRoutes } from '../../src/api/routes';
import type { RouteSpec } from '../../src/api/route';
import { ROLE_NAMES } from '../../src/policy/roles';
import { DEFAULT_PASSWORD, makeDepartment, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

import { Caller, CallerName, env, Expectation, HELD_IN, Role, ROLES } from './matrix/env';
import { MATRIX_ROWS } from './matrix/rows';

const CALLERS: CallerName[] = [...ROLES, 'no_role', 'anonymous'];

/** Who the Rules let through. */
const ALL_ROLES: Role[] = [...ROLES]; // R-SCOPE: every role-holder sees the organisation
const IT_ADMIN: Role[] = ['it_admin']; // R-IT-PERMS: only the IT admin changes accounts, roles, policy, organisation
const REVIEWERS: Role[] = ['it_admin', 'auditor']; // R-IT-PERMS / R-AUDIT: the IT admin and the auditor review

let t: TestApp;
let dept: string;
let project: string;
const callers = new Map<CallerName, Caller>();
/** A long-lived user that read routes look at (never changed). */
let target: MadeUser;
/** A user that logs in on the public login route. */
let loginUser: MadeUser;

const uid = () => crypto.randomBytes(4).toString('hex');
const adminActor = () => ({ id: t.admin.id, username: t.admin.username });

/** A throwaway user with the same role (in the same scope) as the caller; used where a call revokes the caller's tokens. */
async function throwaway(caller: Caller): Promise<MadeUser> {
  return makeUser(t, { roles: caller.role ? [[caller.role, HELD_IN[caller.role](dept, project)]] : [] });
}
const throwawayAuth = async (caller: Caller): Promise<string | null> => (caller.auth ? (await throwaway(caller)).auth : null);

async function freshUserId(): Promise<number> {
  return (await makeUser(t)).id;
}

async function freshPolicyLineScope(): Promise<string> {
  const p = await makeProject(t, { departmentCode: dept });
  return `project:${p.code}`;
}

/** R-CTRL-STAFF: everyone with a controlled need in the project views; R-SURVEY-REDACT: customer managers view masked records. */
const CONTROL_DATA_VIEWERS: Role[] = ['it_admin', 'info_clerk', 'staff', 'dept_head', 'project_manager', 'customer_manager'];
/** R-CTRL-STAFF: those who enter control data. */
const CONTROL_DATA_ENTERERS: Role[] = ['it_admin', 'info_clerk', 'staff', 'dept_head', 'project_manager'];
/** R-CTRL-CLERK / R-CTRL-IT: change, delete and unmask: the project's clerk and the IT admin. */
const CONTROL_DATA_MAINTAINERS: Role[] = ['it_admin', 'info_clerk'];

const INVENTORY_ITEM = { infoClass: 'paper_archive', description: 'Owner archives', keeperName: 'Archive room clerk', location: 'Room 101', approxCount: 300 };

async function freshCustomerId(): Promise<number> {
  const c = await t.ctx.customers.create(adminActor(), project, { name: 'Matrix customer', unit: '1棟101室', nationality: 'domestic', phones: [makePhone()] });
  return c.id;
}

/** An import record (a dry run through the API as the bootstrap admin). */
async function freshImportId(): Promise<string> {
  const res = await t
    .http()
    .post('/api/v1/customers/import')
    .query({ project, dryRun: 'true' })
    .set('Authorization', `Bearer ${t.admin.token}`)
    .set('Content-Type', 'text/csv')
    .send(`name,unit,phones\nMatrix customer,1棟101室,${makePhone()}\n`);
  expect(res.status).toBe(200);
  return res.body.id;
}

let approver: MadeUser | null = null;
/** A pending release requested by `requesterId` (default: the bootstrap admin), approved by a general manager if asked. */
async function freshRelease(requesterId = t.admin.id, approved = false) {
  const requester = { id: requesterId, username: 'matrix' };
  const r = await t.ctx.releases.request(requester, { project, recipient: 'Matrix Ltd', purpose: 'access matrix check', fields: [], format: 'csv' });
  if (approved) {
    approver ??= await makeUser(t, { roles: [['general_manager', '*']] });
    await t.ctx.releases.decide({ id: approver.id, username: approver.username }, await t.ctx.releases.load(r.id), true, null);
  }
  return r;
}

/** R-SURVEY-REDACT: customer managers post and read notes; clerks and the IT admin too. */
const SURVEY_WRITERS: Role[] = ['it_admin', 'info_clerk', 'customer_manager'];

async function freshSurveyNoteId(): Promise<number> {
  const n = await t.ctx.surveys.create(adminActor(), project, { source: 'interview', text: '業主手機 13912345678，工作單位：某公司' });
  return n.id;
}

async function freshInventoryItemId(): Promise<number> {
  const item = await t.ctx.inventory.create(adminActor(), dept, INVENTORY_ITEM as Parameters<TestApp['ctx']['inventory']['create']>[2]);
  return item.id;
}

const CORE_EXPECTATIONS: Record<string, Expectation> = {
  // --- public (R-SECRET: the only routes open without a token) ---
  'GET /healthz': { rid: 'R-SECRET', allow: 'public', prepare: async () => ({ path: '/healthz' }) },
  'GET /readyz': { rid: 'R-SECRET', allow: 'public', prepare: async () => ({ path: '/readyz' }) },
  'POST /api/v1/auth/login': {
    rid: 'R-SECRET',
    allow: 'public',
    prepare: async () => ({ path: '/api/v1/auth/login', body: { username: loginUser.username, password: loginUser.password } }),
  },
  'GET /api/v1/openapi.json': { rid: 'R-SECRET', allow: 'public', prepare: async () => ({ path: '/api/v1/openapi.json' }) },
  'POST /api/v1/auth/session': {
    rid: 'R-SECRET',
    allow: 'public',
    prepare: async () => ({ path: '/api/v1/auth/session', body: { username: loginUser.username, password: loginUser.password } }),
  },

  // --- self (R-SCOPE: every authenticated user, role or not) ---
  'POST /api/v1/auth/logout': {
    rid: 'R-SCOPE',
    allow: 'authenticated',
    prepare: async (c) => ({ path: '/api/v1/auth/logout', auth: await throwawayAuth(c) }),
  },
  'DELETE /api/v1/auth/session': {
    rid: 'R-SCOPE',
    allow: 'authenticated',
    prepare: async (c) => ({ path: '/api/v1/auth/session', auth: await throwawayAuth(c) }),
  },
  'GET /api/v1/me': { rid: 'R-SCOPE', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/me' }) },
  'GET /api/v1/agreement': { rid: 'R-SCOPE', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/agreement' }) },
  'POST /api/v1/me/agreement': {
    rid: 'R-SCOPE',
    allow: 'authenticated',
    prepare: async (c) => ({ path: '/api/v1/me/agreement', body: { version: '2026-1' }, auth: await throwawayAuth(c) }),
  },
  'POST /api/v1/me/password': {
    rid: 'R-SCOPE',
    allow: 'authenticated',
    prepare: async (c) => ({
      path: '/api/v1/me/password',
      body: { currentPassword: DEFAULT_PASSWORD, newPassword: 'a-brand-new-password-1' },
      auth: await throwawayAuth(c),
    }),
  },

  // --- organisation: read by every role (R-SCOPE), changed by the IT admin only (R-IT-PERMS) ---
  'GET /api/v1/departments': { rid: 'R-SCOPE', allow: ALL_ROLES, permission: 'org:read', prepare: async () => ({ path: '/api/v1/departments' }) },
  'GET /api/v1/departments/:code': {
    rid: 'R-SCOPE',
    allow: ALL_ROLES,
    permission: 'org:read',
    prepare: async () => ({ path: `/api/v1/departments/${dept}` }),
  },
  'GET /api/v1/projects': { rid: 'R-SCOPE', allow: ALL_ROLES, permission: 'org:read', prepare: async () => ({ path: '/api/v1/projects' }) },
  'GET /api/v1/projects/:code': {
    rid: 'R-SCOPE',
    allow: ALL_ROLES,
    permission: 'org:read',
    prepare: async () => ({ path: `/api/v1/projects/${project}` }),
  },
  'POST /api/v1/departments': {
    rid: 'R-IT-PERMS',
    allow: IT_ADMIN,
    permission: 'org:manage',
    prepare: async () => {
      const code = `MD${uid()}`;
      return { path: '/api/v1/departments', body: { code, name: `Matrix ${code}` } };
    },
  },
  'PATCH /api/v1/departments/:code': {
    rid: 'R-IT-PERMS',
    allow: IT_ADMIN,
    permission: 'org:manage',
    prepare: async () => {
      const d = await makeDepartment(t);
      return { path: `/api/v1/departments/${d.code}`, body: { name: 'Renamed by the matrix' } };
    },
  },
  'POST /api/v1/projects': {
    rid: 'R-IT-PERMS',
    allow: IT_ADMIN,
    permission: 'org:manage',
    prepare: async () => {
      const code = `MP${uid()}`;
      return { path: '/api/v1/projects', body: { code, name: `Matrix ${code}`, departmentCode: dept } };
    },
  },
  'PATCH /api/v1/projects/:code': {
    rid: 'R-IT-PERMS',
    allow: IT_ADMIN,
    permission: 'org:manage',
    prepare: async () => {
      const p = await makeProject(t, { departmentCode: dept });
      return { path: `/api/v1/projects/${p.code}`, body: { name: 'Renamed by the matrix' } };
    },
  },

  // --- accounts: reviewed by the IT admin and the auditor, changed by the IT admin only (R-IT-PERMS) ---
  'GET /api/v1/users': { rid: 'R-SECRET', allow: REVIEWERS, permission: 'user:read', prepare: async () => ({ path: '/api/v1/users', query: { limit: '5' } }) },
  'GET /api/v1/users/:id': { rid: 'R-SECRET', allow: REVIEWERS, permission: 'user:read', prepare: async () => ({ path: `/api/v1/users/${target.id}` }) },
  'GET /api/v1/users/:id/holdings': {
    rid: 'R-SECRET',
    allow: REVIEWERS,
    permission: 'user:read',
    prepare: async () => ({ path: `/api/v1/users/${target.id}/holdings` }),
  },
  'POST /api/v1/users': {
    rid: 'R-IT-PERMS',
    allow: IT_ADMIN,
    permission: 'user:manage',
    prepare: async () => ({
      path: '/api/v1/users',
      body: { username: `m.${uid()}`, displayName: 'Matrix user', password: 'matrix-password-1', departmentCode: dept },
    }),
  },
  'PATCH /api/v1/users/:id': {
    rid: 'R-IT-PERMS',
    allow: IT_ADMIN,
    permission: 'user:manage',
    prepare: async () => ({ path: `/api/v1/users/${await freshUserId()}`, body: { displayName: 'Renamed by the matrix' } }),
  },
  'POST /api/v1/users/:id/password': {
    rid: 'R-IT-PERMS',
    allow: IT_ADMIN,
    permission: 'user:manage',
    prepare: async () => ({ path: `/api/v1/users/${await freshUserId()}/password`, body: { password: 'reset-by-the-matrix-1' } }),
  },
  'POST /api/v1/users/:id/offboard': {
    rid: 'R-IT-PERMS',
    allow: IT_ADMIN,
    permission: 'user:offboard',
    prepare: async () => ({ path: `/api/v1/users/${await freshUserId()}/offboard`, body: { reason: 'access matrix' } }),
  },

  // --- roles and assignments (R-IT-PERMS) ---
  'GET /api/v1/roles': { rid: 'R-IT-PERMS', allow: REVIEWERS, permission: 'role_assignment:read', prepare: async () => ({ path: '/api/v1/roles' }) },
  'GET /api/v1/role-assignments': {
    rid: 'R-IT-PERMS',
    allow: REVIEWERS,
    permission: 'role_assignment:read',
    prepare: async () => ({ path: '/api/v1/role-assignments', query: { userId: String(target.id) } }),
  },
  'GET /api/v1/users/:id/permissions': {
    rid: 'R-IT-PERMS',
    allow: REVIEWERS,
    permission: 'role_assignment:read',
    prepare: async () => ({ path: `/api/v1/users/${target.id}/permissions` }),
  },
  'POST /api/v1/role-assignments': {
    rid: 'R-IT-PERMS',
    allow: IT_ADMIN,
    permission: 'role_assignment:manage',
    prepare: async () => ({ path: '/api/v1/role-assignments', body: { userId: await freshUserId(), role: 'staff', scope: `project:${project}` } }),
  },
  'DELETE /api/v1/role-assignments/:id': {
    rid: 'R-IT-PERMS',
    allow: IT_ADMIN,
    permission: 'role_assignment:manage',
    prepare: async () => {
      const u = await makeUser(t, { roles: [['staff', `project:${project}`]] });
      const [a] = await t.ctx.access.listAssignments({ userId: u.id });
      return { path: `/api/v1/role-assignments/${a.id}` };
    },
  },

  // --- the policy (R-IT-PERMS) ---
  'GET /api/v1/policy': { rid: 'R-IT-PERMS', allow: REVIEWERS, permission: 'policy:read', prepare: async () => ({ path: '/api/v1/policy' }) },
  'GET /api/v1/authz/explain': {
    rid: 'R-IT-PERMS',
    allow: REVIEWERS,
    permission: 'policy:read',
    prepare: async () => ({
      path: '/api/v1/authz/explain',
      query: { user: target.username, scope: `project:${project}`, object: 'customer', action: 'read' },
    }),
  },
  'POST /api/v1/policy/lines': {
    rid: 'R-IT-PERMS',
    allow: IT_ADMIN,
    permission: 'policy:manage',
    prepare: async () => ({
      path: '/api/v1/policy/lines',
      body: { role: 'staff', scope: await freshPolicyLineScope(), object: 'customer', action: 'read', effect: 'allow' },
    }),
  },
  'DELETE /api/v1/policy/lines/:id': {
    rid: 'R-IT-PERMS',
    allow: IT_ADMIN,
    permission: 'policy:manage',
    prepare: async () => {
      const line = await t.ctx.access.addLine(adminActor(), {
        role: 'staff',
        scope: await freshPolicyLineScope(),
        object: 'customer',
        action: 'read',
        effect: 'allow',
      });
      return { path: `/api/v1/policy/lines/${line.id}` };
    },
  },

  // --- control data (R-CTRL-IT, R-CTRL-CLERK, R-CTRL-STAFF; R-SECRET: company roles without a controlled need see none) ---
  'GET /api/v1/customers': {
    rid: 'R-CTRL-STAFF',
    allow: CONTROL_DATA_VIEWERS,
    permission: 'customer:read',
    prepare: async () => ({ path: '/api/v1/customers', query: { project, limit: '5' } }),
  },
  'GET /api/v1/customers/search': {
    rid: 'R-CTRL-STAFF',
    allow: CONTROL_DATA_VIEWERS,
    permission: 'customer:read',
    prepare: async () => ({ path: '/api/v1/customers/search', query: { project, phone: makePhone() } }),
  },
  // The console's search: the phone or ID number in the body, never in a URL (R-SECRET).
  'POST /api/v1/customers/search': {
    rid: 'R-CTRL-STAFF',
    allow: CONTROL_DATA_VIEWERS,
    permission: 'customer:read',
    prepare: async () => ({ path: '/api/v1/customers/search', body: { project, phone: makePhone() } }),
  },
  'POST /api/v1/customers': {
    rid: 'R-CTRL-STAFF',
    allow: CONTROL_DATA_ENTERERS,
    permission: 'customer:create',
    prepare: async () => ({ path: '/api/v1/customers', body: { project, name: 'Matrix customer', unit: '1棟101室', phones: [makePhone()] } }),
  },
  'GET /api/v1/customers/:id': {
    rid: 'R-CTRL-STAFF',
    allow: CONTROL_DATA_VIEWERS,
    permission: 'customer:read',
    prepare: async () => ({ path: `/api/v1/customers/${await freshCustomerId()}` }),
  },
  'PATCH /api/v1/customers/:id': {
    rid: 'R-CTRL-CLERK',
    allow: CONTROL_DATA_MAINTAINERS,
    permission: 'customer:update',
    prepare: async () => ({ path: `/api/v1/customers/${await freshCustomerId()}`, body: { unit: '2棟202室' } }),
  },
  'DELETE /api/v1/customers/:id': {
    rid: 'R-CTRL-CLERK',
    allow: CONTROL_DATA_MAINTAINERS,
    permission: 'customer:delete',
    prepare: async () => ({ path: `/api/v1/customers/${await freshCustomerId()}` }),
  },
  'POST /api/v1/customers/:id/reveal': {
    rid: 'R-SECRET',
    allow: CONTROL_DATA_MAINTAINERS,
    permission: 'customer:reveal',
    prepare: async () => ({ path: `/api/v1/customers/${await freshCustomerId()}/reveal`, body: { fields: ['phones'], reason: 'access matrix check' } }),
  },

  'GET /api/v1/customers/export': {
    rid: 'R-CTRL-IT',
    allow: IT_ADMIN,
    permission: 'customer:export',
    prepare: async () => ({ path: '/api/v1/customers/export', query: { project, purpose: 'access matrix check' } }),
  },

  'POST /api/v1/customers/import': {
    rid: 'R-CTRL-IT',
    allow: IT_ADMIN,
    permission: 'customer:import',
    prepare: async () => ({
      path: '/api/v1/customers/import',
      query: { project, dryRun: 'true' },
      contentType: 'text/csv',
      body: `name,unit,phones\nMatrix customer,1棟101室,${makePhone()}\n`,
    }),
  },
  'GET /api/v1/imports/:id': {
    rid: 'R-CTRL-IT',
    allow: IT_ADMIN,
    permission: 'customer:import',
    prepare: async () => ({ path: `/api/v1/imports/${await freshImportId()}` }),
  },
  // Issue 12: a dry run is committed without uploading again; the same permission as the import.
  'POST /api/v1/imports/:id/commit': {
    rid: 'R-CTRL-IT',
    allow: IT_ADMIN,
    permission: 'customer:import',
    prepare: async () => ({ path: `/api/v1/imports/${await freshImportId()}/commit` }),
  },
  // Issue 12: the record of exports, read by who may export (R-CTRL-IT: the IT admin alone).
  'GET /api/v1/exports': {
    rid: 'R-CTRL-IT',
    allow: IT_ADMIN,
    permission: 'customer:export',
    prepare: async () => ({ path: '/api/v1/exports', query: { project } }),
  },

  // --- releases outside the company (R-EXTERNAL): the IT admin requests, the general manager decides ---
  'POST /api/v1/external-releases': {
    rid: 'R-EXTERNAL',
    allow: IT_ADMIN,
    permission: 'external_release:request',
    prepare: async () => ({ path: '/api/v1/external-releases', body: { project, recipient: 'Matrix Ltd', purpose: 'access matrix check', fields: [] } }),
  },
  'GET /api/v1/external-releases': {
    rid: 'R-EXTERNAL',
    allow: ['it_admin', 'general_manager'],
    permission: 'external_release:read',
    prepare: async () => ({ path: '/api/v1/external-releases' }),
  },
  'GET /api/v1/external-releases/:id': {
    rid: 'R-EXTERNAL',
    allow: ['it_admin', 'general_manager'],
    permission: 'external_release:read',
    prepare: async () => ({ path: `/api/v1/external-releases/${(await freshRelease()).id}` }),
  },
  'POST /api/v1/external-releases/:id/approve': {
    rid: 'R-EXTERNAL',
    allow: ['general_manager'],
    permission: 'external_release:approve',
    prepare: async () => ({ path: `/api/v1/external-releases/${(await freshRelease()).id}/approve`, body: {} }),
  },
  'POST /api/v1/external-releases/:id/reject': {
    rid: 'R-EXTERNAL',
    allow: ['general_manager'],
    permission: 'external_release:approve',
    prepare: async () => ({ path: `/api/v1/external-releases/${(await freshRelease()).id}/reject`, body: { reason: 'access matrix' } }),
  },
  'GET /api/v1/external-releases/:id/download': {
    rid: 'R-EXTERNAL',
    allow: IT_ADMIN,
    permission: 'external_release:request',
    prepare: async (c) => ({ path: `/api/v1/external-releases/${(await freshRelease(c.user?.id, true)).id}/download` }),
  },

  // --- survey and census notes (R-SURVEY-REDACT): customer managers post, clerks reconcile and archive ---
  'POST /api/v1/survey-notes': {
    rid: 'R-SURVEY-REDACT',
    allow: SURVEY_WRITERS,
    permission: 'survey_note:create',
    prepare: async () => ({ path: '/api/v1/survey-notes', body: { project, source: 'census', text: '3棟1204室 業主希望增加車位' } }),
  },
  'GET /api/v1/survey-notes': {
    rid: 'R-SURVEY-REDACT',
    allow: SURVEY_WRITERS,
    permission: 'survey_note:read',
    prepare: async () => ({ path: '/api/v1/survey-notes', query: { project } }),
  },
  'GET /api/v1/survey-notes/:id': {
    rid: 'R-SURVEY-REDACT',
    allow: SURVEY_WRITERS,
    permission: 'survey_note:read',
    prepare: async () => ({ path: `/api/v1/survey-notes/${await freshSurveyNoteId()}` }),
  },
  'GET /api/v1/survey-notes/:id/original': {
    rid: 'R-SURVEY-REDACT',
    allow: CONTROL_DATA_MAINTAINERS,
    permission: 'survey_note:update',
    prepare: async () => ({ path: `/api/v1/survey-notes/${await freshSurveyNoteId()}/original` }),
  },
  'POST /api/v1/survey-notes/:id/original': {
    rid: 'R-SURVEY-REDACT',
    allow: CONTROL_DATA_MAINTAINERS,
    permission: 'survey_note:update',
    prepare: async () => ({ path: `/api/v1/survey-notes/${await freshSurveyNoteId()}/original`, body: { reason: 'reconciling the census' } }),
  },
  'POST /api/v1/survey-notes/:id/reconcile': {
    rid: 'R-SURVEY-REDACT',
    allow: CONTROL_DATA_MAINTAINERS,
    permission: 'survey_note:update',
    prepare: async () => ({ path: `/api/v1/survey-notes/${await freshSurveyNoteId()}/reconcile`, body: { customerId: await freshCustomerId(), changes: { unit: '9棟909室' } } }),
  },
  // §5.2.2.4: the customer manager archives (survey_note:archive), once the clerk has reconciled the note.
  'POST /api/v1/survey-notes/:id/archive': {
    rid: 'R-SURVEY-REDACT',
    allow: [...CONTROL_DATA_MAINTAINERS, 'customer_manager'],
    permission: 'survey_note:archive',
    prepare: async () => {
      const id = await freshSurveyNoteId();
      await t.ctx.surveys.reconcile(adminActor(), await t.ctx.surveys.load(id), await freshCustomerId(), { unit: '9棟909室' });
      return { path: `/api/v1/survey-notes/${id}/archive` };
    },
  },

  // --- department inventory (R-INVENTORY): kept by the department head, read by auditors and the quality department ---
  'GET /api/v1/departments/:code/inventory': {
    rid: 'R-INVENTORY',
    allow: ['dept_head', 'auditor', 'quality_inspector'],
    permission: 'inventory:read',
    prepare: async () => ({ path: `/api/v1/departments/${dept}/inventory` }),
  },
  'POST /api/v1/departments/:code/inventory': {
    rid: 'R-INVENTORY',
    allow: ['dept_head'],
    permission: 'inventory:manage',
    prepare: async () => ({ path: `/api/v1/departments/${dept}/inventory`, body: INVENTORY_ITEM }),
  },
  'GET /api/v1/inventory': {
    rid: 'R-INVENTORY',
    allow: ['auditor', 'quality_inspector'],
    permission: 'inventory:read',
    prepare: async () => ({ path: '/api/v1/inventory' }),
  },
  'PATCH /api/v1/inventory/:id': {
    rid: 'R-INVENTORY',
    allow: ['dept_head'],
    permission: 'inventory:manage',
    prepare: async () => ({ path: `/api/v1/inventory/${await freshInventoryItemId()}`, body: { approxCount: 12 } }),
  },
  'DELETE /api/v1/inventory/:id': {
    rid: 'R-INVENTORY',
    allow: ['dept_head'],
    permission: 'inventory:manage',
    prepare: async () => ({ path: `/api/v1/inventory/${await freshInventoryItemId()}` }),
  },
  'POST /api/v1/inventory/:id/review': {
    rid: 'R-INVENTORY',
    allow: ['dept_head'],
    permission: 'inventory:manage',
    prepare: async () => ({ path: `/api/v1/inventory/${await freshInventoryItemId()}/review`, body: {} }),
  },

  // --- the audit trail (R-AUDIT) ---
  'GET /api/v1/audit': { rid: 'R-AUDIT', allow: REVIEWERS, permission: 'audit:read', prepare: async () => ({ path: '/api/v1/audit', query: { limit: '5' } }) },
  'GET /api/v1/audit/export': {
    rid: 'R-AUDIT',
    allow: REVIEWERS,
    permission: 'audit:export',
    prepare: async () => ({ path: '/api/v1/audit/export', query: { action: 'department.created' } }),
  },
  'GET /api/v1/audit/verify': { rid: 'R-AUDIT', allow: REVIEWERS, permission: 'audit:verify', prepare: async () => ({ path: '/api/v1/audit/verify' }) },
  // Signed digests outside the database (issue 14 §1): read by the reviewers, signed on demand by those who verify.
  'GET /api/v1/audit/keys': { rid: 'R-AUDIT', allow: REVIEWERS, permission: 'audit:verify', prepare: async () => ({ path: '/api/v1/audit/keys' }) },
  'GET /api/v1/audit/digests': { rid: 'R-AUDIT', allow: REVIEWERS, permission: 'audit:read', prepare: async () => ({ path: '/api/v1/audit/digests' }) },
  'POST /api/v1/audit/digests': { rid: 'R-AUDIT', allow: REVIEWERS, permission: 'audit:verify', prepare: async () => ({ path: '/api/v1/audit/digests', body: {} }) },
  'GET /api/v1/audit/digests/:number': {
    rid: 'R-AUDIT',
    allow: REVIEWERS,
    permission: 'audit:read',
    prepare: async () => ({ path: `/api/v1/audit/digests/${(await t.ctx.auditDigests.create('manual', { actor: adminActor() }))!.digest.number}` }),
  },
};

/** The core rows above and every feature area's rows (test/api/matrix/*.rows.ts); a key defined twice fails. */
const EXPECTATIONS: Record<string, Expectation> = { ...CORE_EXPECTATIONS };
for (const rows of MATRIX_ROWS) {
  for (const [key, e] of Object.entries(rows)) {
    if (key in EXPECTATIONS) throw new Error(`access matrix: ${key} has two rows`);
    EXPECTATIONS[key] = e;
  }
}

/** deny (401): no token on a non-public route; deny: 403 with the missing permission. */
type Outcome = 'allow' | 'deny' | 'deny (401)';

function expectedOutcome(e: Expectation, caller: CallerName): Outcome {
  if (e.allow === 'public') return 'allow';
  if (caller === 'anonymous') return 'deny (401)';
  if (e.allow === 'authenticated') return 'allow';
  return (e.allow as CallerName[]).includes(caller) ? 'allow' : 'deny';
}

const routeKey = (r: RouteSpec) => `${r.method.toUpperCase()} ${r.path}`;

/** Denials the matrix produced, per caller: checked against the audit trail at the end (R-AUDIT). */
const denials = new Map<CallerName, string[]>();

/** The route table, built once for the file (building it for each of the ~1,700 cells took half the file's time). */
let routes: RouteSpec[];
let routeByKey: Map<string, RouteSpec>;

beforeAll(async () => {
  t = await startTestApp();
  routes = allRoutes(t.ctx);
  routeByKey = new Map(routes.map((r) => [routeKey(r), r]));
  const d = await makeDepartment(t);
  const p = await makeProject(t, { departmentCode: d.code });
  dept = d.code;
  project = p.code;
  Object.assign(env, { t, dept, project, callers });
  for (const role of ROLES) {
    const user = await makeUser(t, { roles: [[role, HELD_IN[role](dept, project)]] });
    callers.set(role, { name: role, role, user, auth: user.auth });
  }
  const noRole = await makeUser(t, { signed: true });
  callers.set('no_role', { name: 'no_role', role: null, user: noRole, auth: noRole.auth });
  callers.set('anonymous', { name: 'anonymous', role: null, user: null, auth: null });
  target = await makeUser(t, { roles: [['staff', `project:${project}`]] });
  loginUser = await makeUser(t);
});

afterAll(async () => {
  await t?.close();
});

describe('access matrix: the table covers the service', () => {
  test('R-SECRET access matrix: every role of src/policy/roles.ts has a matrix user', () => {
    expect([...ROLES].sort()).toEqual([...ROLE_NAMES].sort());
  });

  test('R-SECRET access matrix: every route of allRoutes has an expectation (add new routes to the table)', () => {
    const keys = routes.map(routeKey);
    const missing = keys.filter((k) => !(k in EXPECTATIONS));
    expect(missing).toEqual([]);
    const stale = Object.keys(EXPECTATIONS).filter((k) => !keys.includes(k));
    expect(stale).toEqual([]);
  });

  test('R-SECRET access matrix: each route declares the access kind and permission the Rules expect', () => {
    const mismatches: string[] = [];
    for (const spec of routes) {
      const e = EXPECTATIONS[routeKey(spec)];
      if (!e) continue;
      const a = spec.access;
      const declared = a.kind === 'permission' ? `permission ${a.object}:${a.action}` : a.kind;
      const wanted = e.allow === 'public' ? 'public' : e.allow === 'authenticated' ? 'self' : `permission ${e.permission}`;
      if (declared !== wanted) mismatches.push(`${routeKey(spec)}: declares ${declared}, the Rules want ${wanted}`);
    }
    expect(mismatches).toEqual([]);
  });
});

const cells = Object.entries(EXPECTATIONS).flatMap(([key, e]) =>
  CALLERS.map((caller) => ({ key, caller, rid: e.rid, outcome: expectedOutcome(e, caller) })),
);

describe('access matrix: route × caller', () => {
  test.each(cells)('$rid access matrix: $key as $caller → $outcome', async ({ key, caller: callerName, outcome }) => {
    const e = EXPECTATIONS[key];
    const spec = routeByKey.get(key);
    expect(spec).toBeDefined();
    const caller = callers.get(callerName)!;
    const req = await e.prepare(caller);
    const auth = req.auth !== undefined ? req.auth : caller.auth;

    let call = t.http()[spec!.method](req.path);
    if (req.query) call = call.query(req.query);
    if (auth) call = call.set('Authorization', auth);
    if (req.contentType) call = call.set('Content-Type', req.contentType);
    const res = req.body !== undefined ? await call.send(req.body as object) : await call;

    if (outcome === 'allow') {
      expect(res.status).not.toBe(401);
      expect(res.status).not.toBe(403);
      // The request is valid, so an allowed call succeeds (anything else would mean the cell tests nothing).
      if (res.status >= 400) throw new Error(`${key} as ${callerName}: expected success, got ${res.status} ${JSON.stringify(res.body)}`);
      // The console's client is typed from the documented response: the real answer must match it.
      if (spec!.response && /json/.test(String(res.headers['content-type']))) {
        const parsed = spec!.response.safeParse(res.body);
        if (!parsed.success) throw new Error(`${key} as ${callerName}: the answer does not match the documented response: ${parsed.error.message}`);
      }
    } else if (outcome === 'deny (401)') {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    } else {
      expect({ status: res.status, code: res.body?.error?.code, permission: res.body?.error?.details?.permission }).toEqual({
        status: 403,
        code: 'forbidden',
        permission: e.permission,
      });
      denials.set(callerName, [...(denials.get(callerName) ?? []), e.permission!]);
    }
  });
});

describe('access matrix: denials are recorded', () => {
  test('R-AUDIT access matrix: every denial of the matrix left an access.denied event for the denied user', async () => {
    expect(denials.size).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const [callerName, perms] of denials) {
      const user = callers.get(callerName)!.user!;
      const res = await t
        .http()
        .get('/api/v1/audit')
        .set('Authorization', `Bearer ${t.admin.token}`)
        .query({ actorId: String(user.id), action: 'access.denied', limit: '500' });
      expect(res.status).toBe(200);
      const events = res.body.items as Array<{ actorId: number; objectType: string; decision: string; reason: string; scope: string }>;
      for (const perm of perms) {
        const [object] = perm.split(':');
        const found = events.filter(
          (ev) => ev.actorId === user.id && ev.objectType === object && ev.decision === 'deny' && ev.reason.startsWith(`${perm} `),
        );
        if (found.length === 0) missing.push(`${callerName}: ${perm}`);
      }
      // One event per denied call, never fewer.
      expect(events.length).toBeGreaterThanOrEqual(perms.length);
    }
    expect(missing).toEqual([]);
  });
});
