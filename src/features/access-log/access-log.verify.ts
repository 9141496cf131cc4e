import type { EntityManager } from 'typeorm';
import { readDigestDir } from '../../audit/digest/digest-verify';
import { CustomerAccessBatch } from '../../entities/CustomerAccessBatch';
import { verifyAccessChain } from './access-log.store';

export type AccessLogVerifyResult =
  | { ok: true; batches: number; rows: number; headSeq: number; headHash: string; anchoredBy: 'genesis' | 'purge'; digests: number }
  | { ok: false; brokenAtBatch: number; reason: string };

/**
 * R-AUDIT (issue 14 §1, §2): the access log's batch chain recomputed, then held against the signed
 * digests outside the database, each of which names the log's last batch and its hash when it was
 * made. A rewrite of the log with every hash recomputed, or a cut tail with the head moved back,
 * keeps the chain self-consistent; the digests show it (a rewritten batch at the first digest that
 * covers it, as the range since the digest before).
 */
export async function verifyAccessLog(m: EntityManager, digestDir: string): Promise<AccessLogVerifyResult> {
  const chain = await verifyAccessChain(m);
  if (!chain.ok) return { ok: false, brokenAtBatch: chain.brokenAtSeq, reason: chain.reason };
  const dir = readDigestDir(digestDir);
  if (!dir.ok) return { ok: false, brokenAtBatch: 0, reason: dir.reason };
  let checked = 0;
  let since = 0;
  for (const d of dir.digests) {
    const a = d.payload.accessLog;
    if (!a || a.toBatch === 0) continue;
    if (a.toBatch > chain.headSeq) {
      return { ok: false, brokenAtBatch: chain.headSeq + 1, reason: `batches ${chain.headSeq + 1}..${a.toBatch}, signed for by digest ${d.payload.number}, are missing (the tail was cut)` };
    }
    // Purged since (retention): what the digest named is gone on purpose, and the purge summary anchors the rest.
    if (chain.firstSeq !== null && a.toBatch >= chain.firstSeq) {
      const b = await m.getRepository(CustomerAccessBatch).findOneBy({ seq: a.toBatch });
      if (!b || b.hash !== a.headHash) {
        return {
          ok: false,
          brokenAtBatch: Math.max(since + 1, chain.firstSeq),
          reason: `batches ${Math.max(since + 1, chain.firstSeq)}..${a.toBatch} differ from what signed digest ${d.payload.number} covers (rewritten after it was signed)`,
        };
      }
      checked++;
    }
    since = a.toBatch;
  }
  return { ok: true, batches: chain.batches, rows: chain.rows, headSeq: chain.headSeq, headHash: chain.headHash, anchoredBy: chain.anchoredBy, digests: checked };
}
