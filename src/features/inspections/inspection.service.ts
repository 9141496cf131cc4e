import { EntityManager, FindOptionsWhere, In } from 'typeorm';
import { isUniqueViolation } from '../../api/middleware/error-handler';
import { AuditActor, AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import { Database, forUpdate } from '../../db/database';
import { Department } from '../../entities/Department';
import { Inspection, InspectionStatus } from '../../entities/Inspection';
import { FindingSeverity, InspectionFinding } from '../../entities/InspectionFinding';
import { InspectionItem, ItemFigure, ItemResult } from '../../entities/InspectionItem';
import { InspectionRectification } from '../../entities/InspectionRectification';
import { Notice } from '../../entities/Notice';
import { Project } from '../../entities/Project';
import { User } from '../../entities/User';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors';
import type { JobPeriod } from '../../jobs/period';
import { localToUtc, periodFromKey, toDatePeriod } from '../../jobs/period';
import { wallClock } from '../../lib/time';
import { Authorizer } from '../../policy/authorizer';
import { PolicyService } from '../../policy/policy-service';
import { COMPANY, projectScope } from '../../policy/scope';
import type { NotificationOutbox } from '../notifications/outbox';
import { NoticeService, NoticeView } from '../notices/notice.service';
import { ChecklistLine, projectChecklist } from './checklist';
import { inspectionReport, summaryReport, summaryRows } from './inspection-report';
import { inspectionsJob } from './inspections.job';
import { reportToPdf, reportToXlsx } from '../../lib/documents';
import type { Indicator, IndicatorService } from '../indicators/indicators';
import type { RectificationChanges, RectificationService, RectificationView as RegisterView } from '../rectifications/rectification.service';

type Acting = AuditActor & { id: number };

const READ = { object: 'inspection', action: 'read' };
const PUBLISH = { object: 'notice', action: 'publish' };

export type ReportFormat = 'pdf' | 'xlsx';
export interface ProducedFile {
  body: Buffer;
  contentType: string;
  filename: string;
}
const CONTENT_TYPE: Record<ReportFormat, string> = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

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

/** The instant `months` calendar months before a local first-of-month instant, in the timezone. */
function monthsBefore(start: Date, months: number, tz: string): Date {
  const z = wallClock(start, tz);
  const t = new Date(Date.UTC(z.y, z.m - 1 - months, 1));
  return localToUtc(t.getUTCFullYear(), t.getUTCMonth() + 1, 1, 0, 0, tz);
}

const itemView = (i: InspectionItem): InspectionItemView => ({
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

/** What the audit trail keeps of an item's record. */
const itemSnapshot = (i: Pick<InspectionItem, 'requirementId' | 'result' | 'notes' | 'evidence'>) => ({
  requirementId: i.requirementId,
  result: i.result,
  notes: i.notes,
  evidence: i.evidence,
});

/**
 * R-INSPECT (§5.3.2): the quality department inspects every project every two months; a
 * project with a major hidden hazard is publicly criticized (通報批評), and that notice is
 * recorded.
 *
 * - The bimonthly job creates one inspection per project and period (unique key: a rerun creates
 *   nothing twice), with a checklist made from the requirements that apply to a project
 *   (checklist.ts, from docs/requirements.json) and, per item, the figures the service already
 *   knows for the project over the two months before.
 * - The inspector (inspection:conduct) records pass / fail / not applicable with notes and
 *   evidence, rates findings on failed items (minor, major hazard), assigns rectifications with
 *   owners and due dates (the rectification register), and completes the inspection. Completion
 *   is a conditional update on the status (two completions: one wins, the other 409); nothing
 *   but rectification progress changes afterwards (409).
 * - Completing an inspection with a major hazard publishes the public criticism in the same
 *   transaction (notice:publish), at most once (unique source key).
 * Every change and its audit event commit in one transaction (R-AUDIT).
 */
export class InspectionService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly authz: Authorizer,
    private readonly outbox: NotificationOutbox,
    private readonly notices: NoticeService,
    private readonly config: Config,
    private readonly indicators: IndicatorService,
    private readonly rectifications: RectificationService,
  ) {}

  // ---- loading and scope -------------------------------------------------------------------

  async load(id: number): Promise<Inspection> {
    const i = await this.db.manager.getRepository(Inspection).findOneBy({ id });
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

  /** The inspection, locked for the rest of the transaction, still in progress (409 otherwise). */
  private async lockOpen(m: EntityManager, id: number): Promise<Inspection> {
    const i = await m.getRepository(Inspection).findOne({ where: { id }, ...forUpdate(this.db.mysql) });
    if (!i) throw new NotFoundError('Inspection', id);
    if (i.status !== 'in_progress') {
      throw new ConflictError('inspection_completed', `Inspection ${id} was completed on ${i.completedAt?.toISOString()}; its record no longer changes`);
    }
    return i;
  }

  // ---- creation (the bimonthly job) --------------------------------------------------------

  /** The figures of a project (and of its department, e.g. the port register) over [from, to) as of `asOf`. */
  private async figures(project: Project, from: Date, to: Date, asOf: Date): Promise<Indicator[]> {
    return this.indicators.compute({ departmentId: project.departmentId, projectIds: [project.id] }, from, to, asOf);
  }

  /** The figures shown beside a checklist line: those it names, and any figure of its R-id. */
  private static figuresFor(line: ChecklistLine, all: Indicator[]): ItemFigure[] {
    return all
      .filter((f) => (line.indicators as string[]).includes(f.key) || f.requirement === line.requirementId)
      .map((f) => ({ key: f.key, labelZh: f.labelZh, labelEn: f.labelEn, value: Number(f.value), requirement: f.requirement }));
  }

  /**
   * R-INSPECT: one inspection per project for the period (2026-B6 = November–December), with its
   * checklist and the figures of the two months before the period as of its due time. Every
   * project that exists when the job runs is covered: a rerun after a project was created (or
   * after a new installation was set up) inspects it too. Projects that already have one are
   * left alone, so a rerun creates nothing twice.
   */
  async createForPeriod(
    period: JobPeriod,
    actor: AuditActor = SYSTEM_ACTOR,
    /** Only these projects (e.g. a project opened during the period); default every project. */
    onlyProjectIds?: number[],
  ): Promise<{ period: string; toDate: boolean; projects: number; created: number; existing: number }> {
    if (!PERIOD_KEY.test(period.key)) throw new ValidationError('Not a bimonthly period', [{ path: 'period', message: 'a period such as 2026-B6' }]);
    const m0 = this.db.manager;
    const projects = await m0.getRepository(Project).find({ where: onlyProjectIds ? { id: In(onlyProjectIds) } : {}, order: { id: 'ASC' } });
    const existing = new Set(
      (await m0.getRepository(Inspection).find({ where: { period: period.key }, select: { projectId: true } })).map((i) => i.projectId),
    );
    let created = 0;
    for (const p of projects) {
      if (existing.has(p.id)) continue;
      if (await this.createOne(p, period, actor)) created++;
    }
    if (created > 0) {
      // The quality department hears of the new inspections once per period.
      await this.db.tx((m) =>
        this.outbox.enqueueToRole(m, 'quality_inspector', COMPANY, {
          kind: 'inspection.created',
          subject: `${period.key}: bimonthly inspections ready (R-INSPECT)`,
          body: `${created} project inspection(s) for ${period.key} were created: GET /api/v1/inspections?period=${period.key}`,
          objectType: 'inspection_period',
          objectId: period.key,
          dedupeKey: `inspection.created:${period.key}`,
        }),
      );
    }
    return { period: period.key, toDate: period.toDate === true, projects: projects.length, created, existing: projects.length - created };
  }

  /**
   * One project's inspection for the period with its checklist and figures, and its audit event,
   * in one transaction. Null when it exists already (another run created it meanwhile: the
   * unique (project, period) key holds, nothing twice).
   */
  private async createOne(p: Project, period: JobPeriod, actor: AuditActor): Promise<Inspection | null> {
    const from = monthsBefore(period.start, 2, this.config.timezone);
    const lines = projectChecklist();
    const figures = await this.figures(p, from, period.start, period.dueAt);
    return this.db
      .tx(async (m) => {
        const now = new Date();
        const inspection = m.getRepository(Inspection).create({
          projectId: p.id,
          departmentId: p.departmentId,
          period: period.key,
          periodStart: period.start,
          periodEnd: period.end,
          figuresFrom: from,
          figuresTo: period.start,
          status: 'in_progress',
          conclusion: null,
          createdAt: now,
          createdById: actor.id,
          updatedAt: now,
          completedAt: null,
          completedById: null,
        });
        await m.getRepository(Inspection).insert(inspection);
        await m.getRepository(InspectionItem).insert(
          lines.map((line, idx) => ({
            inspectionId: inspection.id,
            position: idx + 1,
            requirementId: line.requirementId,
            clause: line.clause,
            requirementText: line.requirementText,
            checkZh: line.checkZh,
            checkEn: line.checkEn,
            figures: InspectionService.figuresFor(line, figures),
            result: 'pending' as const,
            notes: null,
            evidence: null,
            recordedAt: null,
            recordedById: null,
          })),
        );
        await this.audit.append(m, actor, {
          action: 'inspection.created',
          objectType: 'inspection',
          objectId: inspection.id,
          scope: projectScope(p.code),
          after: { project: p.code, period: period.key, items: lines.length, figures: figures.map((f) => `${f.key}=${f.value}`) },
        });
        return inspection;
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) return null;
        throw err;
      });
  }

  /**
   * R-INSPECT: the quality department opens a project's inspection by hand for the current block
   * (also before the block's run is due) or a past one: a project created during the block, a
   * new installation. A future block is 400; an inspection that exists is 409 and nothing
   * changes. Audited under the opener's name in the same transaction.
   */
  async open(actor: Acting, input: { project: string; period: string }, now = new Date()): Promise<InspectionView> {
    const p = await this.db.manager.getRepository(Project).findOneBy({ code: input.project });
    if (!p) throw new ValidationError('Unknown project', [{ path: 'body.project', message: `project ${input.project} does not exist` }]);
    const block = periodFromKey(inspectionsJob, input.period, this.config.timezone);
    if (!block) throw new ValidationError('Invalid period', [{ path: 'body.period', message: 'a two-month period such as 2026-B6' }]);
    if (block.start.getTime() > now.getTime()) {
      throw new ValidationError('The period has not begun', [{ path: 'body.period', message: `${block.key} is a future period: its inspection opens on its first day` }]);
    }
    const exists = () => this.db.manager.getRepository(Inspection).findOneBy({ projectId: p.id, period: block.key });
    const conflict = (id: number) => new ConflictError('inspection_exists', `Project ${p.code} already has its ${block.key} inspection (${id})`, { id });
    const before = await exists();
    if (before) throw conflict(before.id);
    const made = await this.createOne(p, toDatePeriod(inspectionsJob, block, now) ?? block, actor);
    if (!made) throw conflict((await exists())!.id);
    return this.view(made);
  }

  // ---- reading -------------------------------------------------------------------------------

  private async summaries(m: EntityManager, rows: Inspection[]): Promise<InspectionSummaryView[]> {
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

  // ---- conducting --------------------------------------------------------------------------

  /**
   * R-INSPECT: the inspector records an item: pass, fail or not applicable, with notes and
   * evidence. An item with findings stays failed (409 item_has_findings): its findings would
   * otherwise rate a requirement that passed.
   */
  async recordItem(actor: Acting, inspectionId: number, itemId: number, changes: ItemChanges): Promise<InspectionItemView> {
    return this.db.tx(async (m) => {
      const i = await this.lockOpen(m, inspectionId);
      const item = await m.getRepository(InspectionItem).findOneBy({ id: itemId, inspectionId: i.id });
      if (!item) throw new NotFoundError(`Item of inspection ${i.id}`, itemId);
      if (changes.result !== undefined && changes.result !== 'fail' && item.result === 'fail') {
        const findings = await m.getRepository(InspectionFinding).countBy({ inspectionId: i.id, itemId: item.id });
        if (findings > 0) {
          throw new ConflictError('item_has_findings', `Item ${item.id} (${item.requirementId}) has ${findings} finding(s); only a failed item has findings`);
        }
      }
      const before = itemSnapshot(item);
      const now = new Date();
      const update: Partial<InspectionItem> = { recordedAt: now, recordedById: actor.id };
      if (changes.result !== undefined) update.result = changes.result;
      if (changes.notes !== undefined) update.notes = changes.notes;
      if (changes.evidence !== undefined) update.evidence = changes.evidence;
      await m.getRepository(InspectionItem).update({ id: item.id }, update);
      await m.getRepository(Inspection).update({ id: i.id }, { updatedAt: now });
      const after = Object.assign(item, update);
      await this.audit.append(m, actor, {
        action: 'inspection.item_recorded',
        objectType: 'inspection',
        objectId: i.id,
        scope: await this.scopeOf(i, m),
        before,
        after: { itemId: item.id, ...itemSnapshot(after) },
      });
      return itemView(after);
    });
  }

  /**
   * R-INSPECT: a finding rates a failed item: minor, or a major hidden hazard (which brings a
   * public criticism when the inspection is completed). Only a failed item has findings (409
   * item_not_failed).
   */
  async addFinding(actor: Acting, inspectionId: number, input: { itemId: number; severity: FindingSeverity; description: string }): Promise<FindingView> {
    return this.db.tx(async (m) => {
      const i = await this.lockOpen(m, inspectionId);
      const item = await m.getRepository(InspectionItem).findOneBy({ id: input.itemId, inspectionId: i.id });
      if (!item) throw new ValidationError('Unknown item', [{ path: 'body.itemId', message: `item ${input.itemId} is not an item of inspection ${i.id}` }]);
      if (item.result !== 'fail') {
        throw new ConflictError('item_not_failed', `Item ${item.id} (${item.requirementId}) is ${item.result}: record it as fail before rating a finding on it`);
      }
      const finding = m.getRepository(InspectionFinding).create({
        inspectionId: i.id,
        itemId: item.id,
        projectId: i.projectId,
        departmentId: i.departmentId,
        severity: input.severity,
        description: input.description,
        createdAt: new Date(),
        createdById: actor.id,
      });
      await m.getRepository(InspectionFinding).insert(finding);
      await m.getRepository(Inspection).update({ id: i.id }, { updatedAt: finding.createdAt });
      await this.audit.append(m, actor, {
        action: 'inspection.finding_recorded',
        objectType: 'inspection',
        objectId: i.id,
        scope: await this.scopeOf(i, m),
        after: { findingId: finding.id, itemId: item.id, requirementId: item.requirementId, severity: finding.severity, description: finding.description },
      });
      return {
        id: finding.id,
        itemId: item.id,
        requirementId: item.requirementId,
        severity: finding.severity,
        description: finding.description,
        createdAt: finding.createdAt,
        createdById: finding.createdById,
        rectificationIds: [],
      };
    });
  }

  /**
   * R-INSPECT: a rectification for a finding, with its owner (an active user) and a due date not
   * in the past, kept by the rectification register (open → in_progress → done).
   */
  async assignRectification(
    actor: Acting,
    inspectionId: number,
    input: { findingId: number; description: string; ownerUserId: number; dueDate: string },
  ): Promise<RectificationView> {
    return this.db.tx(async (m) => {
      const i = await this.lockOpen(m, inspectionId);
      const finding = await m.getRepository(InspectionFinding).findOneBy({ id: input.findingId, inspectionId: i.id });
      if (!finding) throw new ValidationError('Unknown finding', [{ path: 'body.findingId', message: `finding ${input.findingId} is not a finding of inspection ${i.id}` }]);
      // The register refuses (400) a due date in the past and an owner who is not an active user.
      const r = await this.rectifications.open(m, actor, {
        sourceType: 'inspection',
        sourceId: i.id,
        departmentId: i.departmentId,
        projectId: i.projectId,
        description: input.description,
        ownerUserId: input.ownerUserId,
        dueDate: input.dueDate,
      });
      await m.getRepository(InspectionRectification).insert({ inspectionId: i.id, findingId: finding.id, rectificationId: r.id, createdAt: new Date(), createdById: actor.id });
      await m.getRepository(Inspection).update({ id: i.id }, { updatedAt: new Date() });
      await this.audit.append(m, actor, {
        action: 'inspection.rectification_assigned',
        objectType: 'inspection',
        objectId: i.id,
        scope: await this.scopeOf(i, m),
        after: { findingId: finding.id, rectificationId: r.id, ownerUserId: input.ownerUserId, dueDate: input.dueDate },
      });
      return { ...r, findingId: finding.id };
    });
  }

  /**
   * R-INSPECT: progress of a rectification assigned by this inspection (status, evidence), through
   * the register. Allowed after completion: rectifying is what follows an inspection.
   */
  async updateRectification(actor: Acting, inspectionId: number, rectificationId: number, changes: RectificationChanges): Promise<RectificationView> {
    return this.db.tx(async (m) => {
      const link = await m.getRepository(InspectionRectification).findOneBy({ inspectionId, rectificationId });
      if (!link) throw new NotFoundError(`Rectification of inspection ${inspectionId}`, rectificationId);
      const r = await this.rectifications.update(m, actor, rectificationId, changes);
      return { ...r, findingId: link.findingId };
    });
  }

  /**
   * R-INSPECT: completes the inspection (in_progress → completed). Every item must be recorded and
   * every failed item rated (409 otherwise). With a major hazard, the public criticism (通報批評)
   * of the project is published in the same transaction, which needs notice:publish. Two
   * completions at once: the conditional update lets one win; the other gets 409, and the
   * notice's unique source key holds even then.
   */
  async complete(actor: Acting, inspectionId: number, conclusion: string | null): Promise<InspectionView> {
    const scope = await this.scopeOf(await this.load(inspectionId));
    // Checked (and a refusal recorded) before the transaction: a major hazard needs the right to publish.
    const hasMajor = (await this.db.manager.getRepository(InspectionFinding).countBy({ inspectionId, severity: 'major_hazard' })) > 0;
    if (hasMajor) await this.authz.require(actor, scope, PUBLISH);
    return this.db.tx(async (m) => {
      const i = await m.getRepository(Inspection).findOne({ where: { id: inspectionId }, ...forUpdate(this.db.mysql) });
      if (!i) throw new NotFoundError('Inspection', inspectionId);
      if (i.status === 'completed') throw new ConflictError('already_completed', `Inspection ${i.id} was already completed on ${i.completedAt?.toISOString()}`);
      const items = await m.getRepository(InspectionItem).find({ where: { inspectionId: i.id }, order: { position: 'ASC' } });
      const pending = items.filter((it) => it.result === 'pending');
      if (pending.length) {
        throw new ConflictError('items_pending', `${pending.length} item(s) not recorded yet: ${pending.map((it) => it.requirementId).join(', ')}`, {
          itemIds: pending.map((it) => it.id),
        });
      }
      const findings = await m.getRepository(InspectionFinding).find({ where: { inspectionId: i.id }, order: { id: 'ASC' } });
      const unrated = items.filter((it) => it.result === 'fail' && !findings.some((f) => f.itemId === it.id));
      if (unrated.length) {
        throw new ConflictError('findings_missing', `Failed item(s) without a rated finding: ${unrated.map((it) => it.requirementId).join(', ')}`, {
          itemIds: unrated.map((it) => it.id),
        });
      }
      const majors = findings.filter((f) => f.severity === 'major_hazard');
      // A hazard rated after the check above (a race): refuse rather than publish without the right.
      if (majors.length && !this.authz.decide(actor.id, scope, PUBLISH).allowed) {
        throw new ForbiddenError('forbidden', `Missing permission notice:publish in scope ${scope}`, { permission: 'notice:publish', scope });
      }
      const now = new Date();
      const done = await m
        .getRepository(Inspection)
        .update({ id: i.id, status: 'in_progress' }, { status: 'completed', completedAt: now, completedById: actor.id, updatedAt: now, conclusion });
      if (!done.affected) throw new ConflictError('already_completed', `Inspection ${i.id} was already completed`);
      const counts: ResultCounts = { pending: 0, pass: 0, fail: 0, na: 0 };
      for (const it of items) counts[it.result]++;
      await this.audit.append(m, actor, {
        action: 'inspection.completed',
        objectType: 'inspection',
        objectId: i.id,
        scope,
        reason: conclusion ?? undefined,
        before: { status: 'in_progress' },
        after: { status: 'completed', counts, minor: findings.length - majors.length, majorHazard: majors.length },
      });
      if (majors.length) {
        const p = await m.getRepository(Project).findOneByOrFail({ id: i.projectId });
        const byItem = new Map(items.map((it) => [it.id, it]));
        await this.notices.publishIn(m, actor, {
          kind: 'public_criticism',
          projectId: p.id,
          departmentId: p.departmentId,
          inspectionId: i.id,
          title: `通報批評：項目 ${p.code} 客戶信息保密存在重大隱患（${i.period}）/ Public criticism: major hazard in project ${p.code} (${i.period})`,
          body: criticismBody(p, i.period, majors.map((f) => ({ item: byItem.get(f.itemId), description: f.description }))),
          sourceKey: `inspection:${i.id}`,
        });
      }
      return this.view(Object.assign(i, { status: 'completed' as const, completedAt: now, completedById: actor.id, updatedAt: now, conclusion }), m);
    });
  }

  // ---- reports ------------------------------------------------------------------------------

  private async usernames(m: EntityManager, ids: Array<number | null | undefined>): Promise<Map<number, string>> {
    const wanted = [...new Set(ids.filter((id): id is number => typeof id === 'number'))];
    if (!wanted.length) return new Map();
    const users = await m.getRepository(User).find({ where: { id: In(wanted) }, select: { id: true, username: true, displayName: true } });
    return new Map(users.map((u) => [u.id, `${u.displayName} (${u.username})`]));
  }

  /** R-INSPECT: the inspection report of one project, as PDF or XLSX; producing it is audited. */
  async produceReport(actor: Acting, i: Inspection, format: ReportFormat): Promise<ProducedFile> {
    const m = this.db.manager;
    const v = await this.view(i);
    const users = await this.usernames(m, [
      v.completedById,
      ...v.items.map((it) => it.recordedById),
      ...v.rectifications.map((r) => (typeof r.ownerUserId === 'number' ? r.ownerUserId : null)),
    ]);
    const report = inspectionReport(v, users, actor.username ?? String(actor.id), this.config.timezone);
    const body = format === 'xlsx' ? await reportToXlsx(report) : await reportToPdf(report, { landscape: true });
    await this.db.tx((tm) =>
      this.audit.append(tm, actor, {
        action: 'inspection.report_produced',
        objectType: 'inspection',
        objectId: i.id,
        scope: projectScope(v.project),
        decision: 'allow',
        after: { format, period: v.period, status: v.status },
      }),
    );
    return { body, contentType: CONTENT_TYPE[format], filename: `inspection_${v.project}_${v.period}_${i.id}.${format}` };
  }

  /**
   * R-INSPECT: every project's inspection for a period (status, pass/fail/n.a. counts, major
   * hazards, notices): JSON, or a PDF/XLSX for auditors (producing a file is audited).
   */
  async produceSummary(actor: Acting, period: string, format: ReportFormat | 'json'): Promise<ProducedFile | { period: string; projects: ReturnType<typeof summaryRows> }> {
    const overview = await this.periodOverview(period);
    const rows = summaryRows(
      overview.map((o) => ({ project: o.project.code, projectName: o.project.name, department: o.department, inspection: o.inspection, notices: o.notices })),
    );
    if (format === 'json') return { period, projects: rows };
    const report = summaryReport(period, rows, actor.username ?? String(actor.id), this.config.timezone);
    const body = format === 'xlsx' ? await reportToXlsx(report) : await reportToPdf(report, { landscape: true });
    await this.db.tx((m) =>
      this.audit.append(m, actor, {
        action: 'inspection.summary_produced',
        objectType: 'inspection',
        scope: COMPANY,
        decision: 'allow',
        after: { format, period, projects: rows.length },
      }),
    );
    return { body, contentType: CONTENT_TYPE[format], filename: `inspections_${period}.${format}` };
  }

  /**
   * For the reward/penalty register: an inspection finding as the source of a sanction (its
   * project, department and how the record names it).
   */
  async findingSource(m: EntityManager, id: number): Promise<{ projectId: number; departmentId: number | null; label: string } | null> {
    const f = await m.getRepository(InspectionFinding).findOneBy({ id });
    if (!f) return null;
    const [i, item] = await Promise.all([m.getRepository(Inspection).findOneBy({ id: f.inspectionId }), m.getRepository(InspectionItem).findOneBy({ id: f.itemId })]);
    const p = await m.getRepository(Project).findOneBy({ id: f.projectId });
    return {
      projectId: f.projectId,
      departmentId: f.departmentId,
      label: `inspection finding #${f.id} (${f.severity}, ${item?.requirementId ?? 'item ' + f.itemId}; project ${p?.code ?? f.projectId}, ${i?.period ?? 'inspection ' + f.inspectionId})`,
    };
  }
}

/** The text of a public criticism: the project, the period and each major hazard with its clause. */
function criticismBody(p: Project, period: string, majors: Array<{ item: InspectionItem | undefined; description: string }>): string {
  const lines = majors.map((h, n) => `${n + 1}. ${h.item ? `${h.item.requirementId} ${h.item.clause}: ` : ''}${h.description}`);
  return [
    `品質管理部於 ${period} 對項目 ${p.code}（${p.name}）的客戶信息保密工作進行檢查，發現下列重大隱患，依《客戶信息保密制度》第5.3.2條予以通報批評，並限期整改：`,
    ...lines,
    '',
    `The Quality Management Department's ${period} inspection of project ${p.code} (${p.name}) found the major hidden hazards above; under §5.3.2 of the Customer Information Confidentiality Rules the project is publicly criticized and must rectify them by the dates set.`,
  ].join('\n');
}
