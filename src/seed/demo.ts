import { SYSTEM_ACTOR } from '../audit/audit-writer';
import type { AppContext } from '../context';
import { User } from '../entities/User';
import { Department } from '../entities/Department';
import { Project } from '../entities/Project';
import { ROLES } from '../policy/roles';

export const DEMO_DEPARTMENTS = [
  { code: 'PM1', name: '物業一部 Property Dept. 1' },
  { code: 'PM2', name: '物業二部 Property Dept. 2' },
];
export const DEMO_PROJECTS = [
  { code: 'SC-HARBOUR', name: '海港服務中心 Harbour Service Center', departmentCode: 'PM1' },
  { code: 'SC-GARDEN', name: '花園服務中心 Garden Service Center', departmentCode: 'PM2' },
];

/** The scope each demo user's role is held in: the first project or department where the role is scoped. */
export function demoScope(roleName: string): string {
  const role = ROLES.find((r) => r.name === roleName)!;
  if (role.scopes.includes('project')) return `project:${DEMO_PROJECTS[0].code}`;
  if (role.scopes.includes('dept')) return `dept:${DEMO_DEPARTMENTS[0].code}`;
  return '*';
}

/** The demo user's e-mail address (a reserved-looking test domain: nothing is ever delivered there for real). */
export const demoEmail = (username: string): string => `${username}@demo.custodian.test`;

export interface DemoResult {
  created: string[];
  existing: string[];
}

/**
 * A demo organisation for newcomers and tests: two departments, two projects, one user per
 * role (`demo.<role>`, e-mail `demo.<role>@demo.custodian.test`), agreements signed. Running it
 * again creates only what is missing (an existing demo user without an address gets one).
 */
export async function seedDemo(ctx: AppContext, password: string): Promise<DemoResult> {
  if (ctx.config.nodeEnv === 'production') throw new Error('seed:demo is refused in production');
  const actor = SYSTEM_ACTOR;
  for (const d of DEMO_DEPARTMENTS) {
    if (!(await ctx.db.manager.getRepository(Department).findOneBy({ code: d.code }))) await ctx.org.createDepartment(actor, d);
  }
  for (const p of DEMO_PROJECTS) {
    if (!(await ctx.db.manager.getRepository(Project).findOneBy({ code: p.code }))) await ctx.org.createProject(actor, p);
  }
  const result: DemoResult = { created: [], existing: [] };
  for (const role of ROLES) {
    const username = `demo.${role.name}`;
    const existing = await ctx.db.manager.getRepository(User).findOneBy({ username });
    if (existing) {
      if (existing.email === null) {
        await ctx.db.tx(async (m) => {
          await m.getRepository(User).update({ id: existing.id }, { email: demoEmail(username) });
          await ctx.audit.append(m, actor, { action: 'user.updated', objectType: 'user', objectId: existing.id, before: { email: null }, after: { email: demoEmail(username) }, reason: 'seed:demo' });
        });
      }
      result.existing.push(username);
      continue;
    }
    const scope = demoScope(role.name);
    const departmentCode = scope.startsWith('project:') || scope.startsWith('dept:') ? DEMO_DEPARTMENTS[0].code : null;
    const user = await ctx.users.create(actor, { username, displayName: `Demo ${role.name}`, password, departmentCode, email: demoEmail(username) }, { signed: true });
    // The system actor (id null) is not a user, so the self-grant rule does not apply here.
    await ctx.db.tx(async (m) => {
      await ctx.policyStore.addAssignment(m, user.id, role.name, scope);
      await ctx.policyStore.bumpVersion(m);
      await ctx.audit.append(m, actor, {
        action: 'role.granted',
        objectType: 'user',
        objectId: user.id,
        scope,
        before: { assignments: [] },
        after: { assignments: [{ role: role.name, scope }] },
        reason: 'seed:demo',
      });
    });
    result.created.push(username);
  }
  await ctx.policy.reload();
  return result;
}
