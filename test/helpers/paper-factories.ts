import crypto from 'node:crypto';
import { ControlledCopy } from '../../src/entities/ControlledCopy';
import { User } from '../../src/entities/User';
import type { PrintRequestInput } from '../../src/features/paper/print-request.service';
import { DEFAULT_PASSWORD, makeDepartment, makeIdNumber, makePhone, makeProject, makeUser, MadeUser } from './factories';
import type { TestApp } from './test-app';

/** Factories of the paper-ledger area: an organisation with supervisors, customers, requests, copies. */
const uid = () => crypto.randomBytes(3).toString('hex');

export const actorOf = (u: { id: number; username: string }) => ({ id: u.id, username: u.username });

/** A user with a given display name (e.g. Chinese, for the printout) and roles. */
export async function makeNamedUser(t: TestApp, displayName: string, roles: Array<[string, string]> = []): Promise<MadeUser> {
  const u = await makeUser(t, { roles });
  await t.ctx.db.manager.getRepository(User).update({ id: u.id }, { displayName });
  return u;
}

export interface PaperOrg {
  dept: string;
  project: string;
  /** project_manager of the project */
  pm: MadeUser;
  /** a second project_manager of the project (second approver, witness) */
  pm2: MadeUser;
  /** dept_head of the project's department */
  head: MadeUser;
  /** staff of the project: the usual requester */
  staff: MadeUser;
  /** info_clerk of the project: may reveal personal fields */
  clerk: MadeUser;
}

/** A department, a project in it, and its people. */
export async function makePaperOrg(t: TestApp): Promise<PaperOrg> {
  const dept = (await makeDepartment(t)).code;
  const project = (await makeProject(t, { departmentCode: dept })).code;
  const P = `project:${project}`;
  const [pm, pm2, head, staff, clerk] = [
    await makeUser(t, { roles: [['project_manager', P]] }),
    await makeUser(t, { roles: [['project_manager', P]] }),
    await makeUser(t, { roles: [['dept_head', `dept:${dept}`]] }),
    await makeNamedUser(t, `張小明${uid()}`, [['staff', P]]),
    await makeNamedUser(t, `李信息${uid()}`, [['info_clerk', P]]),
  ];
  return { dept, project, pm, pm2, head, staff, clerk };
}

/** Customers of a project (created by the bootstrap admin), with a phone and an ID number each. */
export async function makeCustomers(t: TestApp, project: string, n: number, namePrefix = '王'): Promise<Array<{ id: number; phone: string; idNumber: string; name: string }>> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const phone = makePhone();
    const idNumber = makeIdNumber();
    const name = `${namePrefix}${uid()}`;
    const c = await t.ctx.customers.create(actorOf({ id: t.admin.id, username: 'admin' }), project, { name, unit: `${i + 1}棟${100 + i}室`, nationality: 'domestic', phones: [phone], idNumber });
    out.push({ id: c.id, phone, idNumber, name });
  }
  return out;
}

/** A pending print request by `requester` (through the service: the route's permission is not re-checked). */
export async function makePrintRequest(
  t: TestApp,
  requester: { id: number; username: string },
  project: string,
  opts: Partial<Omit<PrintRequestInput, 'project'>> = {},
) {
  const customerIds = opts.customerIds ?? (opts.filter ? undefined : (await makeCustomers(t, project, 2)).map((c) => c.id));
  return t.ctx.printRequests.request(actorOf(requester), {
    project,
    purpose: opts.purpose ?? 'Owner meeting sign-in sheet',
    customerIds,
    filter: opts.filter,
    copies: opts.copies ?? 1,
    usageDays: opts.usageDays ?? 7,
    includePersonal: opts.includePersonal ?? false,
  });
}

/** Copies issued to `requester` by an approval of `approver`: returns the request and its copies. */
export async function makeIssuedCopies(
  t: TestApp,
  requester: { id: number; username: string },
  approver: { id: number; username: string },
  project: string,
  opts: Partial<Omit<PrintRequestInput, 'project'>> & { signed?: boolean } = {},
) {
  const r = await makePrintRequest(t, requester, project, opts);
  await t.ctx.printRequests.approve(actorOf(approver), await t.ctx.printRequests.load(r.id), null);
  let copies = await t.ctx.db.manager.getRepository(ControlledCopy).find({ where: { printRequestId: r.id }, order: { id: 'ASC' } });
  if (opts.signed) {
    for (const c of copies) await t.ctx.copies.sign(actorOf(requester), c);
    copies = await t.ctx.db.manager.getRepository(ControlledCopy).find({ where: { printRequestId: r.id }, order: { id: 'ASC' } });
  }
  return { request: r, copies };
}

/** One copy held by `holder`. */
export async function makeCopy(t: TestApp, holder: { id: number; username: string }, approver: { id: number; username: string }, project: string, opts: { signed?: boolean } = {}) {
  return (await makeIssuedCopies(t, holder, approver, project, { signed: opts.signed })).copies[0];
}

export { DEFAULT_PASSWORD };

/** supertest: collect a binary body (a PDF, an XLSX). */
export function binary(res: NodeJS.ReadableStream & { setEncoding(e: string): void }, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

/**
 * R-NO-PAPER (two-person rule): `actor` records the destruction of the copy naming `witness`, who
 * then confirms it from their own session (through the services). Returns the destroyed copy's view.
 */
export async function witnessedDestruction(
  t: TestApp,
  actor: { id: number; username: string },
  witness: { id: number; username: string },
  serial: string,
  input: { method?: 'shredding' | 'pulping' | 'burning' | 'other'; note?: string; place?: string; destroyedAt?: Date } = {},
) {
  await t.ctx.copies.destroy(actorOf(actor), await t.ctx.copies.loadBySerial(serial), {
    method: input.method ?? 'shredding',
    note: input.note,
    place: input.place ?? 'Service centre shredder room',
    destroyedAt: input.destroyedAt,
    witnessUserId: witness.id,
  });
  return t.ctx.copies.decide(actorOf(witness), await t.ctx.copies.loadBySerial(serial), 'destruction', 'confirmed');
}

/** R-NO-PAPER (two-person rule): the recipient records the return to `keeper`, who confirms receipt. Returns the returned copy's view. */
export async function confirmedReturn(t: TestApp, holder: { id: number; username: string }, keeper: { id: number; username: string }, serial: string, note?: string) {
  await t.ctx.copies.returnCopy(actorOf(holder), await t.ctx.copies.loadBySerial(serial), { keeperUserId: keeper.id, note });
  return t.ctx.copies.decide(actorOf(keeper), await t.ctx.copies.loadBySerial(serial), 'return', 'confirmed');
}
