import { Enforcer, newEnforcer, newModelFromString } from 'casbin';
import TypeORMAdapter from 'typeorm-adapter';
import { Database } from '../db/database';
import { Department } from '../entities/Department';
import { PolicyMeta } from '../entities/PolicyMeta';
import { Project } from '../entities/Project';
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
  enforcer: Enforcer;
  version: number;
  projectDept: Map<string, string | null>;
  departments: Set<string>;
  cache: Map<string, Decision>;
}

const CACHE_LIMIT = 200_000;

export const userSubject = (userId: number): string => `user:${userId}`;

/**
 * Holds the casbin enforcer and answers every authorization question (R-SECRET: deny unless
 * a policy allows). Decisions are cached per loaded policy; any policy, role or org change
 * bumps the version in the database, and every instance polls it and swaps in a freshly
 * loaded enforcer (the old one keeps answering until the new one is complete).
 */
export class PolicyService {
  private state: LoadedPolicy | null = null;
  private adapter: TypeORMAdapter | null = null;
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
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

  /** Loads a complete new enforcer, then swaps it in. Concurrent calls coalesce. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          this.state = await this.loadFresh();
        } while (this.reloadAgain);
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  private async loadFresh(): Promise<LoadedPolicy> {
    // Read the version first: if a change lands while we load, we load newer lines under an
    // older number and the next poll loads again, never the other way round.
    const meta = await this.db.manager.getRepository(PolicyMeta).findOneByOrFail({ id: 1 });
    // Adapter on the application's own DataSource; never call adapter.close() (it destroys the DataSource).
    this.adapter ??= await TypeORMAdapter.newAdapter({ connection: this.db.ds });
    const enforcer = await newEnforcer(newModelFromString(this.modelText), this.adapter);
    const [projects, departments] = await Promise.all([
      this.db.manager.getRepository(Project).find(),
      this.db.manager.getRepository(Department).find(),
    ]);
    const deptCode = new Map(departments.map((d) => [d.id, d.code]));
    const projectDept = new Map(projects.map((p) => [p.code, p.departmentId ? (deptCode.get(p.departmentId) ?? null) : null]));
    return { enforcer, version: meta.version, projectDept, departments: new Set(deptCode.values()), cache: new Map() };
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
      for (const dom of checked) {
        const [ok, line] = state.enforcer.enforceExSync(subject, dom, object, action);
        if (!ok && line.length > 0) {
          // A deny line matched in one of the scopes: deny-override across the whole chain.
          decision = { allowed: false, effect: 'deny', line, decidedIn: dom, checked };
          break;
        }
        if (ok && !decision.allowed) decision = { allowed: true, effect: 'allow', line, decidedIn: dom, checked };
      }
    } catch (err) {
      this.logger.error('authorization check failed', { error: String(err), object, action });
      return { allowed: false, effect: 'error', line: null, decidedIn: null, checked };
    }
    if (state.cache.size >= CACHE_LIMIT) state.cache.clear();
    state.cache.set(key, decision);
    return decision;
  }

  /** Direct access for listings (effective permissions); read-only use only. */
  get enforcer(): Enforcer | null {
    return this.state?.enforcer ?? null;
  }
}
