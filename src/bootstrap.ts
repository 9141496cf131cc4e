import { AuditActor, SYSTEM_ACTOR } from './audit/audit-writer';
import type { AppContext } from './context';
import { User } from './entities/User';
import { randomPassword } from './features/auth/passwords';
import { readBaselinePolicy } from './policy/policy-files';
import { verifyKeys } from './crypto/key-check';

export const BOOTSTRAP_ADMIN = 'admin';

/**
 * First start against an empty database: migrations, the baseline policy from policies/, and
 * one IT admin. Each step checks what is there, so a later start changes nothing.
 */
export async function bootstrap(ctx: AppContext, opts: { print?: (line: string) => void } = {}): Promise<void> {
  const print = opts.print ?? ((l: string) => process.stdout.write(l + '\n'));
  await ctx.db.ds.runMigrations({ transaction: 'each' });
  await verifyKeys(ctx.db, ctx.keyring);
  // Imports a stopped process left queued/running never committed: mark them interrupted now,
  // and look again every minute: a killed import's rollback may still be running (issue 11).
  // The sweep stops on shutdown (ctx.imports.close) or when the data source is closed.
  await ctx.imports.recoverInterrupted();
  ctx.imports.startSweeping();
  // Handover files: the store must be usable (else a clear refusal to start), then interrupted destructions are finished (R-HANDOVER-DESTROY).
  await ctx.handover.startUp();

  await ctx.db.tx(async (m) => {
    if ((await ctx.policyStore.countLines(m)) > 0) return;
    const lines = readBaselinePolicy().map(([role, scope, object, action, effect]) => ({ role, scope, object, action, effect }));
    await ctx.policyStore.addLines(m, lines);
    await ctx.policyStore.bumpVersion(m);
    await ctx.audit.append(m, SYSTEM_ACTOR, { action: 'policy.baseline_loaded', objectType: 'policy', reason: `${lines.length} lines from policies/policy.csv` });
  });
  await ctx.policy.reload();

  const existing = await ctx.db.manager.getRepository(User).findOneBy({ username: BOOTSTRAP_ADMIN });
  if (existing) return;
  if (ctx.config.nodeEnv === 'production' && !ctx.config.bootstrapAdminPassword) {
    throw new Error('Refusing to create the bootstrap admin in production without BOOTSTRAP_ADMIN_PASSWORD');
  }
  const password = ctx.config.bootstrapAdminPassword ?? randomPassword();
  const system: AuditActor = SYSTEM_ACTOR;
  const admin = await ctx.users.create(system, { username: BOOTSTRAP_ADMIN, displayName: 'Bootstrap IT admin', password });
  await ctx.db.tx(async (m) => {
    await ctx.policyStore.addAssignment(m, admin.id, 'it_admin', '*');
    await ctx.policyStore.bumpVersion(m);
    await ctx.audit.append(m, system, {
      action: 'role.granted',
      objectType: 'user',
      objectId: admin.id,
      scope: '*',
      before: { assignments: [] },
      after: { assignments: [{ role: 'it_admin', scope: '*' }] },
      reason: 'bootstrap',
    });
  });
  await ctx.policy.reload();
  if (!ctx.config.bootstrapAdminPassword) {
    print(`Bootstrap IT admin created: username "${BOOTSTRAP_ADMIN}", password "${password}" (shown once; sign the agreement at first login).`);
  } else {
    print(`Bootstrap IT admin "${BOOTSTRAP_ADMIN}" created with the password from BOOTSTRAP_ADMIN_PASSWORD.`);
  }
}
