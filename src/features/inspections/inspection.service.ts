import { EntityManager, In } from 'typeorm';
import type { Acting } from '../../api/route';
import { AuditActor, AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import { Database } from '../../db/database';
import { Inspection, InspectionStatus } from '../../entities/Inspection';
import { FindingSeverity, InspectionFinding } from '../../entities/InspectionFinding';
import { InspectionItem } from '../../entities/InspectionItem';
import { Project } from '../../entities/Project';
import { User } from '../../entities/User';
import type { JobPeriod } from '../../jobs/period';
import { LatestDigest, reportToPdf, reportToXlsx } from '../../lib/documents';
import { Authorizer } from '../../policy/authorizer';
import { PolicyService } from '../../policy/policy-service';
import { COMPANY, projectScope } from '../../policy/scope';
import type { IndicatorService } from '../indicators/indicator.service';
import type { NoticeView } from '../notices/notice.service';
import { NoticeService } from '../notices/notice.service';
import type { NotificationOutbox } from '../notifications/notification.service';
import type { RectificationService } from '../rectifications/rectification.service';
import type { RectificationChanges } from '../rectifications/rectification.views';
import { InspectionPeriods } from './inspection-periods';
import { inspectionReport, summaryReport, summaryRows } from './inspection-report';
import { InspectionWorkflow } from './inspection-workflow';
import {
  ChecklistEntryInput,
  FindingView,
  InspectionItemView,
  InspectionSummaryView,
  InspectionView,
  InspectionViews,
  ItemChanges,
  ProducedFile,
  RectificationView,
  ReportFormat,
} from './inspection.views';

const CONTENT_TYPE: Record<ReportFormat, string> = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

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
  private readonly views: InspectionViews;
  private readonly periods: InspectionPeriods;
  private readonly workflow: InspectionWorkflow;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    policy: PolicyService,
    authz: Authorizer,
    outbox: NotificationOutbox,
    notices: NoticeService,
    private readonly config: Config,
    indicators: IndicatorService,
    rectifications: RectificationService,
    private readonly latestDigest: LatestDigest,
  ) {
    this.views = new InspectionViews(db, policy, authz, notices, rectifications, config);
    this.periods = new InspectionPeriods(db, audit, outbox, config, indicators, this.views);
    this.workflow = new InspectionWorkflow(db, audit, authz, notices, rectifications, this.views, outbox);
  }

  // ---- loading and scope (inspection.views.ts) -----------------------------------------------

  load(id: number): Promise<Inspection> {
    return this.views.load(id);
  }

  /** project:<code> of the inspected project; inside a transaction pass its manager. */
  scopeOf(i: Pick<Inspection, 'projectId'>, m: EntityManager = this.db.manager): Promise<string> {
    return this.views.scopeOf(i, m);
  }

  // ---- creation (inspection-periods.ts) ------------------------------------------------------

  /** R-INSPECT: one inspection per project for the period (the bimonthly job); a rerun creates nothing twice. */
  createForPeriod(
    period: JobPeriod,
    actor: AuditActor = SYSTEM_ACTOR,
    /** Only these projects (e.g. a project opened during the period); default every project. */
    onlyProjectIds?: number[],
  ): Promise<{ period: string; toDate: boolean; projects: number; created: number; existing: number }> {
    return this.periods.createForPeriod(period, actor, onlyProjectIds);
  }

  /** R-INSPECT: the quality department opens a project's inspection by hand (409 if it exists). */
  open(actor: Acting, input: { project: string; period: string }, now = new Date()): Promise<InspectionView> {
    return this.periods.open(actor, input, now);
  }

  // ---- reading (inspection.views.ts) ---------------------------------------------------------

  view(i: Inspection, m: EntityManager = this.db.manager): Promise<InspectionView> {
    return this.views.view(i, m);
  }

  list(actor: Acting, f: { period?: string; project?: string; status?: InspectionStatus; limit: number; offset: number }): Promise<{ items: InspectionSummaryView[]; total: number }> {
    return this.views.list(actor, f);
  }

  projectHistory(code: string): Promise<{ project: { code: string; name: string; department: string | null }; inspections: InspectionSummaryView[]; notices: NoticeView[] }> {
    return this.views.projectHistory(code);
  }

  periodOverview(period: string): Promise<Array<{ project: Project; department: string | null; inspection: InspectionSummaryView | null; notices: number }>> {
    return this.views.periodOverview(period);
  }

  // ---- conducting (inspection-workflow.ts) ---------------------------------------------------

  recordItem(actor: Acting, inspectionId: number, itemId: number, changes: ItemChanges): Promise<InspectionItemView> {
    return this.workflow.recordItem(actor, inspectionId, itemId, changes);
  }

  /** R-INSPECT: the whole checklist in one transaction (all or nothing); returns the inspection as it is then. */
  saveChecklist(actor: Acting, inspectionId: number, entries: ChecklistEntryInput[]): Promise<InspectionView> {
    return this.workflow.saveChecklist(actor, inspectionId, entries);
  }

  addFinding(actor: Acting, inspectionId: number, input: { itemId: number; severity: FindingSeverity; description: string }): Promise<FindingView> {
    return this.workflow.addFinding(actor, inspectionId, input);
  }

  assignRectification(
    actor: Acting,
    inspectionId: number,
    input: { findingId: number; description: string; ownerUserId: number; dueDate: string },
  ): Promise<RectificationView> {
    return this.workflow.assignRectification(actor, inspectionId, input);
  }

  updateRectification(actor: Acting, inspectionId: number, rectificationId: number, changes: RectificationChanges): Promise<RectificationView> {
    return this.workflow.updateRectification(actor, inspectionId, rectificationId, changes);
  }

  complete(actor: Acting, inspectionId: number, conclusion: string | null): Promise<InspectionView> {
    return this.workflow.complete(actor, inspectionId, conclusion);
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
    // R-AUDIT: printed reports carry the latest signed audit digest.
    const report = { ...inspectionReport(v, users, actor.username ?? String(actor.id), this.config.timezone), auditDigest: await this.latestDigest() };
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
    const report = { ...summaryReport(period, rows, actor.username ?? String(actor.id), this.config.timezone), auditDigest: await this.latestDigest() };
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
