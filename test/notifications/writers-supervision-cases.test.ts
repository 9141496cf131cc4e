import { Notification } from '../../src/entities/Notification';
import { NotificationDelivery } from '../../src/entities/NotificationDelivery';
import { NotificationRobot } from '../../src/entities/NotificationRobot';
import { casesChaseJob } from '../../src/features/cases/case.job';
import { periodFromKey } from '../../src/jobs/period';
import { setCaseTimes } from '../helpers/case-factories';
import { makeDepartment, makeIdNumber, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * Issue 13, R-CASE-CONFIDENTIAL: the complaint procedure writes a message at each step that waits
 * on someone (registered, responsible department assigned, decided, near its deadline, overdue:
 * 催辦單), to the people who answer for the case, with the link to the case; and no message ever
 * carries the customer (name, phone, ID number, unit), even when the case's free text quotes them.
 */
describe('issue 13: the writers of complaint cases', () => {
  let t: TestApp;
  let dept: string;
  let project: string;
  let staff: MadeUser;
  let pm: MadeUser;
  let head: MadeUser;
  let gm: MadeUser;
  let customerId: number;
  const NAME = '歐陽翠萍';
  const UNIT = '翠湖苑九座三三零一室';
  const PHONE = makePhone();
  const ID_NUMBER = makeIdNumber();

  beforeAll(async () => {
    t = await startTestApp();
    const d = await makeDepartment(t);
    const p = await makeProject(t, { departmentCode: d.code });
    dept = d.code;
    project = p.code;
    [staff, pm, head, gm] = await Promise.all([
      makeUser(t, { roles: [['staff', `project:${project}`]] }),
      makeUser(t, { roles: [['project_manager', `project:${project}`]] }),
      makeUser(t, { roles: [['dept_head', `dept:${dept}`]] }),
      makeUser(t, { roles: [['general_manager', '*']] }),
    ]);
    const c = await t.ctx.customers.create({ id: t.admin.id, username: t.admin.username }, project, { name: NAME, unit: UNIT, nationality: 'domestic', phones: [PHONE], idNumber: ID_NUMBER });
    customerId = c.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const m = () => t.ctx.db.manager;
  const post = (path: string, u: { auth: string }, body: object = {}) => t.http().post(path).set('Authorization', u.auth).send(body);
  const byId = (a: number, b: number) => a - b;
  const notes = (kind: string, caseId: number) => m().getRepository(Notification).find({ where: { kind, objectType: 'case', objectId: String(caseId) }, order: { id: 'ASC' } });
  const paramsOf = (n: Notification) => JSON.parse(n.params ?? 'null') as Record<string, string | number>;
  async function expectSent(kind: string, caseId: number, recipients: number[]): Promise<Notification[]> {
    const rows = await notes(kind, caseId);
    expect(rows.map((n) => n.recipientId).sort(byId)).toEqual([...recipients].sort(byId));
    for (const n of rows) expect(n.link).toBe(`/cases/${caseId}`);
    return rows;
  }
  /** Registered through the API, its request and notes quoting the customer as real ones do. */
  async function register(): Promise<{ id: number; caseNo: string }> {
    const res = await post('/api/v1/cases', staff, {
      project,
      customerId,
      channel: 'phone',
      type: 'quality_complaint',
      request: `${NAME}（${PHONE}，${UNIT}，身份證 ${ID_NUMBER}）要求更換浴室破裂的瓷磚`,
      notes: `回電 ${PHONE}`,
    });
    expect(res.status).toBe(201);
    return { id: res.body.id, caseNo: res.body.caseNo };
  }

  /** R-CASE-CONFIDENTIAL: no message row of the cases carries the customer, in subject, body, params, link or key. */
  async function expectNoCustomerIn(caseIds: number[], kinds: string[]): Promise<void> {
    const rows = await m().getRepository(Notification).find({ where: caseIds.map((id) => ({ objectType: 'case', objectId: String(id) })) });
    expect(new Set(rows.map((n) => n.kind))).toEqual(new Set(kinds));
    for (const n of rows) {
      const text = JSON.stringify([n.subject, n.body, n.params, n.link, n.dedupeKey]);
      for (const secret of [NAME, UNIT, PHONE, ID_NUMBER, '瓷磚', '釉面']) expect(text).not.toContain(secret);
    }
  }

  test('issue 13 R-CASE-DEADLINE: registered → the project manager; department assigned → its head; decided (returned, then approved) → the head and the proposer, once per decision', async () => {
    const c = await register();
    const [registered] = await expectSent('case.registered', c.id, [pm.id]);
    expect(registered.scope).toBe(`project:${project}`);
    expect(paramsOf(registered)).toEqual({ caseId: c.id, caseNo: c.caseNo, project, dueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(registered.subject).toContain(c.caseNo);

    const base = `/api/v1/cases/${c.id}`;
    expect((await post(`${base}/investigate`, pm, { department: dept, cause: 'quality', findings: `${NAME} 的瓷磚批次 7 釉面缺陷` })).status).toBe(200);
    await expectSent('case.assigned', c.id, [head.id]);
    expect((await post(`${base}/propose`, pm, { proposal: 'discount', amount: 100, note: `致電 ${PHONE}` })).status).toBe(200);
    expect((await post(`${base}/decide`, gm, { approve: false, note: `${NAME} 已獲另一補償` })).status).toBe(200);
    const returned = await expectSent('case.decided', c.id, [head.id, pm.id]);
    expect(returned.map((n) => paramsOf(n).outcome)).toEqual(['returned', 'returned']);
    expect((await post(`${base}/propose`, pm, { proposal: 'discount', amount: 100 })).status).toBe(200);
    expect((await post(`${base}/decide`, gm, { approve: true })).status).toBe(200);
    const decided = await notes('case.decided', c.id);
    expect(decided.filter((n) => paramsOf(n).outcome === 'approved').map((n) => n.recipientId).sort(byId)).toEqual([head.id, pm.id].sort(byId));
    expect(decided).toHaveLength(4);
    // Nothing for the steps that wait on nobody new.
    expect((await post(`${base}/communicate`, pm, { result: `已告知 ${NAME}` })).status).toBe(200);
    expect(await notes('case.decided', c.id)).toHaveLength(4);
    await expectNoCustomerIn([c.id], ['case.registered', 'case.assigned', 'case.decided']);
  });

  test('issue 13 R-CASE-CHASE R-CASE-DEADLINE: the daily job: near its deadline → once; overdue → a 催辦單 a day, to the head of the responsible department (or the project manager before one)', async () => {
    const now = new Date();
    await m().getRepository(NotificationRobot).insert({ name: 'Dept group', platform: 'dingtalk', scope: `dept:${dept}`, webhookUrl: 'x', secret: null, kinds: '["case.chase"]', language: 'en', enabled: true, createdAt: now, updatedAt: now });
    const robot = await m().getRepository(NotificationRobot).findOneByOrFail({ scope: `dept:${dept}` });
    const period = periodFromKey(casesChaseJob, '2027-03-10', t.ctx.config.timezone)!;
    const day = 86_400_000;
    const soon = await register();
    await setCaseTimes(t, soon.id, { dueDate: '2027-03-12', dueAt: new Date(period.dueAt.getTime() + 2 * day) });
    const later = await register();
    await setCaseTimes(t, later.id, { dueDate: '2027-03-20', dueAt: new Date(period.dueAt.getTime() + 10 * day) });
    const overdue = await register();
    await post(`/api/v1/cases/${overdue.id}/investigate`, pm, { department: dept, cause: 'non_quality' });
    await setCaseTimes(t, overdue.id, { dueDate: '2027-03-08', dueAt: new Date(period.dueAt.getTime() - day) });

    const job = t.ctx.jobs.find(casesChaseJob.name);
    expect(await job.run(period)).toMatchObject({ dueSoon: expect.any(Number), dueSoonReminders: expect.any(Number) });
    await job.run(period);
    await job.run(periodFromKey(casesChaseJob, '2027-03-11', t.ctx.config.timezone)!);
    // Near the deadline: the project manager (no department yet), once whatever the reruns and days.
    const [dueSoon] = await expectSent('case.due_soon', soon.id, [pm.id]);
    expect(paramsOf(dueSoon)).toEqual({ caseId: soon.id, caseNo: soon.caseNo, project, dueDate: '2027-03-12', status: 'registered' });
    expect(await notes('case.due_soon', later.id)).toHaveLength(0);
    // Overdue: the responsible department's head, one 催辦單 per day.
    const chased = await notes('case.chase', overdue.id);
    expect(chased.map((n) => n.recipientId)).toEqual([head.id, head.id]);
    expect(chased.map((n) => n.dedupeKey)).toEqual([`case.chase:${overdue.caseNo}:2027-03-10:user:${head.id}`, `case.chase:${overdue.caseNo}:2027-03-11:user:${head.id}`]);
    expect(chased[0].subject).toBe(`催辦單：客訴案件 ${overdue.caseNo} 已逾期`);
    expect(chased[0].link).toBe(`/cases/${overdue.id}`);
    expect(await notes('case.due_soon', overdue.id)).toHaveLength(0);
    // The department's robot, which takes only 催辦單, gets one per case and day.
    const robotRows = await m().getRepository(NotificationDelivery).findBy({ target: `robot:${robot.id}` });
    expect(robotRows.filter((d) => chased.some((n) => n.id === d.notificationId))).toHaveLength(2);
    const kinds = await m().getRepository(Notification).find({ where: robotRows.map((d) => ({ id: d.notificationId })) });
    expect(new Set(kinds.map((n) => n.kind))).toEqual(new Set(['case.chase']));
    await expectNoCustomerIn([soon.id, later.id, overdue.id], ['case.registered', 'case.assigned', 'case.due_soon', 'case.chase']);
  });
});
