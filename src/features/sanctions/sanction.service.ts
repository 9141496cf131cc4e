import { EntityManager, FindOptionsWhere, In } from 'typeorm';
import { isUniqueViolation } from '../../api/middleware/error-handler';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { Department } from '../../entities/Department';
import { Project } from '../../entities/Project';
import { Sanction, SanctionStatus } from '../../entities/Sanction';
import { User } from '../../entities/User';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { PolicyService } from '../../policy/policy-service';
import { COMPANY, deptScope } from '../../policy/scope';
import { refuse } from '../../policy/refusal';
import { measureIssues, SanctionProposal, SanctionRules, sanctionRules, sourceIssues } from './sanction-rules';
import { SanctionSourceRegistry } from './sanction-sources';
import { noticeReport } from './sanction-notice';
import type { PersonRef, SanctionFilter, SanctionSource, SanctionSourceResolver, SanctionView } from './sanction.views';
import { LatestDigest, reportToPdf } from '../../lib/documents';
import type { NotificationOutbox } from '../notifications/notification.service';

type Acting = AuditActor & { id: number };

/** What the register records of a record (audit before/after). */
function snapshot(s: Sanction) {
  return {
    kind: s.kind,
    ground: s.ground,
    source: `${s.sourceType}:${s.sourceId}`,
    userId: s.userId,
    rewardAmount: s.rewardAmount,
    fineAmount: s.fineAmount,
    dismissal: Boolean(s.dismissal),
    compensationAmount: s.compensationAmount,
    judicialReferral: Boolean(s.judicialReferral),
    status: s.status,
  };
}

/**
 * The reward/penalty register (R-REWARD §5.3.3, R-PENALTY §5.3.4, R-CASE-SANCTION 第十二條).
 *
 * - Every record names its source (an incident, an inspection finding, a complaint case) through
 *   a resolver that the source's feature registers (`registerSource`), and the person rewarded
 *   or penalised.
 * - The quality department proposes (sanction:manage); the general manager approves or rejects
 *   with a reason (sanction:approve); nobody decides on their own proposal or on a record naming
 *   themselves (403, audited). Decisions are conditional updates on the status, so two decisions
 *   at once end with exactly one winner and a 409.
 * - Bands and measures (sanction-rules.ts) are checked before anything is written (400).
 * - An approved record is the reward/penalty notice (獎罰通知單), produced as a PDF.
 * Every change and its audit event commit in one transaction (R-AUDIT).
 */
export class SanctionService {
  private readonly sources = new SanctionSourceRegistry();

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly timezone: string,
    private readonly outbox: NotificationOutbox,
    private readonly latestDigest: LatestDigest,
  ) {}

  /**
   * Lets a feature's records be the source of rewards and penalties. `resolve(m, id)` loads the
   * source in the proposal's transaction and answers null when it does not exist.
   */
  registerSource(type: string, resolve: SanctionSourceResolver): void {
    this.sources.register(type, resolve);
  }

  /** The Rules' bands and grounds, for the console's proposal form (R-REWARD, R-PENALTY). */
  rules(): SanctionRules {
    return sanctionRules(this.sources.types());
  }

  sourceTypes(): string[] {
    return this.sources.types();
  }

  async load(id: number): Promise<Sanction> {
    const s = await this.db.manager.getRepository(Sanction).findOneBy({ id });
    if (!s) throw new NotFoundError('Sanction', id);
    return s;
  }

  /** The record's scope: its source's project, else its department, else the company. */
  async scopeOf(s: Pick<Sanction, 'projectId' | 'departmentId'>, m: EntityManager = this.db.manager): Promise<string> {
    if (s.projectId !== null) return this.policy.projectScope(s.projectId, m);
    if (s.departmentId !== null) {
      const d = await m.getRepository(Department).findOneBy({ id: s.departmentId });
      if (d) return deptScope(d.code);
    }
    return COMPANY;
  }

  private async views(m: EntityManager, rows: Sanction[]): Promise<SanctionView[]> {
    const userIds = [...new Set(rows.flatMap((s) => [s.userId, s.proposedById, ...(s.decidedById === null ? [] : [s.decidedById])]))];
    const projectIds = [...new Set(rows.map((s) => s.projectId).filter((x): x is number => x !== null))];
    const [users, projects] = await Promise.all([
      userIds.length ? m.getRepository(User).find({ where: { id: In(userIds) }, select: { id: true, username: true, displayName: true } }) : [],
      projectIds.length ? m.getRepository(Project).findBy({ id: In(projectIds) }) : [],
    ]);
    // A record of a project belongs to the project's department too (the notice names both).
    const projectDept = new Map(projects.map((p) => [p.id, p.departmentId]));
    const deptOf = (s: Sanction) => s.departmentId ?? (s.projectId === null ? null : (projectDept.get(s.projectId) ?? null));
    const deptIds = [...new Set(rows.map(deptOf).filter((x): x is number => x !== null))];
    const depts = deptIds.length ? await m.getRepository(Department).findBy({ id: In(deptIds) }) : [];
    const byId = new Map(users.map((u) => [u.id, u]));
    const ref = (id: number): PersonRef => ({ id, username: byId.get(id)?.username ?? null, displayName: byId.get(id)?.displayName ?? null });
    const projectCode = new Map(projects.map((p) => [p.id, p.code]));
    const deptCode = new Map(depts.map((d) => [d.id, d.code]));
    return rows.map((s) => ({
      id: s.id,
      kind: s.kind,
      ground: s.ground,
      source: { type: s.sourceType, id: s.sourceId, label: s.sourceLabel },
      project: s.projectId === null ? null : (projectCode.get(s.projectId) ?? null),
      department: deptOf(s) === null ? null : (deptCode.get(deptOf(s)!) ?? null),
      person: ref(s.userId),
      rewardAmount: s.rewardAmount,
      fineAmount: s.fineAmount,
      // Booleans as booleans on both drivers (an insert's generated defaults come back as 0/1).
      dismissal: Boolean(s.dismissal),
      compensationAmount: s.compensationAmount,
      judicialReferral: Boolean(s.judicialReferral),
      reason: s.reason,
      status: s.status,
      proposedBy: ref(s.proposedById),
      proposedAt: s.createdAt,
      decidedBy: s.decidedById === null ? null : ref(s.decidedById),
      decidedAt: s.decidedAt,
      decisionNote: s.decisionNote,
    }));
  }

  async view(s: Sanction): Promise<SanctionView> {
    return (await this.views(this.db.manager, [s]))[0];
  }

  async list(f: SanctionFilter): Promise<{ items: SanctionView[]; total: number }> {
    const where: FindOptionsWhere<Sanction> = {
      ...(f.status ? { status: f.status } : {}),
      ...(f.kind ? { kind: f.kind } : {}),
      ...(f.userId !== undefined ? { userId: f.userId } : {}),
      ...(f.sourceType ? { sourceType: f.sourceType } : {}),
      ...(f.sourceId !== undefined ? { sourceId: f.sourceId } : {}),
    };
    const [rows, total] = await this.db.manager.getRepository(Sanction).findAndCount({ where, order: { id: 'DESC' }, take: f.limit, skip: f.offset });
    return { items: await this.views(this.db.manager, rows), total };
  }

  /** The records of one source (e.g. shown with an incident or a case). */
  async forSource(type: string, id: number): Promise<SanctionView[]> {
    const rows = await this.db.manager.getRepository(Sanction).find({ where: { sourceType: type, sourceId: id }, order: { id: 'ASC' } });
    return this.views(this.db.manager, rows);
  }

  private async resolveSource(m: EntityManager, p: SanctionProposal): Promise<SanctionSource> {
    const resolve = this.sources.get(p.source.type);
    if (!resolve) {
      throw new ValidationError('Unknown source type', [{ path: 'body.source.type', message: `one of: ${this.sources.types().join(', ') || '(none registered)'}` }]);
    }
    const source = await resolve(m, p.source.id);
    if (!source) throw new ValidationError('Unknown source', [{ path: 'body.source.id', message: `${p.source.type} ${p.source.id} does not exist` }]);
    return source;
  }

  /**
   * The quality department proposes a reward or a penalty (R-REWARD, R-PENALTY): checked against
   * the bands, the source and the person before anything is written; pending until the general
   * manager decides. One live record per person, source, kind and ground (409 otherwise). The
   * general managers are asked to decide through `outbox`, in the same transaction.
   */
  async propose(actor: Acting, p: SanctionProposal): Promise<SanctionView> {
    const bad = measureIssues(p);
    if (bad.length) throw new ValidationError(bad.map((i) => i.message).join('; '), bad);
    const activeKey = `${p.source.type}:${p.source.id}:${p.userId}:${p.kind}:${p.ground}`;
    try {
      const s = await this.db.tx(async (m) => {
        const source = await this.resolveSource(m, p);
        if (!(await m.getRepository(User).existsBy({ id: p.userId }))) {
          throw new ValidationError('Unknown person', [{ path: 'body.userId', message: `user ${p.userId} does not exist` }]);
        }
        const issues = sourceIssues(p, source);
        if (issues.length) throw new ValidationError(issues.map((i) => i.message).join('; '), issues);
        if (await m.getRepository(Sanction).exists({ where: { activeKey } })) throw this.duplicate(p);

        const s = m.getRepository(Sanction).create({
          kind: p.kind,
          ground: p.ground,
          sourceType: p.source.type,
          sourceId: p.source.id,
          sourceLabel: source.label.slice(0, 200),
          projectId: source.projectId,
          departmentId: source.departmentId,
          userId: p.userId,
          rewardAmount: p.kind === 'reward' ? p.amount! : null,
          fineAmount: p.fine ?? null,
          dismissal: p.dismissal === true,
          compensationAmount: p.compensation ?? null,
          judicialReferral: p.judicialReferral === true,
          reason: p.reason,
          status: 'pending',
          activeKey,
          proposedById: actor.id,
          decidedById: null,
          decidedAt: null,
          decisionNote: null,
          createdAt: new Date(),
        });
        await m.getRepository(Sanction).insert(s);
        await this.audit.append(m, actor, {
          action: 'sanction.proposed',
          objectType: 'sanction',
          objectId: s.id,
          scope: await this.scopeOf(s, m),
          reason: p.reason,
          after: snapshot(s),
        });
        {
          // No group robot (no scope): a reward or penalty names an employee, it is not for a group chat.
          const person = await m.getRepository(User).findOne({ where: { id: s.userId }, select: { id: true, username: true } });
          await this.outbox.enqueueToRole(m, 'general_manager', COMPANY, {
            kind: 'sanction.proposed',
            params: { sanctionId: s.id, kind: s.kind, ground: s.ground, person: person?.username ?? String(s.userId) },
            objectType: 'sanction',
            objectId: s.id,
            dedupeKey: `sanction.proposed:${s.id}`,
          });
        }
        return s;
      });
      return this.view(s);
    } catch (err) {
      // Two identical proposals at once: the unique key lets one through.
      if (isUniqueViolation(err)) throw this.duplicate(p);
      throw err;
    }
  }

  private duplicate(p: SanctionProposal): ConflictError {
    return new ConflictError(
      'duplicate_sanction',
      `A pending or approved ${p.kind} (${p.ground}) for user ${p.userId} on ${p.source.type} ${p.source.id} already exists`,
    );
  }

  /**
   * The general manager's decision: pending → approved or rejected (with a reason). Nobody
   * decides on their own proposal, nor on a record that names themselves (403, audited). An
   * approval is told to the person concerned through `outbox`, in the same transaction.
   */
  async decide(actor: Acting, s: Sanction, approve: boolean, note: string | null): Promise<SanctionView> {
    const scope = await this.scopeOf(s);
    const event = { action: approve ? 'sanction.approve_refused' : 'sanction.reject_refused', objectType: 'sanction', objectId: s.id, scope };
    if (s.proposedById === actor.id) {
      await refuse(this.db, this.audit, actor, 'own_proposal', 'Nobody decides on their own proposal', { ...event, reason: 'the proposer may not decide' });
    }
    if (s.userId === actor.id) {
      await refuse(this.db, this.audit, actor, 'own_sanction', 'Nobody decides on a reward or penalty that names themselves', { ...event, reason: 'the person named may not decide' });
    }
    const status: SanctionStatus = approve ? 'approved' : 'rejected';
    const now = new Date();
    await this.db.tx(async (m) => {
      const result = await m
        .getRepository(Sanction)
        // A rejected record frees its key: the quality department may propose again.
        .update({ id: s.id, status: 'pending' }, { status, decidedById: actor.id, decidedAt: now, decisionNote: note, ...(approve ? {} : { activeKey: null }) });
      if (!result.affected) throw new ConflictError('not_pending', `Sanction ${s.id} has already been decided`);
      await this.audit.append(m, actor, {
        action: approve ? 'sanction.approved' : 'sanction.rejected',
        objectType: 'sanction',
        objectId: s.id,
        scope,
        reason: note ?? undefined,
        before: { status: 'pending' },
        after: { status },
      });
      // Decided: no other general manager is still asked to decide it.
      await this.outbox.settle(m, 'sanction', s.id, ['sanction.proposed']);
      if (approve) {
        await this.outbox.enqueue(m, {
          recipientId: s.userId,
          kind: 'sanction.approved',
          params: { sanctionId: s.id, kind: s.kind, ground: s.ground },
          objectType: 'sanction',
          objectId: s.id,
          dedupeKey: `sanction.approved:${s.id}:user:${s.userId}`,
        });
      }
    });
    return this.view(await this.load(s.id));
  }

  /** The reward/penalty notice (獎罰通知單) of an approved record, as a PDF; audited. */
  async notice(actor: Acting, s: Sanction): Promise<{ pdf: Buffer; filename: string }> {
    if (s.status !== 'approved') throw new ConflictError('not_approved', `Sanction ${s.id} is ${s.status}: a notice exists only once the general manager has approved it`);
    const v = await this.view(s);
    // R-AUDIT: the printed notice carries the latest signed audit digest.
    const report = { ...noticeReport(v, actor.username ?? String(actor.id), this.timezone), auditDigest: await this.latestDigest() };
    const pdf = await reportToPdf(report, { landscape: false });
    const scope = await this.scopeOf(s);
    await this.db.tx((m) =>
      this.audit.append(m, actor, { action: 'sanction.notice_produced', objectType: 'sanction', objectId: s.id, scope, decision: 'allow', after: { format: 'pdf' } }),
    );
    return { pdf, filename: `sanction-notice-${s.id}.pdf` };
  }
}
