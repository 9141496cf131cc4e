import { Enforcer, newEnforcer, newModelFromString } from 'casbin';
import { EntityManager } from 'typeorm';
import { Database } from '../db/database';
import { Department } from '../entities/Department';
import { PolicyRule } from '../entities/PolicyRule';
import { PolicyMeta } from '../entities/PolicyMeta';
import { Project } from '../entities/Project';
import { coalesced } from '../lib/coalesce';
import type { Logger } from '../logger';
import { readModelText } from './policy-files';
import { COMPANY, parseScope } from './scope';

export interface Decision {
  allowed: boolean;
  /** allow: an allow line matched; deny: a deny line matched (deny-override); default: nothing matched; error: the check failed. */
  effect: 'allow' | 'deny' | 'default' | 'error';
  /** The policy line that decided, as [role, scope, object, action, effect]. */
  line: string[] | null;
  /** The scope in which the deciding line applied. */
  decidedIn: string | null;
  /** The scopes that were asked: the record's scope and each enclosing scope. */
  checked: string[];
}

interface LoadedPolicy {
  version: number;
  projectDept: Map<string, string | null>;
  projectCodeById: Map<number, string>;
  departments: Set<string>;
  /** subject -> scope -> roles held there (the g lines). */
  memberships: Map<string, Map<string, string[]>>;
  /** Decisions per user request. */
  cache: Map<string, Decision>;
  /** Decisions per (role, scope, object, action): the casbin evaluation proper. */
  roleCache: Map<string, RoleDecision>;
  /** One small enforcer per role holding only that role's p lines (same model). */
  roleEnforcers: Map<string, Enforcer>;
  /** Scopes that some p line is pinned to; decisions in any other scope do not depend on it. */
  pinnedScopes: Set<string>;
}

interface RoleDecision {
  effect: 'allow' | 'deny' | 'default';
  line: string[];
}

const CACHE_LIMIT = 200_000;

export const userSubject = (userId: number): string => `user:${userId}`;

/**
 * Holds the casbin policy and answers every authorization question (R-SECRET: deny unless a
 * policy allows).
 *
 * A decision for (user, scope, object, action): the scope chain is the record's scope and
 * each enclosing scope (project -> its department -> company); for every role the user holds
 * in one of those scopes, casbin evaluates the role's lines (enforceExSync on a per-role
 * enforcer); one deny anywhere refuses (deny-override), otherwise one allow admits, otherwise
 * default deny. Role decisions and user decisions are cached for the loaded policy.
 *
 * Any policy, role or org change bumps the version in the database; every instance polls it
 * and swaps in a freshly and completely loaded state, so no request sees a partial policy.
 */
export class PolicyService {
  private state: LoadedPolicy | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly modelText = readModelText();

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  get loaded(): boolean {
    return this.state !== null;
  }

  get version(): number {
    return this.state?.version ?? -1;
  }

  private readonly reloads = coalesced(async () => {
    this.state = await this.loadFresh();
  });

  /** Loads a complete new enforcer, then swaps it in. Concurrent calls coalesce. */
  reload(): Promise<void> {
    return this.reloads();
  }

  private async loadFresh(): Promise<LoadedPolicy> {
    // Read the version first: if a change lands while we load, we load newer lines under an
    // older number and the next poll loads again, never the other way round.
    const meta = await this.db.manager.getRepository(PolicyMeta).findOneByOrFail({ id: 1 });
    // The p lines (role templates, ~150) and the g lines (one per membership: 10,000+) are read
    // with plain queries from casbin_rule: loading through casbin's TypeORM adapter re-parsed every
    // line as CSV (~130 µs a line, 1.3 s for 10,000 g lines; ~25 ms for the p lines on every
    // reload: see bench/authz.ts). Decisions resolve memberships from the map below rather than
    // from casbin's role graph (see roleDecision); each role's p lines go to its own enforcer.
    const pRows = await this.db.manager
      .getRepository(PolicyRule)
      .find({ where: { ptype: 'p' }, select: { id: true, v0: true, v1: true, v2: true, v3: true, v4: true, v5: true }, order: { id: 'ASC' } });
    const gRows = await this.db.manager
      .getRepository(PolicyRule)
      .find({ where: { ptype: 'g' }, select: { id: true, v0: true, v1: true, v2: true } });
    const [projects, departments] = await Promise.all([
      this.db.manager.getRepository(Project).find(),
      this.db.manager.getRepository(Department).find(),
    ]);
    const deptCode = new Map(departments.map((d) => [d.id, d.code]));
    const projectDept = new Map(projects.map((p) => [p.code, p.departmentId ? (deptCode.get(p.departmentId) ?? null) : null]));
    const memberships = new Map<string, Map<string, string[]>>();
    for (const { v0: sub, v1: role, v2: dom } of gRows) {
      let doms = memberships.get(sub);
      if (!doms) memberships.set(sub, (doms = new Map()));
      doms.set(dom, [...(doms.get(dom) ?? []), role]);
    }
    const byRole = new Map<string, string[][]>();
    const seen = new Set<string>();
    for (const row of pRows) {
      // As casbin reads a stored line: the values in column order, blanks left out, trimmed.
      const line = [row.v0, row.v1, row.v2, row.v3, row.v4, row.v5].filter((v): v is string => v != null && v.trim() !== '').map((v) => v.trim());
      // casbin's addPolicies adds nothing at all if one rule is a duplicate: dedupe first.
      const key = line.join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      byRole.set(line[0], [...(byRole.get(line[0]) ?? []), line]);
    }
    const roleEnforcers = new Map<string, Enforcer>();
    for (const [role, lines] of byRole) {
      const e = await newEnforcer(newModelFromString(this.modelText));
      await e.addPolicies(lines);
      roleEnforcers.set(role, e);
    }
    const pinnedScopes = new Set([...byRole.values()].flat().map((l) => l[1]).filter((d) => d !== COMPANY));
    return {
      roleEnforcers,
      pinnedScopes,
      version: meta.version,
      projectDept,
      projectCodeById: new Map(projects.map((p) => [p.id, p.code])),
      departments: new Set(deptCode.values()),
      memberships,
      cache: new Map(),
      roleCache: new Map(),
    };
  }

  /** Polls the policy version so that a change made on another instance is enforced here within one interval. */
  startPolling(intervalMs: number): void {
    this.stopPolling();
    this.timer = setInterval(() => {
      void this.pollOnce().catch((err) => this.logger.warn('policy poll failed', { error: String(err) }));
    }, intervalMs);
    this.timer.unref();
  }

  stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Makes sure the loaded policy is at least `version` (the database's, read by the request's
   * authentication with the user row): a role revoked through another instance is enforced here
   * at the caller's next request, not at the next poll (R-IT-PERMS, issue 14 §4). Costs nothing
   * when the version is current; otherwise the requests that see the new version wait for one
   * reload between them (a reload already under way is awaited, not repeated, unless it began
   * before the change and so loaded an older version).
   */
  async catchUp(version: number): Promise<void> {
    if (this.version >= version) return;
    await this.reloads.current();
    if (this.version >= version) return;
    await this.reload();
    if (this.version >= version) this.logger.info('policy reloaded', { version: this.version, by: 'request' });
  }

  async pollOnce(): Promise<boolean> {
    const meta = await this.db.manager.getRepository(PolicyMeta).findOneBy({ id: 1 });
    if (meta && meta.version !== this.version) {
      await this.reload();
      this.logger.info('policy reloaded', { version: this.version });
      return true;
    }
    return false;
  }

  /** The scope itself, then each enclosing scope: project -> its department -> company. */
  scopeChain(scope: string): string[] {
    const parsed = parseScope(scope);
    if (!parsed || parsed.kind === 'company') return [COMPANY];
    if (parsed.kind === 'dept') return [scope, COMPANY];
    const dept = this.state?.projectDept.get(parsed.code!);
    return dept ? [scope, `dept:${dept}`, COMPANY] : [scope, COMPANY];
  }

  /** Project code for an id, from the loaded organisation (null if unknown to this instance yet). */
  projectCode(id: number): string | null {
    return this.state?.projectCodeById.get(id) ?? null;
  }

  /**
   * "project:<code>" of a project id: from the loaded organisation, or from the database for a
   * project created on another instance since the last poll. The one place records of a project
   * (customers, imports, releases, notes) get their scope from. Inside a transaction pass its
   * manager: the fallback read must not take a second connection (issue 11).
   */
  async projectScope(projectId: number, m: EntityManager = this.db.manager): Promise<string> {
    const code = this.projectCode(projectId) ?? (await m.getRepository(Project).findOneByOrFail({ id: projectId })).code;
    return `project:${code}`;
  }

  /** The scopes where the subject holds at least one role. */
  heldScopes(subject: string): string[] {
    return [...(this.state?.memberships.get(subject)?.keys() ?? [])];
  }

  /** Users holding `role` exactly in `scope` (from the loaded g lines), e.g. the heads of dept:D01. */
  holdersOf(role: string, scope: string): number[] {
    const ids: number[] = [];
    for (const [subject, scopes] of this.state?.memberships ?? []) {
      if (!subject.startsWith('user:')) continue;
      if (scopes.get(scope)?.includes(role)) ids.push(Number(subject.slice(5)));
    }
    return ids.sort((a, b) => a - b);
  }

  /** Whether the scope names an existing department/project (or the company). */
  scopeExists(scope: string): boolean {
    const parsed = parseScope(scope);
    if (!parsed) return false;
    if (parsed.kind === 'company') return true;
    if (parsed.kind === 'project') return this.state?.projectDept.has(parsed.code!) ?? false;
    return this.state?.departments.has(parsed.code!) ?? false;
  }

  /**
   * The one authorization decision. Any error inside denies (quality bar: errors in
   * authorization deny).
   */
  decide(subject: string, scope: string, object: string, action: string): Decision {
    const state = this.state;
    if (!state) return { allowed: false, effect: 'error', line: null, decidedIn: null, checked: [] };
    const key = `${subject}\u0000${scope}\u0000${object}\u0000${action}`;
    const hit = state.cache.get(key);
    if (hit) return hit;
    let decision: Decision;
    const checked = this.scopeChain(scope);
    try {
      decision = { allowed: false, effect: 'default', line: null, decidedIn: null, checked };
      const held = state.memberships.get(subject);
      outer: for (const dom of checked) {
        for (const role of held?.get(dom) ?? []) {
          const r = this.roleDecision(state, role, dom, object, action);
          if (r.effect === 'deny') {
            // A deny line matched in one of the scopes: deny-override across the whole chain.
            decision = { allowed: false, effect: 'deny', line: r.line, decidedIn: dom, checked };
            break outer;
          }
          if (r.effect === 'allow' && !decision.allowed) decision = { allowed: true, effect: 'allow', line: r.line, decidedIn: dom, checked };
        }
      }
    } catch (err) {
      this.logger.error('authorization check failed', { error: String(err), object, action });
      return { allowed: false, effect: 'error', line: null, decidedIn: null, checked };
    }
    if (state.cache.size >= CACHE_LIMIT) state.cache.clear();
    state.cache.set(key, decision);
    return decision;
  }

  /**
   * casbin's own evaluation for one role held in one scope: enforceExSync(role, scope, obj, act).
   * Every p line names a role and every g line links a user to a role (no role hierarchy), so
   * the lines matching a user in a scope are exactly the union of those matching each role
   * they hold there; deny-override over that union is what decide() computes. Evaluating per
   * role lets each evaluation scan only that role's lines (a per-role enforcer built from the
   * stored p lines) and lets the small set of role decisions be cached.
   */
  private roleDecision(state: LoadedPolicy, role: string, dom: string, object: string, action: string): RoleDecision {
    // Lines written for "*" decide the same in every scope not pinned by some line: share the entry.
    const keyDom = state.pinnedScopes.has(dom) ? dom : '\u0001any';
    const key = `${role}\u0000${keyDom}\u0000${object}\u0000${action}`;
    let r = state.roleCache.get(key);
    if (!r) {
      const e = state.roleEnforcers.get(role);
      const [ok, line] = e ? e.enforceExSync(role, dom, object, action) : [false, []];
      r = { effect: ok ? 'allow' : line.length ? 'deny' : 'default', line };
      if (state.roleCache.size >= CACHE_LIMIT) state.roleCache.clear();
      state.roleCache.set(key, r);
    }
    return r;
  }
}
