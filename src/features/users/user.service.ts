import { EntityManager, In, Like } from 'typeorm';
import { langOf } from '../../lib/lang';
import type { Config } from '../../config/env';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import { Database, forUpdate } from '../../db/database';
import { Department } from '../../entities/Department';
import { User, USER_STATUSES, UserLanguage, UserStatus } from '../../entities/User';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { PolicyService } from '../../policy/policy-service';
import { Assignment, PolicyStore } from '../../policy/policy-store';
import { CURRENT_AGREEMENT } from '../../policy/agreement';
import { hashPassword } from '../../crypto/passwords';
import { HoldingsRegistry } from '../../policy/holdings-registry';
import { USER_SORTS, UserSort } from './user.schemas';

/**
 * What each ?sort= orders by. Usernames are lowercase (the create route insists), so their unique
 * index orders them alike on both databases; display names are compared lowercased, because
 * MariaDB's utf8mb4_general_ci ignores case and SQLite's BINARY does not ("Zoe" before "adam").
 * The status is ranked in its declared order: MariaDB sorts an ENUM by that order, SQLite its
 * text alphabetically, and a CASE gives both the same.
 */
const USER_SORT: Record<(typeof USER_SORTS)[number], string> = {
  username: 'u.username',
  displayName: 'LOWER(u.displayName)',
  createdAt: 'u.createdAt',
  status: `CASE u.status ${USER_STATUSES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`,
};

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  departmentCode: string | null;
  status: UserStatus;
  agreementVersion: string | null;
  agreementSignedAt: Date | null;
  lockedUntil: Date | null;
  createdAt: Date;
  offboardedAt: Date | null;
  /** Where e-mail notifications go (null: in-app only) and the language messages are written in (issue 13). */
  email: string | null;
  language: UserLanguage;
}

/** What a user may set in their own profile, and the IT admin on any account (issue 13). */
export interface ContactInput {
  email?: string | null;
  language?: UserLanguage;
}

type Acting = AuditActor & { id: number };

export class UsersService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly store: PolicyStore,
    private readonly holdings: HoldingsRegistry,
    private readonly config: Config,
  ) {}

  private async deptCodes(ids: (number | null)[]): Promise<Map<number, string>> {
    const wanted = [...new Set(ids.filter((i): i is number => i !== null))];
    if (!wanted.length) return new Map();
    const rows = await this.db.manager.getRepository(Department).findBy({ id: In(wanted) });
    return new Map(rows.map((d) => [d.id, d.code]));
  }

  private view(u: User, codes: Map<number, string>): UserView {
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      departmentCode: u.departmentId ? (codes.get(u.departmentId) ?? null) : null,
      status: u.status,
      agreementVersion: u.agreementVersion,
      agreementSignedAt: u.agreementSignedAt,
      lockedUntil: u.lockedUntil,
      createdAt: u.createdAt,
      offboardedAt: u.offboardedAt,
      email: u.email ?? null,
      language: langOf(u.language),
    };
  }

  async find(id: number, m: EntityManager = this.db.manager): Promise<User> {
    const u = await m.getRepository(User).findOneBy({ id });
    if (!u) throw new NotFoundError('User', id);
    return u;
  }

  async get(id: number): Promise<UserView> {
    const u = await this.find(id);
    return this.view(u, await this.deptCodes([u.departmentId]));
  }

  async list(filter: { status?: UserStatus; q?: string; limit: number; offset: number } & UserSort): Promise<{ items: UserView[]; total: number }> {
    // The console's search box: part of the username or of the display name (R-IT-PERMS: find whom to change).
    const status = filter.status ? { status: filter.status } : {};
    const like = filter.q ? Like(`%${filter.q.replace(/[%_\\]/g, '\\$&')}%`) : null;
    const where = like ? [{ ...status, username: like }, { ...status, displayName: like }] : status;
    // Sorted in the query, id breaking ties in the same direction, so that pages neither repeat
    // nor skip a row; without ?sort= the order stays the id order it always was.
    const qb = this.db.manager.getRepository(User).createQueryBuilder('u').setFindOptions({ where, take: filter.limit, skip: filter.offset });
    const dir = filter.order === 'desc' ? 'DESC' : 'ASC';
    if (filter.sort) qb.orderBy(USER_SORT[filter.sort], dir).addOrderBy('u.id', dir);
    else qb.orderBy('u.id', 'ASC');
    const [rows, total] = await qb.getManyAndCount();
    const codes = await this.deptCodes(rows.map((r) => r.departmentId));
    return { items: rows.map((r) => this.view(r, codes)), total };
  }

  private async deptId(m: EntityManager, code: string | null | undefined): Promise<number | null> {
    if (!code) return null;
    const d = await m.getRepository(Department).findOneBy({ code });
    if (!d) throw new ValidationError('Unknown department', [{ path: 'body.departmentCode', message: `department ${code} does not exist` }]);
    return d.id;
  }

  /**
   * R-SCOPE, R-ONBOARD: a new account starts as pending_agreement and reaches nothing but its
   * own profile and the agreement until it signs.
   */
  async create(actor: Acting | AuditActor, input: { username: string; displayName: string; password: string; departmentCode?: string | null } & ContactInput, opts: { signed?: boolean } = {}): Promise<UserView> {
    const passwordHash = await hashPassword(input.password, this.config.bcryptRounds);
    const user = await this.db.tx(async (m) => {
      if (await m.getRepository(User).findOneBy({ username: input.username })) {
        throw new ConflictError('already_exists', `Username ${input.username} is taken`);
      }
      const now = new Date();
      const u = m.getRepository(User).create({
        username: input.username,
        displayName: input.displayName,
        departmentId: await this.deptId(m, input.departmentCode),
        passwordHash,
        status: opts.signed ? 'active' : 'pending_agreement',
        agreementVersion: opts.signed ? CURRENT_AGREEMENT.version : null,
        agreementSignedAt: opts.signed ? now : null,
        tokenVersion: 0,
        failedLoginCount: 0,
        createdAt: now,
        email: input.email ?? null,
        language: input.language ?? 'zh-Hant',
      });
      await m.getRepository(User).insert(u);
      await this.audit.append(m, actor, {
        action: 'user.created',
        objectType: 'user',
        objectId: u.id,
        after: { username: u.username, displayName: u.displayName, departmentCode: input.departmentCode ?? null, status: u.status, email: u.email, language: u.language },
      });
      return u;
    });
    return this.get(user.id);
  }

  async update(actor: Acting, id: number, input: { displayName?: string; departmentCode?: string | null } & ContactInput): Promise<UserView> {
    await this.db.tx(async (m) => {
      const u = await this.find(id, m);
      if (u.status === 'offboarded') throw new ConflictError('user_offboarded', 'An offboarded account cannot be changed');
      const changes: Partial<User> = {};
      if (input.displayName !== undefined) changes.displayName = input.displayName;
      if (input.departmentCode !== undefined) changes.departmentId = await this.deptId(m, input.departmentCode);
      if (input.email !== undefined) changes.email = input.email;
      if (input.language !== undefined) changes.language = input.language;
      await m.getRepository(User).update({ id }, changes);
      await this.audit.append(m, actor, {
        action: 'user.updated',
        objectType: 'user',
        objectId: id,
        before: { displayName: u.displayName, departmentId: u.departmentId, email: u.email, language: u.language },
        after: changes,
      });
    });
    return this.get(id);
  }

  /** PATCH /api/v1/me/profile: the user's own e-mail address and language (audited like the IT admin's change). */
  async updateProfile(actor: Acting, input: ContactInput): Promise<UserView> {
    await this.db.tx(async (m) => {
      const u = await this.find(actor.id, m);
      const changes: Partial<User> = {};
      if (input.email !== undefined) changes.email = input.email;
      if (input.language !== undefined) changes.language = input.language;
      await m.getRepository(User).update({ id: u.id }, changes);
      await this.audit.append(m, actor, {
        action: 'user.profile_updated',
        objectType: 'user',
        objectId: u.id,
        before: { email: u.email, language: u.language },
        after: changes,
      });
    });
    return this.get(actor.id);
  }

  /** IT admin sets a new password; every existing token of the user stops working. */
  async resetPassword(actor: Acting, id: number, password: string): Promise<void> {
    const passwordHash = await hashPassword(password, this.config.bcryptRounds);
    await this.db.tx(async (m) => {
      const u = await this.find(id, m);
      if (u.status === 'offboarded') throw new ConflictError('user_offboarded', 'An offboarded account cannot be changed');
      await m.getRepository(User).update({ id }, { passwordHash, tokenVersion: u.tokenVersion + 1, lockedUntil: null, failedLoginCount: 0 });
      await this.audit.append(m, actor, { action: 'user.password_reset', objectType: 'user', objectId: id });
    });
  }

  /** R-ONBOARD: signing the current agreement activates the account. */
  async signAgreement(actor: Acting, version: string): Promise<UserView> {
    if (version !== CURRENT_AGREEMENT.version) {
      throw new ValidationError('Not the current agreement', [
        { path: 'body.version', message: `the current agreement version is ${CURRENT_AGREEMENT.version}` },
      ]);
    }
    await this.db.tx(async (m) => {
      const u = await this.find(actor.id, m);
      if (u.status === 'active' && u.agreementVersion === version) return; // signing again changes nothing
      const signedAt = new Date();
      await m.getRepository(User).update({ id: u.id }, { status: 'active', agreementVersion: version, agreementSignedAt: signedAt });
      await this.audit.append(m, actor, {
        action: 'agreement.signed',
        objectType: 'user',
        objectId: u.id,
        before: { status: u.status, agreementVersion: u.agreementVersion },
        after: { status: 'active', agreementVersion: version },
      });
    });
    return this.get(actor.id);
  }

  async holdingsOf(id: number) {
    await this.find(id);
    return this.holdings.holdingsOf(this.db.manager, id);
  }

  /**
   * R-OFFBOARD: refuse while the user still holds anything a ledger tracks; otherwise close
   * the account, remove every role assignment and revoke every token, in one transaction.
   */
  async offboard(actor: Acting, id: number, reason: string | undefined): Promise<UserView> {
    if (actor.id === id) throw new ConflictError('cannot_offboard_self', 'You cannot offboard your own account');
    try {
      await this.offboardInTx(actor, id, reason);
    } catch (err) {
      // R-OFFBOARD, R-RISK-MONTHLY: a leaver still holding customer information is a risk the
      // monthly assessment counts; the refusal is recorded once the refused change rolled back.
      if (err instanceof ConflictError && err.code === 'holdings_outstanding') await this.recordRefusal(actor, id, err);
      throw err;
    }
    await this.policy.reload();
    return this.get(id);
  }

  private async recordRefusal(actor: Acting, id: number, err: ConflictError): Promise<void> {
    const holdings = (err.details as { holdings: Array<{ kind: string; id: string }> }).holdings;
    await this.db.tx(async (m) => {
      const u = await m.getRepository(User).findOneBy({ id });
      const dept = u?.departmentId ? await m.getRepository(Department).findOneBy({ id: u.departmentId }) : null;
      await this.audit.append(m, actor, {
        action: 'user.offboard_refused',
        objectType: 'user',
        objectId: id,
        scope: dept ? `dept:${dept.code}` : undefined,
        decision: 'deny',
        reason: 'holdings_outstanding',
        after: { holdings: holdings.map((h) => ({ kind: h.kind, id: h.id })) },
      });
    });
  }

  private async offboardInTx(actor: Acting, id: number, reason: string | undefined): Promise<void> {
    await this.db.tx(async (m) => {
      // The policy lock first: offboarding removes memberships, and the last-IT-admin guard must see concurrent changes.
      await this.store.lockPolicy(m);
      const u = await m.getRepository(User).findOne({ where: { id }, ...forUpdate(this.db.mysql) });
      if (!u) throw new NotFoundError('User', id);
      if (u.status === 'offboarded') throw new ConflictError('already_offboarded', `User ${u.username} is already offboarded`);
      const held = await this.holdings.holdingsOf(m, id);
      if (held.length) {
        throw new ConflictError('holdings_outstanding', `User ${u.username} still holds ${held.length} item(s) that must be handed over first`, { holdings: held });
      }
      const assignments = await this.store.assignmentsOf(m, id);
      await this.refuseLastItAdmin(m, id, assignments);
      await this.store.removeAllAssignments(m, id);
      await m.getRepository(User).update({ id }, { status: 'offboarded', offboardedAt: new Date(), tokenVersion: u.tokenVersion + 1 });
      await this.audit.append(m, actor, {
        action: 'user.offboarded',
        objectType: 'user',
        objectId: id,
        reason,
        before: { status: u.status, assignments: assignments.map((a) => ({ role: a.role, scope: a.scope })) },
        after: { status: 'offboarded', assignments: [] },
      });
    });
  }

  /** Nobody may remove the last IT admin: the company would lose the only role that manages roles. */
  async refuseLastItAdmin(m: EntityManager, userId: number, removing: Assignment[]): Promise<void> {
    if (!removing.some((a) => a.role === 'it_admin')) return;
    const admins = await this.store.listAssignments(m, { role: 'it_admin' });
    const others = admins.filter((a) => a.userId !== userId).map((a) => a.userId);
    const active = others.length ? await m.getRepository(User).countBy({ id: In(others), status: 'active' }) : 0;
    if (active === 0) throw new ConflictError('last_it_admin', 'This is the last active IT admin; grant the role to someone else first');
  }
}
