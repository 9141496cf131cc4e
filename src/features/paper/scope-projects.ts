import { EntityManager } from 'typeorm';
import { Department } from '../../entities/Department';
import { Project } from '../../entities/Project';
import { NotFoundError } from '../../errors';
import { parseScope } from '../../policy/scope';

/**
 * The projects a scope covers: null for the company ("*": no filter), the department's projects
 * for dept:<code>, the one project for project:<code>. 404 for an unknown department or project.
 */
export async function projectIdsOfScope(m: EntityManager, scope: string): Promise<number[] | null> {
  const parsed = parseScope(scope);
  if (!parsed || parsed.kind === 'company') return null;
  if (parsed.kind === 'project') {
    const p = await m.getRepository(Project).findOneBy({ code: parsed.code! });
    if (!p) throw new NotFoundError('Project', parsed.code!);
    return [p.id];
  }
  const d = await m.getRepository(Department).findOneBy({ code: parsed.code! });
  if (!d) throw new NotFoundError('Department', parsed.code!);
  return (await m.getRepository(Project).find({ where: { departmentId: d.id }, select: { id: true } })).map((p) => p.id);
}
