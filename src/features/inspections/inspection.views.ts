import { EntityManager, FindOptionsWhere, In } from 'typeorm';
import type { Acting } from '../../api/route';
import type { Config } from '../../config/env';
import { Database } from '../../db/database';
import { Department } from '../../entities/Department';
import { Inspection, InspectionStatus } from '../../entities/Inspection';
import { FindingSeverity, InspectionFinding } from '../../entities/InspectionFinding';
import { InspectionItem, ItemFigure, ItemResult } from '../../entities/InspectionItem';
import { InspectionRectification } from '../../entities/InspectionRectification';
import { Notice } from '../../entities/Notice';
import { Project } from '../../entities/Project';
import { NotFoundError, ValidationError } from '../../errors';
import { periodFromKey } from '../../jobs/period';
import { Authorizer } from '../../policy/authorizer';
import { PolicyService } from '../../policy/policy-service';
import { COMPANY, projectScope } from '../../policy/scope';
import type { NoticeService, NoticeView } from '../notices/notice.service';
import type { RectificationService } from '../rectifications/rectification.service';
import type { RectificationView as RegisterView } from '../rectifications/rectification.views';
import { inspectionsJob } from './inspection.job';

/**
 * R-INSPECT (§5.3.2): what the inspection routes return (the types) and how they are read: one
 * inspection in full, the lists, a project's history and a period's overview. No writes here;
 * inside a transaction every read takes that transaction's manager.
 */

const READ = { object: 'inspection', action: 'read' };

export type ReportFormat = 'pdf' | 'xlsx';
export interface ProducedFile {
  body: Buffer;
  contentType: string;
  filename: string;
}

/** A bimonthly period key: 2026-B6 is November–December 2026. */
export const PERIOD_KEY = /^(\d{4})-B([1-6])$/;

export interface ResultCounts {
  pending: number;
  pass: number;
  fail: number;
  na: number;
}

export interface InspectionSummaryView {
  id: number;
  project: string;
  projectName: string;
  department: string | null;
  period: string;
  status: InspectionStatus;
  counts: ResultCounts;
  findingCounts: { minor: number; majorHazard: number };
  createdAt: Date;
  completedAt: Date | null;
  completedById: number | null;
}

export interface InspectionItemView {
  id: number;
  position: number;
  requirementId: string;
  clause: string;
  requirementText: string;
  checkZh: string;
  checkEn: string;
  /** What the service already knows for the project over the two months before the period. */
  figures: ItemFigure[];
  result: ItemResult;
  notes: string | null;
  evidence: string | null;
  recordedAt: Date | null;
  recordedById: number | null;
}

export interface FindingView {
  id: number;
  itemId: number;
  requirementId: string | null;
  severity: FindingSeverity;
  description: string;
  createdAt: Date;
  createdById: number;
  rectificationIds: number[];
}

/** A rectification as the register shows it, with the finding it was assigned for. */
export type RectificationView = RegisterView & { findingId: number | null };

export interface InspectionView extends InspectionSummaryView {
  periodStart: Date;
  periodEnd: Date;
  figuresFrom: Date;
  figuresTo: Date;
  conclusion: string | null;
  createdById: number | null;
  items: InspectionItemView[];
  findings: FindingView[];
  rectifications: RectificationView[];
  notices: NoticeView[];
}

export interface ItemChanges {
  result?: Exclude<ItemResult, 'pending'>;
  notes?: string | null;
  evidence?: string | null;
}

/** One entry of a whole-checklist save (PUT /api/v1/inspections/:id/checklist): a result is required. */
export interface ChecklistEntryInput {
  itemId: number;
  result: Exclude<ItemResult, 'pending'>;
  notes?: string | null;
  evidence?: string | null;
}

export const itemView = (i: InspectionItem): InspectionItemView => ({
  id: i.id,
  position: i.position,
  requirementId: i.requirementId,
  clause: i.clause,
  requirementText: i.requirementText,
  checkZh: i.checkZh,
  checkEn: i.checkEn,
  figures: i.figures,
  result: i.result,
  notes: i.notes,
  evidence: i.evidence,
  recordedAt: i.recordedAt,
  recordedById: i.recordedById,
});

/** Reading inspections (R-INSPECT): every method here only reads. */
export class InspectionViews {
  constructor(
    private readonly db: Database,
    private readonly policy: PolicyService,
    private readonly authz: Authorizer,
    private readonly notices: NoticeService,
    private readonly rectifications: RectificationService,
    private readonly config: Config,
  ) {}

  /** One inspection; 404 if absent. Inside a transaction pass its manager. */
  async load(id: number, m: EntityManager = this.db.manager): Promise<Inspection> {
    const i = await m.getRepository(Inspection).findOneBy({ id });
    if (!i) throw new NotFoundError('Inspection', id);
    return i;
  }


  /**
   * project:<code> of the inspected project: the scope of every permission on it. Inside a
   * transaction pass its manager: a project newer than the loaded organisation is read from the
   * database, and that read must not wait for a second connection.
   */
  scopeOf(i: Pick<Inspection, 'projectId'>, m: EntityManager = this.db.manager): Promise<string> {
    return this.policy.projectScope(i.projectId, m);
  }


  async summaries(m: EntityManager, rows: Inspection[]): Promise<InspectionSummaryView[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const [items, findings, projects, depts] = await Promise.all([
      m.getRepository(InspectionItem).find({ where: { inspectionId: In(ids) }, select: { inspectionId: true, result: true } }),
      m.getRepository(InspectionFinding).find({ where: { inspectionId: In(ids) }, select: { inspectionId: true, severity: true } }),
      m.getRepository(Project).findBy({ id: In([...new Set(rows.map((r) => r.projectId))]) }),
      m.getRepository(Department).findBy({ id: In([...new Set(rows.map((r) => r.departmentId).filter((d): d is number => d !== null))]) }),
    ]);
    const project = new Map(projects.map((p) => [p.id, p]));
    const dept = new Map(depts.map((d) => [d.id, d.code]));
    return rows.map((r) => {
      const counts: ResultCounts = { pending: 0, pass: 0, fail: 0, na: 0 };
      for (const it of items) if (it.inspectionId === r.id) counts[it.result]++;
      const mine = findings.filter((f) => f.inspectionId === r.id);
      return {
        id: r.id,
        project: project.get(r.projectId)?.code ?? String(r.projectId),
        projectName: project.get(r.projectId)?.name ?? '',
        department: r.departmentId === null ? null : (dept.get(r.departmentId) ?? null),
        period: r.period,
        status: r.status,
        counts,
        findingCounts: { minor: mine.filter((f) => f.severity === 'minor').length, majorHazard: mine.filter((f) => f.severity === 'major_hazard').length },
        createdAt: r.createdAt,
        completedAt: r.completedAt,
        completedById: r.completedById,
      };
    });
  }

  /** The rectifications assigned for an inspection's findings, as the register shows them. */
  private async rectificationsOf(m: EntityManager, inspectionId: number): Promise<RectificationView[]> {
    const links = await m.getRepository(InspectionRectification).find({ where: { inspectionId }, order: { id: 'ASC' } });
    if (!links.length) return [];
    const findingOf = new Map(links.map((l) => [l.rectificationId, l.findingId]));
    const listed = await this.rectifications.listFor('inspection', inspectionId, m);
    return listed.map((r) => ({ ...r, findingId: findingOf.get(r.id) ?? null }));
  }

  /** One inspection in full: checklist, findings, rectifications, notices. */
  async view(i: Inspection, m: EntityManager = this.db.manager): Promise<InspectionView> {
    const [summary] = await this.summaries(m, [i]);
    const items = await m.getRepository(InspectionItem).find({ where: { inspectionId: i.id }, order: { position: 'ASC' } });
    const findings = await m.getRepository(InspectionFinding).find({ where: { inspectionId: i.id }, order: { id: 'ASC' } });
    const links = await m.getRepository(InspectionRectification).find({ where: { inspectionId: i.id } });
    const requirementOf = new Map(items.map((it) => [it.id, it.requirementId]));
    const notices = await this.notices.views(m, await m.getRepository(Notice).find({ where: { inspectionId: i.id }, order: { id: 'ASC' } }));
    return {
      ...summary,
      periodStart: i.periodStart,
      periodEnd: i.periodEnd,
      figuresFrom: i.figuresFrom,
      figuresTo: i.figuresTo,
      conclusion: i.conclusion,
      createdById: i.createdById,
      items: items.map(itemView),
      findings: findings.map((f) => ({
        id: f.id,
        itemId: f.itemId,
        requirementId: requirementOf.get(f.itemId) ?? null,
        severity: f.severity,
        description: f.description,
        createdAt: f.createdAt,
        createdById: f.createdById,
        rectificationIds: links.filter((l) => l.findingId === f.id).map((l) => l.rectificationId),
      })),
      rectifications: links.length ? await this.rectificationsOf(m, i.id) : [],
      notices,
    };
  }

  /** The ids of the projects whose inspections the user may read (project managers: their own). */
  private async readableProjectIds(userId: number): Promise<number[]> {
    const projects = await this.db.manager.getRepository(Project).find({ select: { id: true, code: true } });
    return projects.filter((p) => this.authz.decide(userId, projectScope(p.code), READ).allowed).map((p) => p.id);
  }

  /**
   * Inspections by period, project and status. Company readers (quality department, general
   * manager, auditors) see every project; a project manager sees their projects' inspections.
   * Naming a project the caller may not read is refused (403, audited).
   */
  async list(
    actor: Acting,
    f: { period?: string; project?: string; status?: InspectionStatus; limit: number; offset: number },
  ): Promise<{ items: InspectionSummaryView[]; total: number }> {
    const m = this.db.manager;
    const where: FindOptionsWhere<Inspection> = {};
    if (f.period) where.period = f.period;
    if (f.status) where.status = f.status;
    if (f.project !== undefined) {
      const p = await m.getRepository(Project).findOneBy({ code: f.project });
      if (!p) throw new ValidationError('Unknown project', [{ path: 'query.project', message: `project ${f.project} does not exist` }]);
      await this.authz.require(actor, projectScope(p.code), READ);
      where.projectId = p.id;
    } else if (!this.authz.decide(actor.id, COMPANY, READ).allowed) {
      where.projectId = In(await this.readableProjectIds(actor.id));
    }
    const [rows, total] = await m.getRepository(Inspection).findAndCount({ where, order: { period: 'DESC', projectId: 'ASC', id: 'ASC' }, take: f.limit, skip: f.offset });
    return { items: await this.summaries(m, rows), total };
  }

  /** A project's history: its inspections (newest first) and the notices concerning it. */
  async projectHistory(code: string): Promise<{ project: { code: string; name: string; department: string | null }; inspections: InspectionSummaryView[]; notices: NoticeView[] }> {
    const m = this.db.manager;
    const p = await m.getRepository(Project).findOneBy({ code });
    if (!p) throw new NotFoundError('Project', code);
    const d = p.departmentId === null ? null : await m.getRepository(Department).findOneBy({ id: p.departmentId });
    const rows = await m.getRepository(Inspection).find({ where: { projectId: p.id }, order: { period: 'DESC', id: 'DESC' } });
    return {
      project: { code: p.code, name: p.name, department: d?.code ?? null },
      inspections: await this.summaries(m, rows),
      notices: await this.notices.forProject(m, p.id),
    };
  }

  /** Every project with its inspection for the period (or none yet): the company summary. */
  async periodOverview(period: string): Promise<Array<{ project: Project; department: string | null; inspection: InspectionSummaryView | null; notices: number }>> {
    const m = this.db.manager;
    // The projects the period covers: those that existed before it ended, and any inspected for it since (a rerun covers every project).
    const end = periodFromKey(inspectionsJob, period, this.config.timezone)?.end ?? new Date(8.64e15);
    const [all, depts, rows] = await Promise.all([
      m.getRepository(Project).find({ order: { code: 'ASC' } }),
      m.getRepository(Department).find(),
      m.getRepository(Inspection).find({ where: { period }, order: { id: 'ASC' } }),
    ]);
    const summaries = new Map((await this.summaries(m, rows)).map((s, idx) => [rows[idx].projectId, s]));
    const notices = rows.length ? await m.getRepository(Notice).find({ where: { inspectionId: In(rows.map((r) => r.id)) }, select: { inspectionId: true } }) : [];
    const dept = new Map(depts.map((d) => [d.id, d.code]));
    const projects = all.filter((p) => p.createdAt.getTime() < end.getTime() || summaries.has(p.id));
    return projects.map((p) => {
      const s = summaries.get(p.id) ?? null;
      return {
        project: p,
        department: p.departmentId === null ? null : (dept.get(p.departmentId) ?? null),
        inspection: s,
        notices: s ? notices.filter((n) => n.inspectionId === s.id).length : 0,
      };
    });
  }
}
