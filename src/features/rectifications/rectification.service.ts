import { Brackets, EntityManager, In } from 'typeorm';
import { AuditWriter } from '../../audit/audit-writer';
import type { Acting } from '../../api/route';
import { Database, forUpdate } from '../../db/database';
import { Department } from '../../entities/Department';
import { Inspection } from '../../entities/Inspection';
import { Project } from '../../entities/Project';
import { Rectification, RectificationSource, RectificationStatus } from '../../entities/Rectification';
import { RiskAssessment } from '../../entities/RiskAssessment';
import { User } from '../../entities/User';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { PolicyService } from '../../policy/policy-service';
import { deptScope, projectScope } from '../../policy/scope';
import type { IndicatorScope } from '../indicators/indicator.views';
import type { NotificationOutbox } from '../notifications/notification.service';
import { refuse } from '../../policy/refusal';
import { isCalendarDate, localDate } from '../../lib/time';
import type { MyRectificationQuery, MyRectificationView, OpenRectificationInput, OwnerChanges, RectificationChanges, RectificationView } from './rectification.views';

export type { RectificationSource, RectificationStatus };

/** The owner is reminded once when the due date is this many days away or fewer (R-RISK-MONTHLY: 及時整改). */
export const DUE_SOON_DAYS = 3;

/** A local date (YYYY-MM-DD) plus `n` calendar days. */
function addDays(day: string, n: number): string {
  const [y, mo, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, mo - 1, d + n)).toISOString().slice(0, 10);
}

/** Not done: what counts as open when a due date passes. */
export const OPEN_STATUSES: RectificationStatus[] = ['open', 'in_progress'];

/** What the audit trail records of a rectification (before/after). */
function snapshot(r: Rectification) {
  return {
    sourceType: r.sourceType,
    sourceId: r.sourceId,
    departmentId: r.departmentId,
    projectId: r.projectId,
    description: r.description,
    ownerUserId: r.ownerUserId,
    dueDate: r.dueDate,
    status: r.status,
    evidenceNotes: r.evidenceNotes,
    doneAt: r.doneAt,
  };
}

/**
 * Rectification actions (整改) shared by the monthly risk assessment (R-RISK-MONTHLY, §5.3.1:
 * "評估…並及時整改") and the bimonthly inspection (R-INSPECT): what must be put right, the owner
 * and the due date, progress and evidence. The source's routes decide who may act (assessment
 * rectifications: risk_assessment:edit in the department, PATCH /api/v1/rectifications/:id;
 * inspection rectifications: inspection:conduct, on the inspection's own route); the owner of
 * either records progress and evidence on PATCH /api/v1/me/rectifications/:id (updateAsOwner,
 * checked on the record). This service holds the rules and writes the audit events in the
 * caller's transaction (R-AUDIT).
 */
export class RectificationService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly timezone: string,
    private readonly policy: PolicyService,
    private readonly outbox: NotificationOutbox,
  ) {}

  /** Today's local date in config.timezone. */
  today(now = new Date()): string {
    return localDate(now, this.timezone);
  }

  /**
   * The scope of a rectification, as its source sees it: an inspection's is its project's (the
   * inspection is of a project); an assessment's is its department's. Either falls back to the
   * other when unset.
   */
  async scopeOf(r: Pick<Rectification, 'sourceType' | 'departmentId' | 'projectId'>, m: EntityManager = this.db.manager): Promise<string> {
    if (r.sourceType === 'inspection' && r.projectId !== null) {
      const p = await m.getRepository(Project).findOneBy({ id: r.projectId });
      if (p) return projectScope(p.code);
    }
    if (r.departmentId !== null) {
      const d = await m.getRepository(Department).findOneBy({ id: r.departmentId });
      if (d) return deptScope(d.code);
    }
    if (r.projectId !== null) {
      const p = await m.getRepository(Project).findOneBy({ id: r.projectId });
      if (p) return projectScope(p.code);
    }
    throw new Error('rectification without an existing department or project');
  }

  /** One rectification; 404 if absent. */
  async load(id: number, m: EntityManager = this.db.manager): Promise<Rectification> {
    const r = await m.getRepository(Rectification).findOneBy({ id });
    if (!r) throw new NotFoundError('Rectification', id);
    return r;
  }

  async views(m: EntityManager, rows: Rectification[]): Promise<RectificationView[]> {
    const deptIds = [...new Set(rows.map((r) => r.departmentId).filter((x): x is number => x !== null))];
    const projectIds = [...new Set(rows.map((r) => r.projectId).filter((x): x is number => x !== null))];
    const ownerIds = [...new Set(rows.map((r) => r.ownerUserId))];
    const [depts, projects, owners] = await Promise.all([
      deptIds.length ? m.getRepository(Department).findBy({ id: In(deptIds) }) : [],
      projectIds.length ? m.getRepository(Project).findBy({ id: In(projectIds) }) : [],
      ownerIds.length ? m.getRepository(User).findBy({ id: In(ownerIds) }) : [],
    ]);
    const deptCode = new Map(depts.map((d) => [d.id, d.code]));
    const projectCode = new Map(projects.map((p) => [p.id, p.code]));
    const username = new Map(owners.map((u) => [u.id, u.username]));
    const today = this.today();
    return rows.map((r) => ({
      id: r.id,
      sourceType: r.sourceType,
      sourceId: r.sourceId,
      department: r.departmentId === null ? null : (deptCode.get(r.departmentId) ?? null),
      project: r.projectId === null ? null : (projectCode.get(r.projectId) ?? null),
      description: r.description,
      ownerUserId: r.ownerUserId,
      ownerUsername: username.get(r.ownerUserId) ?? null,
      dueDate: r.dueDate,
      status: r.status,
      overdue: OPEN_STATUSES.includes(r.status) && r.dueDate < today,
      evidenceNotes: r.evidenceNotes,
      doneAt: r.doneAt,
      createdById: r.createdById,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
  }

  async view(id: number, m: EntityManager = this.db.manager): Promise<RectificationView> {
    return (await this.views(m, [await this.load(id, m)]))[0];
  }

  /** An owner must be an active user (not pending, not offboarded). */
  private async requireActiveOwner(m: EntityManager, userId: number): Promise<void> {
    const u = await m.getRepository(User).findOneBy({ id: userId });
    if (!u || u.status !== 'active') {
      throw new ValidationError('Unknown owner', [{ path: 'body.ownerUserId', message: `user ${userId} does not exist or is not an active user` }]);
    }
  }

  /**
   * R-RISK-MONTHLY, R-INSPECT: opens a rectification in the caller's transaction and audits it
   * there. 400 for a due date that is not a date or lies in the past (before today in
   * config.timezone), an empty description, or an owner who is not an active user. The owner is
   * told through `outbox` in the same transaction (the callers, assessments and inspections, hold it).
   */
  async open(m: EntityManager, actor: Acting, input: OpenRectificationInput): Promise<RectificationView> {
    const description = input.description.trim();
    if (!description || description.length > 1000) {
      throw new ValidationError('Invalid description', [{ path: 'body.description', message: 'describe the action (1–1000 characters)' }]);
    }
    if (!isCalendarDate(input.dueDate)) {
      throw new ValidationError('Invalid due date', [{ path: 'body.dueDate', message: 'a date written YYYY-MM-DD' }]);
    }
    const today = this.today();
    if (input.dueDate < today) {
      throw new ValidationError('A due date in the past', [{ path: 'body.dueDate', message: `a due date in the past: ${input.dueDate} is before today (${today})` }]);
    }
    if (input.departmentId === null && input.projectId === null) throw new Error('a rectification belongs to a department or a project');
    await this.requireActiveOwner(m, input.ownerUserId);
    const now = new Date();
    const r = m.getRepository(Rectification).create({
      sourceType: input.sourceType,
      sourceId: input.sourceId,
      departmentId: input.departmentId,
      projectId: input.projectId,
      description,
      ownerUserId: input.ownerUserId,
      dueDate: input.dueDate,
      status: 'open',
      evidenceNotes: null,
      doneAt: null,
      createdById: actor.id,
      createdAt: now,
      updatedAt: now,
    });
    await m.getRepository(Rectification).insert(r);
    await this.audit.append(m, actor, {
      action: 'rectification.opened',
      objectType: 'rectification',
      objectId: r.id,
      scope: await this.scopeOf(r, m),
      after: snapshot(r),
    });
    await this.notifyAssigned(m, r, `rectification.assigned:${r.id}`);
    return (await this.views(m, [r]))[0];
  }

  /** R-RISK-MONTHLY, R-INSPECT: the owner hears that the action is theirs (its group robots too). */
  private async notifyAssigned(m: EntityManager, r: Rectification, dedupeKey: string): Promise<void> {
    await this.outbox.enqueue(m, {
      recipientId: r.ownerUserId,
      kind: 'rectification.assigned',
      params: { rectificationId: r.id, sourceType: r.sourceType, sourceId: r.sourceId, dueDate: r.dueDate },
      objectType: 'rectification',
      objectId: r.id,
      dedupeKey: `${dedupeKey}:owner:${r.ownerUserId}`,
      scope: await this.scopeOf(r, m),
    });
  }

  /**
   * Progress of a rectification: status (open → in_progress → done; reopening clears doneAt),
   * evidence notes, the owner. The row is locked, so two updates apply one after the other.
   * Allowed after the source was submitted: rectifying goes on after the assessment is filed.
   */
  async update(
    m: EntityManager,
    actor: Acting,
    id: number,
    changes: RectificationChanges,
    opts: { ownerOnly?: boolean } = {},
  ): Promise<RectificationView> {
    const r = await m.getRepository(Rectification).findOne({ where: { id }, ...forUpdate(this.db.mysql) });
    if (!r) throw new NotFoundError('Rectification', id);
    // Re-checked under the lock: a reassignment committed meanwhile wins over the former owner.
    if (opts.ownerOnly && r.ownerUserId !== actor.id) throw new ConflictError('owner_changed', `Rectification ${id} was reassigned to another owner meanwhile`);
    const before = snapshot(r);
    const next: Partial<Rectification> = { updatedAt: new Date() };
    if (changes.ownerUserId !== undefined && changes.ownerUserId !== r.ownerUserId) {
      await this.requireActiveOwner(m, changes.ownerUserId);
      next.ownerUserId = changes.ownerUserId;
    }
    if (changes.evidenceNotes !== undefined) next.evidenceNotes = changes.evidenceNotes;
    if (changes.status !== undefined && changes.status !== r.status) {
      next.status = changes.status;
      next.doneAt = changes.status === 'done' ? next.updatedAt! : null;
    }
    await m.getRepository(Rectification).update({ id }, next);
    const updated = Object.assign(r, next);
    await this.audit.append(m, actor, {
      action: 'rectification.updated',
      objectType: 'rectification',
      objectId: id,
      scope: await this.scopeOf(r, m),
      before,
      after: snapshot(updated),
    });
    // A new owner hears of it, once per reassignment.
    if (next.ownerUserId !== undefined) {
      await this.notifyAssigned(m, updated, `rectification.assigned:${id}:${next.updatedAt!.toISOString()}`);
    }
    return (await this.views(m, [updated]))[0];
  }

  /**
   * R-RISK-MONTHLY: an assessment rectification's progress on PATCH /api/v1/rectifications/:id
   * (the route has checked risk_assessment:edit in its department), in a transaction of its own;
   * a new owner is told through `outbox`.
   */
  async updateAssessmentRectification(actor: Acting, id: number, changes: RectificationChanges): Promise<RectificationView> {
    return this.db.tx((m) => this.update(m, actor, id, changes));
  }

  /**
   * R-RISK-MONTHLY, R-INSPECT: the owner of a rectification (whatever its source) records its
   * progress and evidence: the action is theirs, and the daily reminder asks them to. Anyone
   * else is refused on the record (403 not_owner, audited with decision "deny" in the
   * rectification's scope); the owner cannot reassign it (the body has no owner field).
   */
  async updateAsOwner(actor: Acting, id: number, changes: OwnerChanges): Promise<RectificationView> {
    const r = await this.load(id);
    if (r.ownerUserId !== actor.id) {
      await refuse(this.db, this.audit, actor, 'not_owner', `Only the owner of rectification ${id} records its progress here`, {
        action: 'rectification.update_refused',
        objectType: 'rectification',
        objectId: id,
        scope: await this.scopeOf(r),
        reason: `user ${actor.id} is not the owner (user ${r.ownerUserId})`,
      });
    }
    return this.db.tx((m) => this.update(m, actor, id, { status: changes.status, evidenceNotes: changes.evidenceNotes }, { ownerOnly: true }));
  }

  /**
   * R-RISK-MONTHLY, R-INSPECT: the caller's own rectifications (GET /api/v1/me/rectifications), so
   * an owner who may not read assessments or inspections still finds what is theirs to put right.
   * Not done first (soonest due first, so the overdue lead), then done ones; a page of them with
   * the total that matches the filter. Only rows the actor owns: the owner is the scope.
   */
  async listOwn(actor: Acting, q: MyRectificationQuery): Promise<{ items: MyRectificationView[]; total: number }> {
    const m = this.db.manager;
    const statuses: RectificationStatus[] | null = q.status === undefined ? null : q.status === 'not_done' ? OPEN_STATUSES : [q.status];
    const base = () => {
      const qb = m.getRepository(Rectification).createQueryBuilder('r').where('r.ownerUserId = :owner', { owner: actor.id });
      if (statuses) qb.andWhere('r.status IN (:...statuses)', { statuses });
      return qb;
    };
    // CASE rather than ORDER BY status: MySQL sorts an ENUM by its declared order, SQLite by text.
    const [rows, total] = await Promise.all([
      base()
        .orderBy('CASE WHEN r.status = :done THEN 1 ELSE 0 END', 'ASC')
        .setParameter('done', 'done')
        .addOrderBy('r.dueDate', 'ASC')
        .addOrderBy('r.id', 'ASC')
        .limit(q.limit)
        .offset(q.offset)
        .getMany(),
      base().getCount(),
    ]);
    const periods = await this.sourcePeriods(m, rows);
    const views = await this.views(m, rows);
    return { items: views.map((v) => ({ ...v, sourcePeriod: periods.get(`${v.sourceType}:${v.sourceId}`) ?? null })), total };
  }

  /** The period of each row's source, keyed "sourceType:sourceId": an assessment's month, an inspection's bimonthly period. */
  private async sourcePeriods(m: EntityManager, rows: Rectification[]): Promise<Map<string, string>> {
    const ids = (type: RectificationSource) => [...new Set(rows.filter((r) => r.sourceType === type).map((r) => r.sourceId))];
    const [assessmentIds, inspectionIds] = [ids('risk_assessment'), ids('inspection')];
    const [assessments, inspections] = await Promise.all([
      assessmentIds.length ? m.getRepository(RiskAssessment).find({ where: { id: In(assessmentIds) }, select: { id: true, period: true } }) : [],
      inspectionIds.length ? m.getRepository(Inspection).find({ where: { id: In(inspectionIds) }, select: { id: true, period: true } }) : [],
    ]);
    return new Map([...assessments.map((a) => [`risk_assessment:${a.id}`, a.period] as const), ...inspections.map((i) => [`inspection:${i.id}`, i.period] as const)]);
  }

  /** The rectifications of one assessment or inspection, oldest first. */
  async listFor(sourceType: RectificationSource, sourceId: number, m: EntityManager = this.db.manager): Promise<RectificationView[]> {
    const rows = await m.getRepository(Rectification).find({ where: { sourceType, sourceId }, order: { id: 'ASC' } });
    return this.views(m, rows);
  }

  /**
   * R-RISK-MONTHLY: open rectifications of the scope (the department's own, and those of its
   * projects) whose due date is before `asOfDate` (YYYY-MM-DD local).
   */
  async countOverdue(scope: IndicatorScope, asOfDate: string): Promise<number> {
    const hasDept = scope.departmentId !== undefined && scope.departmentId !== null;
    if (!hasDept && scope.projectIds.length === 0) return 0;
    return this.db.manager
      .getRepository(Rectification)
      .createQueryBuilder('r')
      .where('r.status IN (:...open)', { open: OPEN_STATUSES })
      .andWhere('r.dueDate < :asOf', { asOf: asOfDate })
      .andWhere(
        new Brackets((w) => {
          if (hasDept) w.orWhere('r.departmentId = :dept', { dept: scope.departmentId });
          if (scope.projectIds.length) w.orWhere('r.projectId IN (:...projects)', { projects: scope.projectIds });
        }),
      )
      .getCount();
  }

  /**
   * R-RISK-MONTHLY: daily reminders for every open rectification past its due date (before
   * `day`, YYYY-MM-DD local): one to the owner and one to each head of the department it
   * belongs to (for a project's, the project's department). One message per rectification,
   * recipient and day (the dedupe key carries the day): a rerun of the day adds nothing.
   */
  async remindOverdue(day: string): Promise<{ overdue: number; reminders: number }> {
    const rows = await this.db.manager
      .getRepository(Rectification)
      .createQueryBuilder('r')
      .where('r.status IN (:...open)', { open: OPEN_STATUSES })
      .andWhere('r.dueDate < :day', { day })
      .orderBy('r.id', 'ASC')
      .getMany();
    if (!rows.length) return { overdue: 0, reminders: 0 };
    const projectIds = [...new Set(rows.map((r) => r.projectId).filter((x): x is number => x !== null))];
    const projects = projectIds.length ? await this.db.manager.getRepository(Project).findBy({ id: In(projectIds) }) : [];
    const deptOfProject = new Map(projects.map((p) => [p.id, p.departmentId]));
    const deptIds = [
      ...new Set([...rows.map((r) => r.departmentId), ...projects.map((p) => p.departmentId)].filter((x): x is number => x !== null)),
    ];
    const depts = deptIds.length ? await this.db.manager.getRepository(Department).findBy({ id: In(deptIds) }) : [];
    const deptCode = new Map(depts.map((d) => [d.id, d.code]));
    const ownerIds = [...new Set(rows.map((r) => r.ownerUserId))];
    const owners = await this.db.manager.getRepository(User).find({ where: { id: In(ownerIds) }, select: { id: true, username: true } });
    const ownerName = new Map(owners.map((u) => [u.id, u.username]));

    let reminders = 0;
    // In batches, so one long job does not hold the write lock for every reminder at once.
    for (let i = 0; i < rows.length; i += 100) {
      const batch = rows.slice(i, i + 100);
      reminders += await this.db.tx(async (m) => {
        let n = 0;
        for (const r of batch) {
          const key = `rectification.overdue:${r.id}:${day}`;
          const params = { rectificationId: r.id, sourceType: r.sourceType, sourceId: r.sourceId, dueDate: r.dueDate, status: r.status, owner: ownerName.get(r.ownerUserId) ?? String(r.ownerUserId) };
          const msg = { kind: 'rectification.overdue', objectType: 'rectification', objectId: r.id, scope: await this.scopeOf(r, m) };
          const deptId = r.departmentId ?? (r.projectId !== null ? (deptOfProject.get(r.projectId) ?? null) : null);
          const code = deptId !== null ? deptCode.get(deptId) : undefined;
          // The department's heads follow it up (an owner who is also a head gets one message, not
          // two); the owner records the progress on My work. One event key: the group robots get
          // one message, the first written (the heads' text when there is a head).
          const heads = code ? this.policy.holdersOf('dept_head', deptScope(code)).filter((h) => h !== r.ownerUserId) : [];
          for (const h of heads) if (await this.outbox.enqueue(m, { ...msg, params: { ...params, to: 'head' }, recipientId: h, dedupeKey: `${key}:user:${h}` })) n++;
          if (await this.outbox.enqueue(m, { ...msg, params: { ...params, to: 'owner' }, recipientId: r.ownerUserId, dedupeKey: `${key}:user:${r.ownerUserId}` })) n++;
        }
        return n;
      });
    }
    return { overdue: rows.length, reminders };
  }

  /**
   * R-RISK-MONTHLY, R-INSPECT: one reminder to the owner of every open rectification due within
   * DUE_SOON_DAYS of `day` (YYYY-MM-DD local), once per rectification and due date (a new due
   * date reminds again). The daily job runs it beside remindOverdue.
   */
  async remindDueSoon(day: string): Promise<{ dueSoon: number; dueSoonReminders: number }> {
    const rows = await this.db.manager
      .getRepository(Rectification)
      .createQueryBuilder('r')
      .where('r.status IN (:...open)', { open: OPEN_STATUSES })
      .andWhere('r.dueDate >= :day AND r.dueDate <= :until', { day, until: addDays(day, DUE_SOON_DAYS) })
      .orderBy('r.id', 'ASC')
      .getMany();
    let dueSoonReminders = 0;
    for (let i = 0; i < rows.length; i += 100) {
      const batch = rows.slice(i, i + 100);
      dueSoonReminders += await this.db.tx(async (m) => {
        let n = 0;
        for (const r of batch) {
          const written = await this.outbox.enqueue(m, {
            recipientId: r.ownerUserId,
            kind: 'rectification.due_soon',
            params: { rectificationId: r.id, sourceType: r.sourceType, sourceId: r.sourceId, dueDate: r.dueDate, status: r.status },
            objectType: 'rectification',
            objectId: r.id,
            dedupeKey: `rectification.due_soon:${r.id}:${r.dueDate}:owner:${r.ownerUserId}`,
            scope: await this.scopeOf(r, m),
          });
          if (written) n++;
        }
        return n;
      });
    }
    return { dueSoon: rows.length, dueSoonReminders };
  }
}
