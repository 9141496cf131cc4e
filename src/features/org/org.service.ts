import { EntityManager } from 'typeorm';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { Department } from '../../entities/Department';
import { Project } from '../../entities/Project';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { PolicyService } from '../../policy/policy-service';
import { PolicyStore } from '../../policy/policy-store';

export interface DepartmentView {
  id: number;
  code: string;
  name: string;
  createdAt: Date;
}
export interface ProjectView {
  id: number;
  code: string;
  name: string;
  departmentCode: string | null;
  createdAt: Date;
}

/**
 * Departments and projects (service centers). Which department a project belongs to decides
 * whose department roles cover it, so project changes bump the policy version like policy
 * changes do.
 */
export class OrgService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly store: PolicyStore,
  ) {}

  async listDepartments(): Promise<DepartmentView[]> {
    const rows = await this.db.manager.getRepository(Department).find({ order: { code: 'ASC' } });
    return rows.map(({ id, code, name, createdAt }) => ({ id, code, name, createdAt }));
  }

  async getDepartment(code: string, m: EntityManager = this.db.manager): Promise<Department> {
    const d = await m.getRepository(Department).findOneBy({ code });
    if (!d) throw new NotFoundError('Department', code);
    return d;
  }

  async createDepartment(actor: AuditActor, input: { code: string; name: string }): Promise<DepartmentView> {
    const created = await this.db.tx(async (m) => {
      if (await m.getRepository(Department).findOneBy({ code: input.code })) {
        throw new ConflictError('already_exists', `Department ${input.code} already exists`);
      }
      const d = m.getRepository(Department).create({ ...input, createdAt: new Date() });
      await m.getRepository(Department).insert(d);
      await this.store.bumpVersion(m);
      await this.audit.append(m, actor, { action: 'department.created', objectType: 'department', objectId: input.code, scope: `dept:${input.code}`, after: input });
      return d;
    });
    await this.policy.reload();
    return { id: created.id, code: created.code, name: created.name, createdAt: created.createdAt };
  }

  async renameDepartment(actor: AuditActor, code: string, name: string): Promise<DepartmentView> {
    const d = await this.db.tx(async (m) => {
      const d = await this.getDepartment(code, m);
      await m.getRepository(Department).update({ id: d.id }, { name });
      await this.audit.append(m, actor, { action: 'department.updated', objectType: 'department', objectId: code, scope: `dept:${code}`, before: { name: d.name }, after: { name } });
      return { ...d, name };
    });
    return { id: d.id, code: d.code, name: d.name, createdAt: d.createdAt };
  }

  async listProjects(): Promise<ProjectView[]> {
    const [projects, depts] = await Promise.all([
      this.db.manager.getRepository(Project).find({ order: { code: 'ASC' } }),
      this.db.manager.getRepository(Department).find(),
    ]);
    const codeOf = new Map(depts.map((d) => [d.id, d.code]));
    return projects.map((p) => this.projectView(p, p.departmentId ? (codeOf.get(p.departmentId) ?? null) : null));
  }

  private projectView(p: Project, departmentCode: string | null): ProjectView {
    return { id: p.id, code: p.code, name: p.name, departmentCode, createdAt: p.createdAt };
  }

  async getProject(code: string): Promise<ProjectView> {
    const p = await this.db.manager.getRepository(Project).findOneBy({ code });
    if (!p) throw new NotFoundError('Project', code);
    const d = p.departmentId ? await this.db.manager.getRepository(Department).findOneBy({ id: p.departmentId }) : null;
    return this.projectView(p, d?.code ?? null);
  }

  private async departmentIdFor(m: EntityManager, code: string | null | undefined): Promise<number | null> {
    if (!code) return null;
    const d = await m.getRepository(Department).findOneBy({ code });
    if (!d) throw new ValidationError('Unknown department', [{ path: 'body.departmentCode', message: `department ${code} does not exist` }]);
    return d.id;
  }

  async createProject(actor: AuditActor, input: { code: string; name: string; departmentCode?: string | null }): Promise<ProjectView> {
    const p = await this.db.tx(async (m) => {
      if (await m.getRepository(Project).findOneBy({ code: input.code })) {
        throw new ConflictError('already_exists', `Project ${input.code} already exists`);
      }
      const departmentId = await this.departmentIdFor(m, input.departmentCode);
      const p = m.getRepository(Project).create({ code: input.code, name: input.name, departmentId, createdAt: new Date() });
      await m.getRepository(Project).insert(p);
      await this.store.bumpVersion(m);
      await this.audit.append(m, actor, { action: 'project.created', objectType: 'project', objectId: input.code, scope: `project:${input.code}`, after: input });
      return p;
    });
    await this.policy.reload();
    return this.projectView(p, input.departmentCode ?? null);
  }

  async updateProject(actor: AuditActor, code: string, input: { name?: string; departmentCode?: string | null }): Promise<ProjectView> {
    await this.db.tx(async (m) => {
      const before = await m.getRepository(Project).findOneBy({ code });
      if (!before) throw new NotFoundError('Project', code);
      const changes: Partial<Project> = {};
      if (input.name !== undefined) changes.name = input.name;
      if (input.departmentCode !== undefined) changes.departmentId = await this.departmentIdFor(m, input.departmentCode);
      await m.getRepository(Project).update({ id: before.id }, changes);
      // Moving a project changes which department roles cover it: a policy-relevant change.
      await this.store.bumpVersion(m);
      await this.audit.append(m, actor, {
        action: 'project.updated',
        objectType: 'project',
        objectId: code,
        scope: `project:${code}`,
        before: { name: before.name, departmentId: before.departmentId },
        after: changes,
      });
    });
    await this.policy.reload();
    return this.getProject(code);
  }
}
