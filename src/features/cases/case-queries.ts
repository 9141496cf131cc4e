import { EntityManager, FindOptionsWhere, In, LessThanOrEqual, MoreThan, Not } from 'typeorm';
import { Database } from '../../db/database';
import { CaseEvent } from '../../entities/CaseEvent';
import { CASE_STATUSES, CaseStatus, ComplaintCase } from '../../entities/ComplaintCase';
import { Customer } from '../../entities/Customer';
import { Department } from '../../entities/Department';
import { Project } from '../../entities/Project';
import { User } from '../../entities/User';
import { NotFoundError } from '../../errors';
import { CustomerService } from '../customers/customer.service';
import { CaseAccess } from './case-access';
import { CASE_SORTS, CaseSort } from './case.schemas';
import { CaseHistoryEntry, CaseListFilter, CaseView, redacted, toCaseView } from './case.views';
import { deadlineFor } from './deadlines';

/**
 * What each ?sort= orders by: the case number (YYMM-NNN, unique index; its text order is its
 * numbering order), the registration time (acceptedAt), the deadline (dueAt, the instant of the
 * due date the desk shows), and the status ranked in its workflow order: MariaDB sorts an ENUM
 * by its declared order and SQLite the text alphabetically, so a CASE gives both the same.
 */
const CASE_SORT: Record<(typeof CASE_SORTS)[number], string> = {
  caseNo: 'c.caseNo',
  registeredAt: 'c.acceptedAt',
  deadline: 'c.dueAt',
  status: `CASE c.status ${CASE_STATUSES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`,
};

/**
 * The read side of complaint cases: views (with the customer masked and free text redacted,
 * R-CASE-CONFIDENTIAL), single-case history, and listings by project, department or company.
 * Every read goes through the manager it is given (a transaction's `m` inside one). Used by
 * CaseService only.
 */
export class CaseQueries {
  constructor(
    private readonly db: Database,
    private readonly access: CaseAccess,
    private readonly customers: CustomerService,
    private readonly tz: string,
  ) {}

  async views(cases: ComplaintCase[], opts: { history?: boolean } = {}, m: EntityManager = this.db.manager): Promise<CaseView[]> {
    if (!cases.length) return [];
    const ids = (xs: Array<number | null>) => [...new Set(xs.filter((x): x is number => x !== null))];
    const customerIds = ids(cases.map((c) => c.customerId));
    const deptIds = ids(cases.map((c) => c.departmentId));
    const linkIds = ids(cases.flatMap((c) => [c.reopenedFromId, c.reopenedToId]));
    const [customers, depts, links] = await Promise.all([
      m.getRepository(Customer).findBy({ id: In(customerIds) }),
      deptIds.length ? m.getRepository(Department).findBy({ id: In(deptIds) }) : [],
      linkIds.length ? m.getRepository(ComplaintCase).find({ where: { id: In(linkIds) }, select: { id: true, caseNo: true } }) : [],
    ]);
    const customerById = new Map(customers.map((c) => [c.id, c]));
    const deptCode = new Map(depts.map((d) => [d.id, d.code]));
    const caseNo = new Map(links.map((l) => [l.id, l.caseNo]));
    const link = (id: number | null) => (id === null ? null : { id, caseNo: caseNo.get(id) ?? String(id) });
    let history = new Map<number, CaseHistoryEntry[]>();
    if (opts.history) history = await this.histories(m, cases.map((c) => c.id));
    const now = new Date();
    return Promise.all(
      cases.map(async (c) => {
        const customer = customerById.get(c.customerId);
        const view = toCaseView(c, {
          project: (await this.access.scopeOf(c, m)).slice('project:'.length),
          customer: customer ? this.customers.maskedView(customer) : null,
          deadlineDays: deadlineFor(c.acceptedAt, c.nationality, this.tz).days,
          department: c.departmentId === null ? null : (deptCode.get(c.departmentId) ?? null),
          link,
          now,
        });
        if (opts.history) view.history = history.get(c.id) ?? [];
        return view;
      }),
    );
  }

  async view(c: ComplaintCase, m: EntityManager = this.db.manager): Promise<CaseView> {
    return (await this.views([c], { history: true }, m))[0];
  }

  private async histories(m: EntityManager, caseIds: number[]): Promise<Map<number, CaseHistoryEntry[]>> {
    const events = await m.getRepository(CaseEvent).find({ where: { caseId: In(caseIds) }, order: { id: 'ASC' } });
    const userIds = [...new Set(events.map((e) => e.actorId).filter((x): x is number => x !== null))];
    const users = userIds.length ? await m.getRepository(User).find({ where: { id: In(userIds) }, select: { id: true, username: true } }) : [];
    const username = new Map(users.map((u) => [u.id, u.username]));
    const out = new Map<number, CaseHistoryEntry[]>();
    for (const e of events) {
      const list = out.get(e.caseId) ?? [];
      list.push({ step: e.step, at: e.at, byUserId: e.actorId, byUsername: e.actorId === null ? null : (username.get(e.actorId) ?? null), note: redacted(e.note) });
      out.set(e.caseId, list);
    }
    return out;
  }

  async list(f: CaseListFilter & CaseSort): Promise<{ items: CaseView[]; total: number }> {
    const m = this.db.manager;
    // Where the cases are: one project; a department's projects and the cases assigned to the
    // department as the responsible one (it is chased for them, R-CASE-CHASE); or the company.
    let where0: FindOptionsWhere<ComplaintCase>[] = [{}];
    if (f.project !== undefined) {
      const p = await m.getRepository(Project).findOneBy({ code: f.project });
      if (!p) throw new NotFoundError('Project', f.project);
      where0 = [{ projectId: In([p.id]) }];
    } else if (f.department !== undefined) {
      const d = await m.getRepository(Department).findOneBy({ code: f.department });
      if (!d) throw new NotFoundError('Department', f.department);
      const projectIds = (await m.getRepository(Project).find({ where: { departmentId: d.id }, select: { id: true } })).map((p) => p.id);
      where0 = [...(projectIds.length ? [{ projectId: In(projectIds) }] : []), { departmentId: d.id }];
    }
    if (f.overdue === true && f.status === 'closed') return { items: [], total: 0 };
    const now = new Date();
    const customer = f.customerId !== undefined ? { customerId: f.customerId } : {};
    // overdue: open and past due; not overdue: closed, or open and not yet due.
    const states =
      f.overdue === true
        ? [{ status: f.status ?? Not('closed' as CaseStatus), dueAt: LessThanOrEqual(now) }]
        : f.overdue === false
          ? [
              ...(f.status === undefined || f.status === 'closed' ? [{ status: 'closed' as CaseStatus }] : []),
              ...(f.status !== 'closed' ? [{ status: f.status ?? Not('closed' as CaseStatus), dueAt: MoreThan(now) }] : []),
            ]
          : [f.status ? { status: f.status } : {}];
    const where: FindOptionsWhere<ComplaintCase>[] = where0.flatMap((w) => states.map((st) => ({ ...w, ...customer, ...st })));
    // Sorted in the query, id breaking ties in the same direction so that pages neither repeat nor
    // skip a row; without ?sort= the newest first, as always.
    const qb = m.getRepository(ComplaintCase).createQueryBuilder('c').setFindOptions({ where, take: f.limit, skip: f.offset });
    const dir = f.order === 'desc' ? 'DESC' : 'ASC';
    if (f.sort) qb.orderBy(CASE_SORT[f.sort], dir).addOrderBy('c.id', dir);
    else qb.orderBy('c.id', 'DESC');
    const [rows, total] = await qb.getManyAndCount();
    return { items: await this.views(rows), total };
  }
}
