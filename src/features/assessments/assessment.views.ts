import { EntityManager, In } from 'typeorm';
import type { Acting } from '../../api/route';
import { Database, forUpdate } from '../../db/database';
import { Department } from '../../entities/Department';
import { AssessmentStatus, IndicatorSnapshot, RiskAssessment } from '../../entities/RiskAssessment';
import { RiskItem, RiskLevel } from '../../entities/RiskItem';
import { User } from '../../entities/User';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { Authorizer } from '../../policy/authorizer';
import { COMPANY, deptScope } from '../../policy/scope';
import type { RectificationService } from '../rectifications/rectification.service';
import type { RectificationView } from '../rectifications/rectification.views';
import { riskMatrix } from './risk-level';

/**
 * R-RISK-MONTHLY (§5.3.1, §7): what the assessment routes return (the types) and how an
 * assessment is read: one in full, the lists, and the locked read every command starts from.
 * Inside a transaction every read takes that transaction's manager.
 */

export interface RiskItemView {
  id: number;
  description: string;
  likelihood: number;
  impact: number;
  score: number;
  level: RiskLevel;
  createdById: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface AssessmentSummary {
  id: number;
  department: string;
  departmentName: string;
  period: string;
  status: AssessmentStatus;
  itemCount: number;
  submittedAt: Date | null;
  reviewedAt: Date | null;
  createdAt: Date;
}

export interface AssessmentView {
  id: number;
  department: string;
  departmentName: string;
  period: string;
  status: AssessmentStatus;
  /** The computed indicators at creation (or the last refresh), as of `indicatorsAsOf`. */
  indicators: IndicatorSnapshot[];
  indicatorsAsOf: Date;
  items: RiskItemView[];
  /** Counts of risk items per cell: matrix[likelihood - 1][impact - 1]. */
  matrix: number[][];
  levelCounts: Record<RiskLevel, number>;
  rectifications: RectificationView[];
  submittedById: number | null;
  submittedBy: string | null;
  submittedAt: Date | null;
  reviewedById: number | null;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  reviewComment: string | null;
  returnedById: number | null;
  returnedBy: string | null;
  returnedAt: Date | null;
  returnReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RiskItemInput {
  description: string;
  likelihood: number;
  impact: number;
}

export interface AssessmentFilter {
  department?: string;
  period?: string;
  status?: AssessmentStatus;
  limit: number;
  offset: number;
}

const READ = { object: 'risk_assessment', action: 'read' };

export const itemView = (i: RiskItem): RiskItemView => ({
  id: i.id,
  description: i.description,
  likelihood: i.likelihood,
  impact: i.impact,
  score: i.score,
  level: i.level,
  createdById: i.createdById,
  createdAt: i.createdAt,
  updatedAt: i.updatedAt,
});

/** The indicator snapshot as the audit trail records it: key → value. */
export const indicatorValues = (list: IndicatorSnapshot[]) => Object.fromEntries(list.map((i) => [i.key, i.value]));

/** The status an edit needs: 409 assessment_not_draft / assessment_not_submitted otherwise. */
export function requireStatus(a: RiskAssessment, status: AssessmentStatus, what: string): void {
  if (a.status === status) return;
  if (status === 'draft') {
    throw new ConflictError('assessment_not_draft', `Risk assessment ${a.id} is ${a.status}: ${what} only while it is a draft`);
  }
  throw new ConflictError('assessment_not_submitted', `Risk assessment ${a.id} is ${a.status}: ${what} only once it is submitted`);
}

/** Reading risk assessments (R-RISK-MONTHLY): every method here only reads. */
export class AssessmentViews {
  constructor(
    private readonly db: Database,
    private readonly authz: Authorizer,
    private readonly rectifications: RectificationService,
  ) {}

  async load(id: number, m: EntityManager = this.db.manager): Promise<RiskAssessment> {
    const a = await m.getRepository(RiskAssessment).findOneBy({ id });
    if (!a) throw new NotFoundError('Risk assessment', id);
    return a;
  }

  async department(m: EntityManager, id: number): Promise<Department> {
    const d = await m.getRepository(Department).findOneBy({ id });
    if (!d) throw new NotFoundError('Department of risk assessment', id);
    return d;
  }

  /** dept:<code> of an assessment; 404 if it does not exist. */
  async scopeOf(a: RiskAssessment): Promise<string> {
    return deptScope((await this.department(this.db.manager, a.departmentId)).code);
  }

  /** The assessment, locked for the rest of the transaction, with its scope (dept:<code>). */
  async lock(m: EntityManager, id: number): Promise<{ a: RiskAssessment; scope: string }> {
    const a = await m.getRepository(RiskAssessment).findOne({ where: { id }, ...forUpdate(this.db.mysql) });
    if (!a) throw new NotFoundError('Risk assessment', id);
    return { a, scope: deptScope((await this.department(m, a.departmentId)).code) };
  }

  async view(id: number, m: EntityManager = this.db.manager): Promise<AssessmentView> {
    const a = await this.load(id, m);
    const [d, items, rectifications] = await Promise.all([
      this.department(m, a.departmentId),
      m.getRepository(RiskItem).find({ where: { assessmentId: id }, order: { id: 'ASC' } }),
      this.rectifications.listFor('risk_assessment', id, m),
    ]);
    const userIds = [a.submittedById, a.reviewedById, a.returnedById].filter((x): x is number => x !== null);
    const users = userIds.length ? await m.getRepository(User).findBy({ id: In(userIds) }) : [];
    const name = (uid: number | null) => (uid === null ? null : (users.find((u) => u.id === uid)?.username ?? null));
    const levelCounts: Record<RiskLevel, number> = { low: 0, medium: 0, high: 0, critical: 0 };
    for (const i of items) levelCounts[i.level]++;
    return {
      id: a.id,
      department: d.code,
      departmentName: d.name,
      period: a.period,
      status: a.status,
      indicators: a.indicators,
      indicatorsAsOf: a.indicatorsAsOf,
      items: items.map(itemView),
      matrix: riskMatrix(items),
      levelCounts,
      rectifications,
      submittedById: a.submittedById,
      submittedBy: name(a.submittedById),
      submittedAt: a.submittedAt,
      reviewedById: a.reviewedById,
      reviewedBy: name(a.reviewedById),
      reviewedAt: a.reviewedAt,
      reviewComment: a.reviewComment,
      returnedById: a.returnedById,
      returnedBy: name(a.returnedById),
      returnedAt: a.returnedAt,
      returnReason: a.returnReason,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    };
  }

  /**
   * The assessments the caller may read: every department's for a company-wide reader (quality
   * department, general manager, auditors), the departments where they hold risk_assessment:read
   * otherwise (department heads). Naming a department they may not read is a 403 (audited).
   */
  async list(actor: Acting, filter: AssessmentFilter): Promise<{ items: AssessmentSummary[]; total: number }> {
    const m = this.db.manager;
    let departmentIds: number[] | null = null;
    if (filter.department !== undefined) {
      const d = await m.getRepository(Department).findOneBy({ code: filter.department });
      if (!d) throw new ValidationError('Unknown department', [{ path: 'query.department', message: `department ${filter.department} does not exist` }]);
      await this.authz.require(actor, deptScope(d.code), READ);
      departmentIds = [d.id];
    } else if (!this.authz.decide(actor.id, COMPANY, READ).allowed) {
      const all = await m.getRepository(Department).find({ select: { id: true, code: true } });
      departmentIds = all.filter((d) => this.authz.decide(actor.id, deptScope(d.code), READ).allowed).map((d) => d.id);
    }
    if (departmentIds !== null && departmentIds.length === 0) return { items: [], total: 0 };
    const [rows, total] = await m.getRepository(RiskAssessment).findAndCount({
      where: {
        ...(departmentIds !== null ? { departmentId: In(departmentIds) } : {}),
        ...(filter.period !== undefined ? { period: filter.period } : {}),
        ...(filter.status !== undefined ? { status: filter.status } : {}),
      },
      order: { period: 'DESC', departmentId: 'ASC', id: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
    const ids = rows.map((r) => r.id);
    const deptIds = [...new Set(rows.map((r) => r.departmentId))];
    const [depts, counts] = await Promise.all([
      deptIds.length ? m.getRepository(Department).findBy({ id: In(deptIds) }) : [],
      ids.length
        ? m
            .getRepository(RiskItem)
            .createQueryBuilder('i')
            .select('i.assessmentId', 'assessmentId')
            .addSelect('COUNT(*)', 'n')
            .where('i.assessmentId IN (:...ids)', { ids })
            .groupBy('i.assessmentId')
            .getRawMany<{ assessmentId: number; n: string | number }>()
        : [],
    ]);
    const dept = new Map(depts.map((d) => [d.id, d]));
    const count = new Map(counts.map((c) => [Number(c.assessmentId), Number(c.n)]));
    return {
      items: rows.map((r) => ({
        id: r.id,
        department: dept.get(r.departmentId)?.code ?? '',
        departmentName: dept.get(r.departmentId)?.name ?? '',
        period: r.period,
        status: r.status,
        itemCount: count.get(r.id) ?? 0,
        submittedAt: r.submittedAt,
        reviewedAt: r.reviewedAt,
        createdAt: r.createdAt,
      })),
      total,
    };
  }
}
