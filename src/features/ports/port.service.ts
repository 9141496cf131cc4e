import { EntityManager, In } from 'typeorm';
import { isUniqueViolation } from '../../api/middleware/error-handler';
import { AuditWriter } from '../../audit/audit-writer';
import type { Acting } from '../../api/route';
import { Database, forUpdate } from '../../db/database';
import { Department } from '../../entities/Department';
import { BurnerStatus, PortRecord, PortStatus } from '../../entities/PortRecord';
import { RiskAssessment } from '../../entities/RiskAssessment';
import { User } from '../../entities/User';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { deptScope } from '../../policy/scope';
import type { OrgService } from '../org/org.service';

export interface PortView {
  id: number;
  department: string;
  assetTag: string;
  /** The computer's user, when they have an account. */
  userId: number | null;
  username: string | null;
  /** The computer's user, when they have no account. */
  userName: string | null;
  location: string;
  usbStatus: PortStatus;
  burnerStatus: BurnerStatus;
  /** Neither the USB ports nor a burner are open. */
  sealed: boolean;
  decision: string;
  approvedById: number;
  approvedBy: string | null;
  riskAssessmentId: number | null;
  lastVerifiedAt: Date | null;
  lastVerifiedById: number | null;
  createdById: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PortInput {
  assetTag: string;
  userId?: number | null;
  userName?: string | null;
  location: string;
  usbStatus: PortStatus;
  burnerStatus: BurnerStatus;
  decision: string;
  approvedById: number;
  riskAssessmentId?: number | null;
}

export type PortChanges = Partial<PortInput>;

function snapshot(p: PortRecord, department: string) {
  return {
    department,
    assetTag: p.assetTag,
    userId: p.userId,
    userName: p.userName,
    location: p.location,
    usbStatus: p.usbStatus,
    burnerStatus: p.burnerStatus,
    decision: p.decision,
    approvedById: p.approvedById,
    riskAssessmentId: p.riskAssessmentId,
    lastVerifiedAt: p.lastVerifiedAt,
  };
}

const duplicateTag = (tag: string) => new ConflictError('duplicate_asset_tag', `A computer with asset tag ${tag} is already in the port register`);

/**
 * R-PORTS (§5.2.4): each department records, from its risk assessment, whether the USB ports
 * and the disc burner of each of its computers are sealed: the decision, who approved it, the
 * assessment it came from, and when the state was last verified on the machine. The department
 * head keeps it (port_register:manage in dept:<code>); the quality department and auditors read
 * it. Open ports count in the monthly indicators (ports_unsealed). Every change is audited in its
 * transaction (R-AUDIT).
 */
export class PortService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly org: OrgService,
  ) {}

  async departmentScope(code: string): Promise<string> {
    return deptScope((await this.org.getDepartment(code)).code);
  }

  async load(id: number, m: EntityManager = this.db.manager): Promise<PortRecord> {
    const p = await m.getRepository(PortRecord).findOneBy({ id });
    if (!p) throw new NotFoundError('Port register entry', id);
    return p;
  }

  async scopeOf(p: PortRecord): Promise<string> {
    const d = await this.db.manager.getRepository(Department).findOneBy({ id: p.departmentId });
    if (!d) throw new NotFoundError('Department of port register entry', p.id);
    return deptScope(d.code);
  }

  private async views(m: EntityManager, rows: PortRecord[]): Promise<PortView[]> {
    const deptIds = [...new Set(rows.map((r) => r.departmentId))];
    const userIds = [...new Set(rows.flatMap((r) => [r.userId, r.approvedById]).filter((x): x is number => x !== null))];
    const [depts, users] = await Promise.all([
      deptIds.length ? m.getRepository(Department).findBy({ id: In(deptIds) }) : [],
      userIds.length ? m.getRepository(User).findBy({ id: In(userIds) }) : [],
    ]);
    const code = new Map(depts.map((d) => [d.id, d.code]));
    const username = new Map(users.map((u) => [u.id, u.username]));
    return rows.map((r) => ({
      id: r.id,
      department: code.get(r.departmentId) ?? '',
      assetTag: r.assetTag,
      userId: r.userId,
      username: r.userId === null ? null : (username.get(r.userId) ?? null),
      userName: r.userName,
      location: r.location,
      usbStatus: r.usbStatus,
      burnerStatus: r.burnerStatus,
      sealed: r.usbStatus !== 'open' && r.burnerStatus !== 'open',
      decision: r.decision,
      approvedById: r.approvedById,
      approvedBy: username.get(r.approvedById) ?? null,
      riskAssessmentId: r.riskAssessmentId,
      lastVerifiedAt: r.lastVerifiedAt,
      lastVerifiedById: r.lastVerifiedById,
      createdById: r.createdById,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
  }

  async view(id: number): Promise<PortView> {
    return (await this.views(this.db.manager, [await this.load(id)]))[0];
  }

  /** A department's computers; `open: true` lists only those with USB or burner open. */
  async listForDepartment(code: string, filter: { open?: boolean }): Promise<{ items: PortView[] }> {
    const m = this.db.manager;
    const d = await this.org.getDepartment(code, m);
    let rows = await m.getRepository(PortRecord).find({ where: { departmentId: d.id }, order: { assetTag: 'ASC' } });
    if (filter.open !== undefined) rows = rows.filter((r) => (r.usbStatus === 'open' || r.burnerStatus === 'open') === filter.open);
    return { items: await this.views(m, rows) };
  }

  private async requireActiveUser(m: EntityManager, userId: number, path: string): Promise<void> {
    const u = await m.getRepository(User).findOneBy({ id: userId });
    if (!u || u.status !== 'active') throw new ValidationError('Unknown user', [{ path, message: `user ${userId} does not exist or is not an active user` }]);
  }

  /** The assessment a decision came from must be one of the department's own. */
  private async requireAssessmentOf(m: EntityManager, assessmentId: number, departmentId: number): Promise<void> {
    const a = await m.getRepository(RiskAssessment).findOneBy({ id: assessmentId });
    if (!a || a.departmentId !== departmentId) {
      throw new ValidationError('Unknown risk assessment', [{ path: 'body.riskAssessmentId', message: `risk assessment ${assessmentId} is not one of this department's` }]);
    }
  }

  /** Naming a user of one kind clears the other; a computer always has exactly one. */
  private nextUser(current: { userId: number | null; userName: string | null }, input: PortChanges) {
    let userId = input.userId !== undefined ? input.userId : current.userId;
    let userName = input.userName !== undefined ? input.userName : current.userName;
    if (input.userId != null && input.userName === undefined) userName = null;
    if (input.userName != null && input.userId === undefined) userId = null;
    if (userId == null && userName == null) {
      throw new ValidationError("The computer's user is required", [{ path: 'body.userId', message: 'give userId (a user) or userName (someone without an account)' }]);
    }
    if (userId != null && userName != null) throw new ValidationError('One user only', [{ path: 'body.userName', message: 'give userId or userName, not both' }]);
    return { userId: userId ?? null, userName: userName ?? null };
  }

  private async insertOrConflict<T>(tag: string | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      // Two requests recording the same tag at once: the unique index picks one, the other is a 409.
      if (isUniqueViolation(err) && tag !== undefined) throw duplicateTag(tag);
      throw err;
    }
  }

  /** R-PORTS: the department head records a computer, its port state and the decision. */
  async create(actor: Acting, code: string, input: PortInput): Promise<PortView> {
    return this.insertOrConflict(input.assetTag, () =>
      this.db.tx(async (m) => {
        const d = await this.org.getDepartment(code, m);
        if (await m.getRepository(PortRecord).exists({ where: { assetTag: input.assetTag } })) throw duplicateTag(input.assetTag);
        const user = this.nextUser({ userId: null, userName: null }, input);
        if (user.userId !== null) await this.requireActiveUser(m, user.userId, 'body.userId');
        await this.requireActiveUser(m, input.approvedById, 'body.approvedById');
        if (input.riskAssessmentId != null) await this.requireAssessmentOf(m, input.riskAssessmentId, d.id);
        const now = new Date();
        const p = m.getRepository(PortRecord).create({
          departmentId: d.id,
          assetTag: input.assetTag,
          ...user,
          location: input.location,
          usbStatus: input.usbStatus,
          burnerStatus: input.burnerStatus,
          decision: input.decision,
          approvedById: input.approvedById,
          riskAssessmentId: input.riskAssessmentId ?? null,
          lastVerifiedAt: null,
          lastVerifiedById: null,
          createdById: actor.id,
          createdAt: now,
          updatedAt: now,
        });
        await m.getRepository(PortRecord).insert(p);
        await this.audit.append(m, actor, { action: 'port.recorded', objectType: 'port_record', objectId: p.id, scope: deptScope(d.code), after: snapshot(p, d.code) });
        return (await this.views(m, [p]))[0];
      }),
    );
  }

  private async lock(m: EntityManager, id: number): Promise<{ p: PortRecord; department: string }> {
    const p = await m.getRepository(PortRecord).findOne({ where: { id }, ...forUpdate(this.db.mysql) });
    if (!p) throw new NotFoundError('Port register entry', id);
    const d = await m.getRepository(Department).findOneBy({ id: p.departmentId });
    if (!d) throw new NotFoundError('Department of port register entry', id);
    return { p, department: d.code };
  }

  /**
   * R-PORTS: a change of the register (its department never changes). Opening or sealing a port
   * is a new decision: changing usbStatus or burnerStatus needs the decision and its approver in
   * the same change.
   */
  async update(actor: Acting, id: number, input: PortChanges): Promise<PortView> {
    return this.insertOrConflict(input.assetTag, () =>
      this.db.tx(async (m) => {
        const { p, department } = await this.lock(m, id);
        const before = snapshot(p, department);
        const statusChanged =
          (input.usbStatus !== undefined && input.usbStatus !== p.usbStatus) || (input.burnerStatus !== undefined && input.burnerStatus !== p.burnerStatus);
        if (statusChanged && (input.decision === undefined || input.approvedById === undefined)) {
          throw new ValidationError('Opening or sealing a port is a new decision', [
            ...(input.decision === undefined ? [{ path: 'body.decision', message: 'required when usbStatus or burnerStatus changes' }] : []),
            ...(input.approvedById === undefined ? [{ path: 'body.approvedById', message: 'required when usbStatus or burnerStatus changes' }] : []),
          ]);
        }
        if (input.assetTag !== undefined && input.assetTag !== p.assetTag && (await m.getRepository(PortRecord).exists({ where: { assetTag: input.assetTag } }))) {
          throw duplicateTag(input.assetTag);
        }
        const user = this.nextUser(p, input);
        if (user.userId !== null && user.userId !== p.userId) await this.requireActiveUser(m, user.userId, 'body.userId');
        if (input.approvedById !== undefined && input.approvedById !== p.approvedById) await this.requireActiveUser(m, input.approvedById, 'body.approvedById');
        if (input.riskAssessmentId != null) await this.requireAssessmentOf(m, input.riskAssessmentId, p.departmentId);
        const next: Partial<PortRecord> = { ...user, updatedAt: new Date() };
        for (const k of ['assetTag', 'location', 'usbStatus', 'burnerStatus', 'decision', 'approvedById', 'riskAssessmentId'] as const) {
          if (input[k] !== undefined) (next as Record<string, unknown>)[k] = input[k];
        }
        await m.getRepository(PortRecord).update({ id }, next);
        const updated = Object.assign(p, next);
        await this.audit.append(m, actor, { action: 'port.updated', objectType: 'port_record', objectId: id, scope: deptScope(department), before, after: snapshot(updated, department) });
        return (await this.views(m, [updated]))[0];
      }),
    );
  }

  /** R-PORTS: someone checked the machine and found it as recorded (lastVerifiedAt = now). */
  async verify(actor: Acting, id: number, note: string | undefined): Promise<PortView> {
    return this.db.tx(async (m) => {
      const { p, department } = await this.lock(m, id);
      const before = snapshot(p, department);
      const now = new Date();
      const next = { lastVerifiedAt: now, lastVerifiedById: actor.id, updatedAt: now };
      await m.getRepository(PortRecord).update({ id }, next);
      const updated = Object.assign(p, next);
      await this.audit.append(m, actor, {
        action: 'port.verified',
        objectType: 'port_record',
        objectId: id,
        scope: deptScope(department),
        reason: note,
        before,
        after: snapshot(updated, department),
      });
      return (await this.views(m, [updated]))[0];
    });
  }
}
