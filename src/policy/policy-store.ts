import { EntityManager } from 'typeorm';
import { PolicyRule } from '../entities/PolicyRule';
import { PolicyMeta } from '../entities/PolicyMeta';
import { PolicyBaselineRelease } from '../entities/PolicyBaselineRelease';

export interface Assignment {
  id: number;
  userId: number;
  role: string;
  scope: string;
}

export interface StoredLine {
  id: number;
  role: string;
  scope: string;
  object: string;
  action: string;
  effect: 'allow' | 'deny';
}

const USER_PREFIX = 'user:';

function toAssignment(r: PolicyRule): Assignment {
  return { id: r.id, userId: Number(r.v0.slice(USER_PREFIX.length)), role: r.v1, scope: r.v2 };
}

function toLine(r: PolicyRule): StoredLine {
  return { id: r.id, role: r.v0, scope: r.v1, object: r.v2, action: r.v3, effect: r.v4 as 'allow' | 'deny' };
}

/**
 * Queries and writes on the casbin_rule table (PolicyRule). Writes take the
 * caller's transaction so that the line, the version bump and the audit event commit
 * together; PolicyService reads the same rows to build its enforcers.
 */
export class PolicyStore {
  async listLines(m: EntityManager): Promise<StoredLine[]> {
    const rows = await m.getRepository(PolicyRule).find({ where: { ptype: 'p' }, order: { id: 'ASC' } });
    return rows.map(toLine);
  }

  async findLine(m: EntityManager, line: Omit<StoredLine, 'id'>): Promise<StoredLine | null> {
    const row = await m.getRepository(PolicyRule).findOneBy({
      ptype: 'p',
      v0: line.role,
      v1: line.scope,
      v2: line.object,
      v3: line.action,
      v4: line.effect,
    });
    return row ? toLine(row) : null;
  }

  async getLine(m: EntityManager, id: number): Promise<StoredLine | null> {
    const row = await m.getRepository(PolicyRule).findOneBy({ id, ptype: 'p' });
    return row ? toLine(row) : null;
  }

  async addLines(m: EntityManager, lines: Omit<StoredLine, 'id'>[]): Promise<void> {
    if (lines.length === 0) return;
    await m.getRepository(PolicyRule).insert(
      lines.map((l) => ({ ptype: 'p', v0: l.role, v1: l.scope, v2: l.object, v3: l.action, v4: l.effect })),
    );
  }

  async removeLine(m: EntityManager, id: number): Promise<void> {
    await m.getRepository(PolicyRule).delete({ id, ptype: 'p' });
  }

  async countLines(m: EntityManager): Promise<number> {
    return m.getRepository(PolicyRule).countBy({ ptype: 'p' });
  }

  async assignmentsOf(m: EntityManager, userId: number): Promise<Assignment[]> {
    const rows = await m.getRepository(PolicyRule).find({ where: { ptype: 'g', v0: USER_PREFIX + userId }, order: { id: 'ASC' } });
    return rows.map(toAssignment);
  }

  async listAssignments(m: EntityManager, filter: { role?: string; scope?: string }): Promise<Assignment[]> {
    const rows = await m.getRepository(PolicyRule).find({
      where: { ptype: 'g', ...(filter.role ? { v1: filter.role } : {}), ...(filter.scope ? { v2: filter.scope } : {}) },
      order: { id: 'ASC' },
    });
    return rows.map(toAssignment);
  }

  async findAssignment(m: EntityManager, userId: number, role: string, scope: string): Promise<Assignment | null> {
    const row = await m.getRepository(PolicyRule).findOneBy({ ptype: 'g', v0: USER_PREFIX + userId, v1: role, v2: scope });
    return row ? toAssignment(row) : null;
  }

  async addAssignment(m: EntityManager, userId: number, role: string, scope: string): Promise<Assignment> {
    const result = await m.getRepository(PolicyRule).insert({ ptype: 'g', v0: USER_PREFIX + userId, v1: role, v2: scope });
    return { id: Number(result.identifiers[0].id), userId, role, scope };
  }

  async removeAssignment(m: EntityManager, id: number): Promise<void> {
    await m.getRepository(PolicyRule).delete({ id, ptype: 'g' });
  }

  async removeAllAssignments(m: EntityManager, userId: number): Promise<void> {
    await m.getRepository(PolicyRule).delete({ ptype: 'g', v0: USER_PREFIX + userId });
  }

  /**
   * Takes the policy lock: bumps the version first thing in a transaction that changes roles or
   * policy lines. The UPDATE row-locks policy_meta, so such transactions run one at a time and
   * each one's checks (already granted? last IT admin?) see the previous one's result.
   */
  async lockPolicy(m: EntityManager): Promise<void> {
    await this.bumpVersion(m);
  }

  /** The baseline releases (policies/policy.csv `# @since` tags) this database has received. */
  async appliedReleases(m: EntityManager): Promise<Set<string>> {
    return new Set((await m.getRepository(PolicyBaselineRelease).find()).map((r) => r.tag));
  }

  async markReleaseApplied(m: EntityManager, tag: string, at: Date): Promise<void> {
    await m.getRepository(PolicyBaselineRelease).insert({ tag, appliedAt: at });
  }

  /** Every policy, membership or org change bumps this, in the same transaction; instances poll it. */
  async bumpVersion(m: EntityManager): Promise<void> {
    await m.getRepository(PolicyMeta).increment({ id: 1 }, 'version', 1);
  }
}
