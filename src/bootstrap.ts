import { AuditActor, SYSTEM_ACTOR } from './audit/audit-writer';
import type { AppContext } from './context';
import { User } from './entities/User';
import { randomPassword } from './crypto/passwords';
import { baselineReleases, PolicyLine, readBaselineLines } from './policy/policy-files';
import { verifyKeys } from './crypto/key-check';
import { CLUSTER_RETRY } from './db/database';
import { isGaleraNode, readCausally } from './db/galera';

export const BOOTSTRAP_ADMIN = 'admin';

/**
 * First start against an empty database: migrations, the baseline policy from policies/, and
 * one IT admin. Each step checks what is there, so a later start changes nothing.
 */
export async function bootstrap(ctx: AppContext, opts: { print?: (line: string) => void } = {}): Promise<void> {
  const print = opts.print ?? ((l: string) => process.stdout.write(l + '\n'));
  // Issue 16: on a Galera node, reads wait for the cluster's earlier writes (a logout through
  // another node holds here too), and audit entries go through this instance's own journal.
  const galera = await isGaleraNode(ctx.db.ds);
  if (galera) {
    readCausally(ctx.db.ds);
    ctx.db.retry = { ...CLUSTER_RETRY };
  }
  await ctx.db.ds.runMigrations({ transaction: 'each' });
  const chain = ctx.config.auditChain === 'auto' ? (galera ? 'journal' : 'direct') : ctx.config.auditChain;
  if (chain === 'journal') await ctx.auditSealer.install(ctx.audit);
  await verifyKeys(ctx.db, ctx.keyring);
  // R-AUDIT (issue 14 §1): the public key beside the digests it verifies; an unwritable digest
  // directory stops the start here rather than losing the first digest later.
  ctx.auditDigests.publishKey();
  // Imports a stopped process left queued/running never committed: mark them interrupted now,
  // and look again every minute: a killed import's rollback may still be running (issue 11).
  // The sweep stops on shutdown (ctx.imports.close) or when the data source is closed.
  await ctx.imports.recoverInterrupted();
  ctx.imports.startSweeping();
  // Handover files: the store must be usable (else a clear refusal to start), then interrupted destructions are finished (R-HANDOVER-DESTROY).
  await ctx.handover.startUp();

  await loadBaselinePolicy(ctx);
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

const asStored = ([role, scope, object, action, effect]: PolicyLine) => ({ role, scope, object, action, effect });

/**
 * The baseline policy (R-SECRET, R-IT-PERMS). A fresh database gets every line of
 * policies/policy.csv and is marked as having every release. An installation that already has
 * its policy gets, once, the lines of each release it lacks (lines a newer version brings for
 * its new features), audited as policy.baseline_upgraded; the database stays the source of
 * truth, so a line the IT admin removed after its release arrived is never brought back.
 * The policy lock serialises instances starting together: one applies, the others find it done.
 */
async function loadBaselinePolicy(ctx: AppContext): Promise<void> {
  const all = readBaselineLines();
  const releases = baselineReleases(all);
  await ctx.db.tx(async (m) => {
    const store = ctx.policyStore;
    const now = new Date();
    if ((await store.countLines(m)) === 0) {
      await store.lockPolicy(m);
      if ((await store.countLines(m)) > 0) return;
      await store.addLines(m, all.map((l) => asStored(l.line)));
      for (const tag of releases.keys()) await store.markReleaseApplied(m, tag, now);
      await ctx.audit.append(m, SYSTEM_ACTOR, { action: 'policy.baseline_loaded', objectType: 'policy', reason: `${all.length} lines from policies/policy.csv` });
      return;
    }
    // Most starts have every release: look first, and take the lock (a version bump every
    // instance reloads on) only when there is something to add.
    const known = await store.appliedReleases(m);
    if ([...releases.keys()].every((tag) => known.has(tag))) return;
    await store.lockPolicy(m);
    const applied = await store.appliedReleases(m);
    for (const [tag, lines] of releases) {
      if (applied.has(tag)) continue;
      const added: PolicyLine[] = [];
      for (const line of lines) {
        if (await store.findLine(m, asStored(line))) continue;
        await store.addLines(m, [asStored(line)]);
        added.push(line);
      }
      await store.markReleaseApplied(m, tag, now);
      await ctx.audit.append(m, SYSTEM_ACTOR, {
        action: 'policy.baseline_upgraded',
        objectType: 'policy',
        objectId: tag,
        after: { release: tag, added: added.map((l) => l.join(', ')) },
        reason: `${added.length} of the ${lines.length} lines of baseline release ${tag} from policies/policy.csv`,
      });
    }
  });
}
