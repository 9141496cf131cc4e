import { DataSource, Not, IsNull } from 'typeorm';
import { AuditDigest } from '../../entities/AuditDigest';
import { verifyAuditChain, type AuditAnchor, type VerifyResult } from '../verify';
import { readDigestDir } from './digest-verify';

export interface DigestVerifyOptions {
  /** The digest directory (AUDIT_DIGEST_DIR, or a copy kept elsewhere). */
  dir: string;
  /** More directories of trusted public keys (PEM) besides <dir>/keys. */
  keyDirs?: string[];
  anchors?: AuditAnchor[];
  /**
   * Walk only the entries after the latest signed digest (issue 14 §3): a quick check of what no
   * signature covers yet, the digests themselves still verified in full. A rewrite before that
   * point is left to the full verify (the nightly job runs it).
   */
  resume?: boolean;
}

/**
 * R-AUDIT, issue 14 §1: the chain in the database checked against the signed digests outside it.
 * Reports, with the first bad sequence number: an entry rewritten after a digest signed it (even
 * with every hash recomputed and the head moved), a cut tail, a changed, foreign-signed or
 * deleted digest file; and, when the chain holds, how far the digests cover it.
 */
export async function verifyWithDigests(ds: DataSource, opts: DigestVerifyOptions): Promise<VerifyResult> {
  const dir = readDigestDir(opts.dir, opts.keyDirs);
  const latest = dir.digests[dir.digests.length - 1]?.payload;
  const chain = await verifyAuditChain(ds, {
    anchors: opts.anchors,
    digests: dir.digests,
    resumeAfter: opts.resume ? { seq: latest?.toSeq ?? 0, hash: latest?.headHash ?? '' } : undefined,
  });
  if (!chain.ok) return chain;
  if (!dir.ok) {
    const prior = dir.digests[dir.digests.length - 1];
    return { ok: false, count: chain.count, brokenAtSeq: (prior?.payload.toSeq ?? 0) + 1, reason: dir.reason };
  }
  // The last digests deleted leave no gap among the files; the database still numbers them.
  const [recorded] = await ds.getRepository(AuditDigest).find({ where: { writtenAt: Not(IsNull()) }, order: { number: 'DESC' }, take: 1 });
  const have = dir.digests.length;
  if (recorded && recorded.number > have) {
    return { ok: false, count: chain.count, brokenAtSeq: recorded.fromSeq, reason: `digest ${recorded.number} was written but is missing from ${opts.dir} (deleted)` };
  }
  return chain;
}
