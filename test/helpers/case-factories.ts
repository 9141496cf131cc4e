import { ComplaintCase, CaseStatus } from '../../src/entities/ComplaintCase';
import type { CaseView } from '../../src/features/cases/case.views';
import type { CaseIntake } from '../../src/features/cases/case.service';
import { makeDepartment, makePhone, makeProject, makeUser, MadeUser } from './factories';
import type { TestApp } from './test-app';

/** Test data for complaint cases: an organisation with the case roles, customers, cases in any state. */

type Actor = { id: number; username: string };
const actorOf = (u: MadeUser | Actor): Actor => ({ id: u.id, username: u.username });

/** A customer of the project (created by the bootstrap admin), domestic unless said otherwise. */
export async function makeCustomer(t: TestApp, project: string, opts: { nationality?: 'domestic' | 'foreign'; name?: string } = {}) {
  return t.ctx.customers.create({ id: t.admin.id, username: t.admin.username }, project, {
    name: opts.name ?? '陳大文',
    unit: '3棟1204室',
    nationality: opts.nationality ?? 'domestic',
    phones: [makePhone()],
  });
}

export interface CaseOrg {
  dept: string;
  project: string;
  /** A staff member of the project: registers cases (case:create). */
  staff: MadeUser;
  /** The project manager (case:handle, decides up to 500). */
  pm: MadeUser;
  /** The head of the project's department (case:handle, decides up to 5000). */
  head: MadeUser;
  /** The general manager (decides any amount). */
  gm: MadeUser;
  customerId: number;
}

/** A department, a project in it, the case roles held there, and one customer. */
export async function makeCaseOrg(t: TestApp, opts: { nationality?: 'domestic' | 'foreign' } = {}): Promise<CaseOrg> {
  const d = await makeDepartment(t);
  const p = await makeProject(t, { departmentCode: d.code });
  const [staff, pm, head, gm] = await Promise.all([
    makeUser(t, { roles: [['staff', `project:${p.code}`]] }),
    makeUser(t, { roles: [['project_manager', `project:${p.code}`]] }),
    makeUser(t, { roles: [['dept_head', `dept:${d.code}`]] }),
    makeUser(t, { roles: [['general_manager', '*']] }),
  ]);
  const customer = await makeCustomer(t, p.code, opts);
  return { dept: d.code, project: p.code, staff, pm, head, gm, customerId: customer.id };
}

export function intake(project: string, customerId: number, extra: Partial<CaseIntake> = {}): CaseIntake {
  return {
    project,
    customerId,
    channel: 'phone',
    type: 'quality_complaint',
    request: 'Replace the cracked tiles in the bathroom',
    items: [{ product: 'Floor tile 60x60', orderNo: 'SO-2026-0042', quantity: 40, defectiveQuantity: 6 }],
    ...extra,
  };
}

/** Registers a case through the service (the caller's permission is the route's business, not tested here). */
export async function registerCase(t: TestApp, by: MadeUser | Actor, project: string, customerId: number, extra: Partial<CaseIntake> = {}): Promise<CaseView> {
  return t.ctx.cases.register(actorOf(by), intake(project, customerId, extra));
}

const ORDER: CaseStatus[] = ['registered', 'investigating', 'proposed', 'decided', 'communicated', 'closed'];

/**
 * Takes a case through the workflow up to `to` with the org's people: the project manager
 * investigates (department = the org's), proposes (a discount of `amount`, default 100) and
 * closes; the general manager decides.
 */
export async function advanceCase(
  t: TestApp,
  org: { dept: string; pm: Actor; gm: Actor },
  id: number,
  to: CaseStatus,
  opts: { amount?: number; responsibleUserIds?: number[] } = {},
): Promise<CaseView> {
  let c = await t.ctx.cases.view(await t.ctx.cases.load(id));
  const pm = actorOf(org.pm);
  while (ORDER.indexOf(c.status) < ORDER.indexOf(to)) {
    switch (c.status) {
      case 'registered':
        c = await t.ctx.cases.investigate(pm, id, { department: org.dept, cause: 'quality', findings: 'Batch 7 glaze defect', responsibleUserIds: opts.responsibleUserIds ?? [] });
        break;
      case 'investigating':
        c = await t.ctx.cases.propose(pm, id, { proposal: 'discount', amount: opts.amount ?? 100 });
        break;
      case 'proposed':
        c = await t.ctx.cases.decide(actorOf(org.gm), id, { approve: true });
        break;
      case 'decided':
        c = await t.ctx.cases.communicate(pm, id, { result: 'Told the customer by phone: 100 yuan discount on the next invoice' });
        break;
      case 'communicated':
        c = await t.ctx.cases.close(pm, id, {});
        break;
      default:
        throw new Error(`cannot advance from ${c.status}`);
    }
  }
  return c;
}

/** Sets a case's timestamps directly (where the workflow would need real days to pass). */
export async function setCaseTimes(t: TestApp, id: number, times: Partial<Pick<ComplaintCase, 'acceptedAt' | 'dueAt' | 'dueDate' | 'closedAt' | 'late'>>): Promise<void> {
  await t.ctx.db.manager.getRepository(ComplaintCase).update({ id }, times);
}

/** Makes an open case overdue: due yesterday (its acceptance 16 days ago). */
export async function makeOverdue(t: TestApp, id: number, now = new Date()): Promise<void> {
  const day = 86_400_000;
  await setCaseTimes(t, id, { acceptedAt: new Date(now.getTime() - 16 * day), dueAt: new Date(now.getTime() - day), dueDate: new Date(now.getTime() - 2 * day).toISOString().slice(0, 10) });
}
