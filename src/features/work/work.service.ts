import { FindOptionsWhere, In, IsNull, LessThan, LessThanOrEqual, Not } from 'typeorm';
import { z } from 'zod';
import type { Acting } from '../../api/route';
import { Database } from '../../db/database';
import { ComplaintCase } from '../../entities/ComplaintCase';
import { Department } from '../../entities/Department';
import { ExternalRelease } from '../../entities/ExternalRelease';
import { HandoverFile } from '../../entities/HandoverFile';
import { Inspection } from '../../entities/Inspection';
import { PrintRequest } from '../../entities/PrintRequest';
import { Project } from '../../entities/Project';
import { Rectification } from '../../entities/Rectification';
import { RiskAssessment } from '../../entities/RiskAssessment';
import { Sanction } from '../../entities/Sanction';
import { localDate } from '../../lib/time';
import type { Authorizer } from '../../policy/authorizer';
import { PolicyService, userSubject } from '../../policy/policy-service';
import { COMPANY, deptScope, projectScope } from '../../policy/scope';
import { serialOfObject } from '../confirmations/confirmation.service';
import type { HandoverService } from '../handover/handover.service';
import type { ControlledCopyService } from '../paper/controlled-copy.service';
import { OPEN_STATUSES, RectificationService } from '../rectifications/rectification.service';

/** What "My work" lists, in the order it lists them. */
export const WORK_KINDS = [
  'print_approval',
  'destruction_witness',
  'return_confirmation',
  'copies_held',
  'handover_due',
  'handover_delegation',
  'rectification',
  'assessment_fill',
  'assessment_review',
  'inspection_open',
  'case_deadline',
  'release_decision',
  'sanction_decision',
] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/** At most this many references per kind (the oldest or most urgent first); `count` is the whole number. */
export const MAX_REFS = 20;
const DAY_MS = 86_400_000;
/** "Due soon": copies expiring within 2 days; rectifications, cases and handover deadlines within 3. */
const COPY_SOON_DAYS = 2;
const SOON_DAYS = 3;

const ref = z.strictObject({
  id: z.union([z.string(), z.number()]).describe('What the console links with: a record id, or a serial (CC-…, HF-…) for copies and handover files'),
  label: z.string().describe('A serial, case number, period or project code: never customer information'),
  due: z.string().optional().describe('An instant (ISO 8601), or a local day YYYY-MM-DD for rectifications and cases'),
});

/** The response of GET /api/v1/me/work (R-SCOPE: only what the caller may act on; no customer information). */
export const myWorkSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      kind: z.enum(WORK_KINDS),
      count: z.number().int().positive(),
      overdue: z.number().int().nonnegative().optional(),
      dueSoon: z.number().int().nonnegative().optional(),
      refs: z.array(ref).max(MAX_REFS),
    }),
  ),
  total: z.number().int().nonnegative(),
});
export type MyWork = z.infer<typeof myWorkSchema>;
export type WorkItem = MyWork['items'][number];
export type WorkRef = WorkItem['refs'][number];

interface Org {
  projects: Array<Pick<Project, 'id' | 'code' | 'departmentId'>>;
  departments: Array<Pick<Department, 'id' | 'code'>>;
  projectCode: Map<number, string>;
  deptCode: Map<number, string>;
}

/** The ids the caller may act in, or null when that is every one (no filter needed). */
type Allowed = number[] | null;
const within = (ids: Allowed) => (ids === null ? {} : { projectId: In(ids) });

/**
 * "My work" (issue 12): what waits for the caller, with counts and the ids or serials to link to
 * the record. Each part asks the feature that owns the rule: the policy decides where the caller
 * may approve, review, conduct or read (the same object:action the feature's routes declare), and
 * the features' own reads give what the caller holds or must confirm. Only codes, serials and
 * periods leave here: never a customer's name, phone, ID number or unit (R-SECRET), nor free text
 * (purposes, notes) that may quote one.
 *
 * Cheap for a user with nothing waiting: the parts run in parallel, each is one bounded query (a
 * count and at most MAX_REFS rows), and a part whose permission the caller holds nowhere runs no
 * query at all.
 */
export class WorkService {
  constructor(
    private readonly db: Database,
    private readonly policy: PolicyService,
    private readonly authz: Authorizer,
    private readonly copies: ControlledCopyService,
    private readonly handover: HandoverService,
    private readonly rectifications: RectificationService,
    private readonly timezone: string,
  ) {}

  async myWork(actor: Acting, now = new Date()): Promise<MyWork> {
    const u = actor.id;
    const hasRoles = this.policy.heldScopes(userSubject(u)).length > 0;
    let org: Promise<Org> | null = null;
    const orgOnce = () => (org ??= this.loadOrg());
    const may = (scope: string, object: string, action: string) => this.authz.decide(u, scope, { object, action }).allowed;
    /** Projects (ids) where the caller holds object:action; null = all of them; [] = none. */
    const projectsWhere = async (object: string, action: string): Promise<Allowed> => {
      const o = await orgOnce();
      const ids = o.projects.filter((p) => may(projectScope(p.code), object, action)).map((p) => p.id);
      return ids.length === o.projects.length ? null : ids;
    };
    const deptsWhere = async (object: string, action: string): Promise<number[]> =>
      (await orgOnce()).departments.filter((d) => may(deptScope(d.code), object, action)).map((d) => d.id);
    const roleParts = (parts: Array<() => Promise<WorkItem[]>>) => (hasRoles ? parts.map((p) => p()) : []);

    const parts = await Promise.all([
      this.confirmations(u),
      this.copiesHeld(actor, now),
      this.handoverDue(u, now),
      this.delegations(actor),
      this.ownRectifications(u, now),
      ...roleParts([
        async () => this.printApprovals(u, await projectsWhere('print_request', 'approve'), await orgOnce()),
        async () => this.assessments('assessment_fill', 'draft', await deptsWhere('risk_assessment', 'edit'), await orgOnce()),
        async () => this.assessments('assessment_review', 'submitted', await deptsWhere('risk_assessment', 'review'), await orgOnce()),
        async () => this.inspections(await projectsWhere('inspection', 'conduct'), await orgOnce(), now),
        async () => this.caseDeadlines(u, await orgOnce(), await projectsWhere('case', 'read'), await deptsWhere('case', 'read'), now),
        async () => this.releaseDecisions(u, await projectsWhere('external_release', 'approve'), await orgOnce()),
        async () => this.sanctionDecisions(u, await orgOnce(), may),
      ]),
    ]);
    const byKind = new Map(parts.flat().map((i) => [i.kind, i]));
    const items = WORK_KINDS.map((k) => byKind.get(k)).filter((i): i is WorkItem => i !== undefined && i.count > 0);
    return { items, total: items.reduce((n, i) => n + i.count, 0) };
  }

  private async loadOrg(): Promise<Org> {
    const m = this.db.manager;
    const [projects, departments] = await Promise.all([
      m.getRepository(Project).find({ select: { id: true, code: true, departmentId: true } }),
      m.getRepository(Department).find({ select: { id: true, code: true } }),
    ]);
    return { projects, departments, projectCode: new Map(projects.map((p) => [p.id, p.code])), deptCode: new Map(departments.map((d) => [d.id, d.code])) };
  }

  // ---- what names or holds the caller ------------------------------------------------------

  /** R-NO-PAPER, R-HANDOVER-DESTROY: the open two-person confirmations naming the caller (GET /api/v1/me/confirmations). */
  private async confirmations(userId: number): Promise<WorkItem[]> {
    const open = await this.copies.confirmations.listFor(userId, false);
    const of = (kind: WorkKind, list: typeof open): WorkItem => {
      const sorted = [...list].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
      return { kind, count: list.length, refs: sorted.slice(0, MAX_REFS).map((c) => ({ id: c.serial, label: c.serial, due: c.dueAt.toISOString() })) };
    };
    return [
      of('destruction_witness', open.filter((c) => c.role === 'witness')),
      of('return_confirmation', open.filter((c) => c.role === 'keeper')),
    ];
  }

  /** R-NO-PAPER: the copies out with the caller (GET /api/v1/me/copies), overdue as the ledger computes it. */
  private async copiesHeld(actor: Acting, now: Date): Promise<WorkItem[]> {
    const { items } = await this.copies.mine(actor, false);
    const soon = now.getTime() + COPY_SOON_DAYS * DAY_MS;
    const out = (s: string) => s === 'awaiting_signature' || s === 'issued';
    const sorted = [...items].sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime());
    return [
      {
        kind: 'copies_held',
        count: items.length,
        overdue: items.filter((c) => c.status === 'overdue').length,
        dueSoon: items.filter((c) => out(c.status) && c.expiresAt.getTime() <= soon).length,
        refs: sorted.slice(0, MAX_REFS).map((c) => ({ id: c.serial, label: c.serial, due: c.expiresAt.toISOString() })),
      },
    ];
  }

  /** R-HANDOVER-DESTROY: files the caller holds whose entry was confirmed: due for destruction by their deadline. */
  private async handoverDue(userId: number, now: Date): Promise<WorkItem[]> {
    const repo = this.db.manager.getRepository(HandoverFile);
    const where = { holderId: userId, status: 'pending_destruction' as const };
    const [rows, count, overdue, dueSoon] = await Promise.all([
      repo.find({ where, select: { id: true, destructionDeadline: true }, order: { destructionDeadline: 'ASC', id: 'ASC' }, take: MAX_REFS }),
      repo.countBy(where),
      repo.countBy({ ...where, destructionDeadline: LessThanOrEqual(now) }),
      repo.countBy({ ...where, destructionDeadline: LessThanOrEqual(new Date(now.getTime() + SOON_DAYS * DAY_MS)) }),
    ]);
    const refs = rows.map((f) => {
      const serial = serialOfObject('handover_file', String(f.id));
      return { id: serial, label: serial, ...(f.destructionDeadline ? { due: f.destructionDeadline.toISOString() } : {}) };
    });
    return [{ kind: 'handover_due', count, overdue, dueSoon: dueSoon - overdue, refs }];
  }

  /** R-HANDOVER-HOLD: the caller's open view delegations (what a clerk may view now, and until when). */
  private async delegations(actor: Acting): Promise<WorkItem[]> {
    const ds = await this.handover.myDelegations(actor);
    const sorted = [...ds].sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime());
    const refs = sorted.slice(0, MAX_REFS).map((d) => {
      const serial = serialOfObject('handover_file', String(d.fileId));
      return { id: serial, label: serial, due: d.expiresAt.toISOString() };
    });
    return [{ kind: 'handover_delegation', count: ds.length, refs }];
  }

  /** R-RISK-MONTHLY, R-INSPECT: rectifications the caller owns and has not done (PATCH /api/v1/me/rectifications/:id). */
  private async ownRectifications(userId: number, now: Date): Promise<WorkItem[]> {
    const repo = this.db.manager.getRepository(Rectification);
    const where = { ownerUserId: userId, status: In(OPEN_STATUSES) };
    const today = this.rectifications.today(now);
    // Due dates are local days: overdue once the day has passed, due soon up to 3 days ahead.
    const horizon = localDate(new Date(now.getTime() + SOON_DAYS * DAY_MS), this.timezone);
    const [rows, count, overdue, upTo] = await Promise.all([
      repo.find({ where, select: { id: true, dueDate: true }, order: { dueDate: 'ASC', id: 'ASC' }, take: MAX_REFS }),
      repo.countBy(where),
      repo.countBy({ ...where, dueDate: LessThan(today) }),
      repo.countBy({ ...where, dueDate: LessThanOrEqual(horizon) }),
    ]);
    return [{ kind: 'rectification', count, overdue, dueSoon: upTo - overdue, refs: rows.map((r) => ({ id: r.id, label: `#${r.id}`, due: r.dueDate })) }];
  }

  // ---- what the caller's roles may decide, review or conduct ---------------------------------

  /** R-PRINT-APPROVE: pending requests in projects where the caller holds print_request:approve, never their own. */
  private async printApprovals(userId: number, projects: Allowed, o: Org): Promise<WorkItem[]> {
    if (projects !== null && !projects.length) return [];
    const where: FindOptionsWhere<PrintRequest> = { status: 'pending', requestedById: Not(userId), ...within(projects) };
    const [rows, count] = await this.db.manager
      .getRepository(PrintRequest)
      .findAndCount({ where, select: { id: true, projectId: true }, order: { id: 'ASC' }, take: MAX_REFS });
    return [{ kind: 'print_approval', count, refs: rows.map((r) => ({ id: r.id, label: `${o.projectCode.get(r.projectId) ?? r.projectId} #${r.id}` })) }];
  }

  /** R-RISK-MONTHLY: drafts (new or returned) to fill where the caller holds risk_assessment:edit; submitted ones to review where risk_assessment:review. */
  private async assessments(kind: 'assessment_fill' | 'assessment_review', status: 'draft' | 'submitted', depts: number[], o: Org): Promise<WorkItem[]> {
    if (!depts.length) return [];
    const where = { status, ...(depts.length === o.departments.length ? {} : { departmentId: In(depts) }) };
    const [rows, count] = await this.db.manager
      .getRepository(RiskAssessment)
      .findAndCount({ where, select: { id: true, departmentId: true, period: true }, order: { period: 'ASC', id: 'ASC' }, take: MAX_REFS });
    return [{ kind, count, refs: rows.map((a) => ({ id: a.id, label: `${o.deptCode.get(a.departmentId) ?? a.departmentId} ${a.period}` })) }];
  }

  /** R-INSPECT: inspections in progress where the caller holds inspection:conduct; overdue once their two months have ended. */
  private async inspections(projects: Allowed, o: Org, now: Date): Promise<WorkItem[]> {
    if (projects !== null && !projects.length) return [];
    const repo = this.db.manager.getRepository(Inspection);
    const where: FindOptionsWhere<Inspection> = { status: 'in_progress', ...within(projects) };
    const [[rows, count], overdue] = await Promise.all([
      repo.findAndCount({ where, select: { id: true, projectId: true, period: true, periodEnd: true }, order: { periodEnd: 'ASC', id: 'ASC' }, take: MAX_REFS }),
      repo.countBy({ ...where, periodEnd: LessThanOrEqual(now) }),
    ]);
    const refs = rows.map((i) => ({ id: i.id, label: `${o.projectCode.get(i.projectId) ?? i.projectId} ${i.period}`, due: i.periodEnd.toISOString() }));
    return [{ kind: 'inspection_open', count, overdue, refs }];
  }

  /**
   * R-CASE-DEADLINE: open cases due within 3 days or overdue, where the caller may read them: where
   * case:read holds in the case's project (or its department, or the company), or, for a case
   * assigned to a department, in that department unless a line denies it in the project — as
   * CaseService.accessScope decides for one case.
   */
  private async caseDeadlines(userId: number, o: Org, projects: Allowed, depts: number[], now: Date): Promise<WorkItem[]> {
    if (projects !== null && !projects.length && !depts.length) return [];
    const open = { status: Not('closed' as const), dueAt: LessThanOrEqual(new Date(now.getTime() + SOON_DAYS * DAY_MS)) };
    const where: FindOptionsWhere<ComplaintCase>[] = [];
    if (projects === null || projects.length) where.push({ ...open, ...within(projects) });
    if (projects !== null && depts.length) {
      const denied = o.projects.filter((p) => this.authz.decide(userId, projectScope(p.code), { object: 'case', action: 'read' }).effect === 'deny').map((p) => p.id);
      where.push({ ...open, departmentId: In(depts), ...(denied.length ? { projectId: Not(In(denied)) } : {}) });
    }
    const repo = this.db.manager.getRepository(ComplaintCase);
    const [[rows, count], overdue] = await Promise.all([
      repo.findAndCount({ where, select: { id: true, caseNo: true, dueDate: true, dueAt: true }, order: { dueAt: 'ASC', id: 'ASC' }, take: MAX_REFS }),
      repo.count({ where: where.map((w) => ({ ...w, dueAt: LessThanOrEqual(now) })) }),
    ]);
    return [{ kind: 'case_deadline', count, overdue, dueSoon: count - overdue, refs: rows.map((c) => ({ id: c.id, label: c.caseNo, due: c.dueDate })) }];
  }

  /** R-EXTERNAL: pending releases where the caller holds external_release:approve (the general manager), never their own request. */
  private async releaseDecisions(userId: number, projects: Allowed, o: Org): Promise<WorkItem[]> {
    if (projects !== null && !projects.length) return [];
    const where: FindOptionsWhere<ExternalRelease> = { status: 'pending', requestedById: Not(userId), ...within(projects) };
    const [rows, count] = await this.db.manager
      .getRepository(ExternalRelease)
      .findAndCount({ where, select: { id: true, projectId: true }, order: { id: 'ASC' }, take: MAX_REFS });
    return [{ kind: 'release_decision', count, refs: rows.map((r) => ({ id: r.id, label: `${o.projectCode.get(r.projectId) ?? r.projectId} #${r.id}` })) }];
  }

  /**
   * R-REWARD, R-PENALTY: pending records where the caller holds sanction:approve in the record's
   * scope (SanctionService.scopeOf: its project, else its department, else the company), neither
   * proposed by them nor naming them (SanctionService.decide refuses both).
   */
  private async sanctionDecisions(userId: number, o: Org, may: (scope: string, object: string, action: string) => boolean): Promise<WorkItem[]> {
    const ok = (scope: string) => may(scope, 'sanction', 'approve');
    const projects = o.projects.filter((p) => ok(projectScope(p.code))).map((p) => p.id);
    const depts = o.departments.filter((d) => ok(deptScope(d.code))).map((d) => d.id);
    const company = ok(COMPANY);
    if (!projects.length && !depts.length && !company) return [];
    const base = { status: 'pending' as const, proposedById: Not(userId), userId: Not(userId) };
    const where: FindOptionsWhere<Sanction>[] = [];
    if (projects.length) where.push({ ...base, projectId: projects.length === o.projects.length ? Not(IsNull()) : In(projects) });
    if (depts.length) where.push({ ...base, projectId: IsNull(), departmentId: In(depts) });
    if (company) where.push({ ...base, projectId: IsNull(), departmentId: IsNull() });
    const [rows, count] = await this.db.manager
      .getRepository(Sanction)
      .findAndCount({ where, select: { id: true, kind: true }, order: { id: 'ASC' }, take: MAX_REFS });
    return [{ kind: 'sanction_decision', count, refs: rows.map((s) => ({ id: s.id, label: `${s.kind} #${s.id}` })) }];
  }
}
