/*
 * The controlled-copy ledger at scale, for the benches (bench/ledger.ts, bench/console.ts): one
 * project with `rows` copies (1–4 per approved print request; issued, returned, or destroyed with
 * a witness), written straight into print_request / controlled_copy in batches.
 */
import { DataSource } from 'typeorm';
import { AppContext } from '../src/context';
import { ControlledCopy, CopyStatus, DestructionMethod } from '../src/entities/ControlledCopy';
import { PrintRequest } from '../src/entities/PrintRequest';
import { User } from '../src/entities/User';

const BATCH = 250;
export const DAY = 86_400_000;
// The copies are approved between FROM and TO (UTC); the form is asked for exactly that period.
export const FROM = new Date('2025-01-01T00:00:00Z');
export const TO = new Date('2025-07-01T00:00:00Z');
const HOLDERS = 20;
const METHODS: DestructionMethod[] = ['shredding', 'pulping', 'burning', 'other'];

export interface Seeded {
  projectCode: string;
  projectId: number;
  requests: number;
  pmToken: string;
}

export async function seedLedger(ctx: AppContext, ds: DataSource, rows: number): Promise<Seeded> {
  const system = { id: null, username: 'bench' };
  const admin = await ds.manager.getRepository(User).findOneByOrFail({ username: 'admin' });
  const adminActor = { id: admin.id, username: admin.username };
  await ctx.org.createDepartment(system, { code: 'BENCHD', name: 'Bench department' });
  const project = await ctx.org.createProject(system, { code: 'BENCH', name: 'Bench project', departmentCode: 'BENCHD' });
  const P = 'project:BENCH';
  const mk = async (username: string, displayName: string, role: string) => {
    const u = await ctx.users.create(system, { username, displayName, password: 'bench-user-pw-1' }, { signed: true });
    await ctx.access.grant(adminActor, { userId: u.id, role, scope: P });
    return u;
  };
  const pm = await mk('bench.pm', '王經理', 'project_manager');
  const pm2 = await mk('bench.pm2', '趙監銷', 'project_manager');
  const holders = [];
  for (let i = 0; i < HOLDERS; i++) holders.push(await mk(`bench.staff${i}`, `張小明${i}`, 'staff'));

  // Print requests: 1–4 copies each, approved by the project manager, spread evenly over [FROM, TO).
  const reqRepo = ds.manager.getRepository(PrintRequest);
  const copyRepo = ds.manager.getRepository(ControlledCopy);
  const plan: Array<{ copies: number; at: Date; holder: number; usageDays: number; records: number }> = [];
  for (let left = rows, i = 0; left > 0; i++) {
    const copies = Math.min(left, 1 + (i % 4));
    plan.push({ copies, at: new Date(0), holder: holders[i % HOLDERS].id, usageDays: 7 + (i % 24), records: 1 + ((i * 7) % 40) });
    left -= copies;
  }
  const span = TO.getTime() - FROM.getTime() - DAY;
  plan.forEach((p, i) => (p.at = new Date(FROM.getTime() + Math.floor((span * i) / plan.length))));
  for (let i = 0; i < plan.length; i += BATCH) {
    const chunk = plan.slice(i, i + BATCH).map((p, j) =>
      reqRepo.create({
        projectId: project.id,
        purpose: `業主大會簽到表 owner meeting sign-in sheet #${i + j + 1}`,
        customerIds: Array.from({ length: p.records }, (_, k) => 1000 + k),
        filter: null,
        recordIds: Array.from({ length: p.records }, (_, k) => 1000 + k),
        copies: p.copies,
        usageDays: p.usageDays,
        includePersonal: (i + j) % 5 === 0,
        status: 'approved',
        requestedById: p.holder,
        decidedById: pm.id,
        decidedAt: p.at,
        decisionNote: null,
        createdAt: new Date(p.at.getTime() - 3_600_000),
        updatedAt: p.at,
      }),
    );
    await ctx.db.tx((m) => m.getRepository(PrintRequest).insert(chunk));
  }
  // Ids in insertion order (auto-increment, one connection, batches in order).
  const reqIds = (await reqRepo.find({ where: { projectId: project.id }, select: { id: true }, order: { id: 'ASC' } })).map((r) => r.id);
  if (reqIds.length !== plan.length) throw new Error(`seeded ${reqIds.length} print requests, expected ${plan.length}`);

  // Copies, a third each: issued (signed; past its expiry by now, so the form shows it overdue),
  // returned to the second manager, destroyed by the holder before the second manager as witness.
  const serialByMonth = new Map<string, number>();
  const copies: ControlledCopy[] = [];
  plan.forEach((p, i) => {
    for (let n = 1; n <= p.copies; n++) {
      const k = copies.length;
      const yymm = `${String(p.at.getUTCFullYear() % 100).padStart(2, '0')}${String(p.at.getUTCMonth() + 1).padStart(2, '0')}`;
      const seq = (serialByMonth.get(yymm) ?? 0) + 1;
      serialByMonth.set(yymm, seq);
      const status: CopyStatus = (['issued', 'returned', 'destroyed'] as const)[k % 3];
      const signedAt = new Date(p.at.getTime() + 2 * 3_600_000);
      const expiresAt = new Date(p.at.getTime() + p.usageDays * DAY);
      const done = new Date(p.at.getTime() + Math.max(1, p.usageDays - 2) * DAY);
      copies.push(
        copyRepo.create({
          serial: `CC-${yymm}-${String(seq).padStart(5, '0')}`,
          printRequestId: reqIds[i],
          projectId: project.id,
          copyNumber: n,
          copiesTotal: p.copies,
          holderUserId: p.holder,
          status,
          issuedAt: p.at,
          expiresAt,
          signedAt,
          returnedAt: status === 'issued' ? null : done,
          returnedToUserId: status === 'issued' ? null : pm2.id,
          destroyedAt: status === 'destroyed' ? new Date(done.getTime() + 3_600_000) : null,
          destroyedById: status === 'destroyed' ? p.holder : null,
          destructionMethod: status === 'destroyed' ? METHODS[k % METHODS.length] : null,
          destructionNote: status === 'destroyed' && k % 4 === 3 ? '交回總部統一碎紙 handed to HQ shredder' : null,
          witnessUserId: status === 'destroyed' ? pm2.id : null,
          lostAt: null,
          lostReportedById: null,
          incidentId: null,
          createdAt: p.at,
          updatedAt: status === 'issued' ? signedAt : done,
        }),
      );
    }
  });
  for (let i = 0; i < copies.length; i += BATCH) {
    const chunk = copies.slice(i, i + BATCH);
    await ctx.db.tx((m) => m.getRepository(ControlledCopy).insert(chunk));
  }
  const pmUser = await ds.manager.getRepository(User).findOneByOrFail({ id: pm.id });
  return { projectCode: project.code, projectId: project.id, requests: plan.length, pmToken: ctx.tokens.issue(pm.id, pmUser.tokenVersion) };
}

