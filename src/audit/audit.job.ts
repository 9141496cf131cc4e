import type { JobDef } from '../jobs/job';
import { reportBrokenChain, type ChainAlarmDeps } from './chain-broken';
import type { AuditDigestService } from './digest/digest.service';
import { verifyWithDigests } from './digest/verify-digests';

export interface AuditJobDeps extends ChainAlarmDeps {
  auditDigests: AuditDigestService;
}

/** R-AUDIT: the nightly verify of the audit hash chain; a break is told to the IT admins (audit.chain_broken) every night it is found. */
export function auditJobs(deps: AuditJobDeps): JobDef[] {
  const { db, logger, auditDigests } = deps;
  return [
    {
      name: 'audit-verify',
      cadence: 'daily',
      at: { hour: 2, minute: 15 },
      covers: 'current',
      description:
        'R-AUDIT: recompute the audit hash chain nightly and check it against the signed digests in AUDIT_DIGEST_DIR; a break is logged, recorded as an audit event and told to the IT admins.',
      async run(period) {
        // Against the digests too (issue 14 §1): a rewrite with every hash recomputed shows only there.
        const result = await verifyWithDigests(db.ds, { dir: auditDigests.files.dir });
        const summary = result.ok ? { ok: true, headSeq: result.headSeq, headHash: result.headHash } : { ok: false, brokenAtSeq: result.brokenAtSeq, reason: result.reason };
        if (result.ok) {
          // The head goes to the log (shipped off the host in production): an anchor for later verifies.
          logger.info('audit chain anchor', { seq: result.headSeq, hash: result.headHash });
        } else {
          await reportBrokenChain(deps, { chain: 'audit', unit: 'seq', at: result.brokenAtSeq, reason: result.reason }, period.key);
        }
        return summary;
      },
    },
  ];
}
