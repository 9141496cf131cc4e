import { In } from 'typeorm';
import { isUniqueViolation } from '../../api/middleware/error-handler';
import type { Acting } from '../../api/route';
import { AuditActor, AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import { Database } from '../../db/database';
import { Inspection } from '../../entities/Inspection';
import { InspectionItem, ItemFigure } from '../../entities/InspectionItem';
import { Project } from '../../entities/Project';
import { ConflictError, ValidationError } from '../../errors';
import type { JobPeriod } from '../../jobs/period';
import { localToUtc, periodFromKey, toDatePeriod } from '../../jobs/period';
import { wallClock } from '../../lib/time';
import { COMPANY, projectScope } from '../../policy/scope';
import type { Indicator, IndicatorService } from '../indicators/indicator.service';
import type { NotificationOutbox } from '../notifications/notification.service';
import { ChecklistLine, projectChecklist } from './checklist';
import { InspectionView, InspectionViews, PERIOD_KEY } from './inspection.views';
import { inspectionsJob } from './inspection.job';

/** The instant `months` calendar months before a local first-of-month instant, in the timezone. */
function monthsBefore(start: Date, months: number, tz: string): Date {
  const z = wallClock(start, tz);
  const t = new Date(Date.UTC(z.y, z.m - 1 - months, 1));
  return localToUtc(t.getUTCFullYear(), t.getUTCMonth() + 1, 1, 0, 0, tz);
}

/**
 * R-INSPECT: creating a period's inspections, by the bimonthly job for every project or by the
 * quality department for one project; each with its checklist and the figures it starts from.
 */
export class InspectionPeriods {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly outbox: NotificationOutbox,
    private readonly config: Config,
    private readonly indicators: IndicatorService,
    private readonly views: InspectionViews,
  ) {}

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
          params: { period: period.key, count: created },
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
            figures: InspectionPeriods.figuresFor(line, figures),
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
    return this.views.view(made);
  }
}
