import { DataSource, MoreThan } from 'typeorm';
import { AuditEvent } from '../entities/AuditEvent';
import { AuditHead } from '../entities/AuditHead';
import { GENESIS_HASH, entryHash } from './chain';

export type VerifyResult =
  | { ok: true; count: number; headSeq: number; headHash: string }
  | { ok: false; count: number; brokenAtSeq: number; reason: string };

/**
 * Walks the chain in order and recomputes every hash (R-AUDIT). An edited row fails its own
 * hash; a deleted row leaves a gap in seq or a prevHash mismatch; an inserted row breaks
 * seq/prevHash; a truncated tail disagrees with the head row.
 */
/**
 * A head recorded outside the database earlier ({seq, hash}, e.g. from the nightly job's log
 * line or a printed inspection report). Someone with write access to the database could
 * rewrite the chain from some row onward and the head with it; that rewrite cannot keep an
 * anchor taken before it valid, so verify checks each anchor against the stored row.
 */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

export async function verifyAuditChain(ds: DataSource, opts: { anchors?: AuditAnchor[]; batchSize?: number } = {}): Promise<VerifyResult> {
  const batchSize = opts.batchSize ?? 2000;
  const anchors = new Map((opts.anchors ?? []).map((a) => [a.seq, a.hash]));
  const repo = ds.getRepository(AuditEvent);
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let lastSeq = 0;
  for (;;) {
    const batch = await repo.find({ where: { seq: MoreThan(lastSeq) }, order: { seq: 'ASC' }, take: batchSize });
    if (batch.length === 0) break;
    for (const e of batch) {
      if (e.seq !== expectedSeq) {
        return { ok: false, count, brokenAtSeq: expectedSeq, reason: `sequence gap: expected ${expectedSeq}, found ${e.seq}` };
      }
      if (e.prevHash !== prevHash) {
        return { ok: false, count, brokenAtSeq: e.seq, reason: 'previous-hash link does not match the preceding entry' };
      }
      if (entryHash(e) !== e.hash) {
        return { ok: false, count, brokenAtSeq: e.seq, reason: 'entry content does not match its hash' };
      }
      const anchored = anchors.get(e.seq);
      if (anchored !== undefined && anchored !== e.hash) {
        return { ok: false, count, brokenAtSeq: e.seq, reason: 'entry differs from the anchor recorded outside the database' };
      }
      anchors.delete(e.seq);
      prevHash = e.hash;
      expectedSeq = e.seq + 1;
      lastSeq = e.seq;
      count++;
    }
  }
  if (anchors.size > 0) {
    const missing = Math.min(...anchors.keys());
    return { ok: false, count, brokenAtSeq: missing, reason: `anchored entry ${missing} is missing from the chain` };
  }
  const head = await ds.getRepository(AuditHead).findOneBy({ id: 1 });
  if (!head || head.seq !== lastSeq || head.hash !== prevHash) {
    return {
      ok: false,
      count,
      brokenAtSeq: Math.min(lastSeq + 1, (head?.seq ?? lastSeq) + 1),
      reason: `chain head (seq ${head?.seq}) does not match the last entry (seq ${lastSeq})`,
    };
  }
  return { ok: true, count, headSeq: lastSeq, headHash: prevHash };
}
