import { DataSource, MoreThan } from 'typeorm';
import { AuditEvent } from '../entities/AuditEvent';
import { AuditHead } from '../entities/AuditHead';
import { GENESIS_HASH, entryHash } from './chain';
import { yielder } from '../lib/documents/yield';
import { EVENT_HASH_PREFIX, type DigestFile } from './digest/digest-format';
import { unsealedProblem } from './writer-chain';

/** How far the signed digests reach over the chain (issue 14 §1). */
export interface DigestCoverage {
  /** Digests checked against the chain. */
  digests: number;
  /** The latest one: its number, last covered sequence and time (null when there is none). */
  latestNumber: number | null;
  coveredToSeq: number;
  latestAt: string | null;
  /** Entries written after the latest digest: not yet covered by a signature. */
  uncovered: number;
}

export type VerifyResult =
  | { ok: true; count: number; headSeq: number; headHash: string; coverage?: DigestCoverage; resumedAfterSeq?: number }
  | { ok: false; count: number; brokenAtSeq: number; reason: string };

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

export interface VerifyOptions {
  anchors?: AuditAnchor[];
  /**
   * Signed digests, already checked as a chain of their own (readDigestDir): every covered entry
   * must be the one signed for, so a rewrite with recomputed hashes, a moved head or a cut tail
   * is found, at the first entry that differs.
   */
  digests?: DigestFile[];
  /**
   * Start after this entry instead of at the genesis row (issue 14 §3): the head a signed digest
   * vouches for. The entry must still be stored with that hash and hash to it; the entries before
   * it are taken on the digest's word, and only what follows is walked. `count` then counts the
   * entries after it.
   */
  resumeAfter?: AuditAnchor;
  batchSize?: number;
}

/**
 * Walks the chain in order and recomputes every hash (R-AUDIT). An edited row fails its own
 * hash; a deleted row leaves a gap in seq or a prevHash mismatch; an inserted row breaks
 * seq/prevHash; a truncated tail disagrees with the head row, or with the digests. Reads in
 * batches: memory stays bounded whatever the length of the trail.
 */
export async function verifyAuditChain(ds: DataSource, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const batchSize = opts.batchSize ?? 500;
  // Between batches the event loop gets a turn (every ~20 ms of work): on SQLite every query
  // answers synchronously, and a long trail would otherwise hold the server for its whole length.
  const pause = yielder();
  const anchors = new Map((opts.anchors ?? []).map((a) => [a.seq, a.hash]));
  const digests = opts.digests ?? [];
  let d = 0; // the digest covering the next entry
  const repo = ds.getRepository(AuditEvent);
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let lastSeq = 0;
  const start = opts.resumeAfter;
  if (start && start.seq > 0) {
    const e = await repo.findOneBy({ seq: start.seq });
    if (!e || e.hash !== start.hash || entryHash(e) !== e.hash) {
      return { ok: false, count, brokenAtSeq: start.seq, reason: `entry ${start.seq} differs from the head the signed digest vouches for (rewritten after it was signed)` };
    }
    anchors.delete(start.seq);
    for (const seq of anchors.keys()) if (seq < start.seq) anchors.delete(seq); // before the start: vouched for by the digest, not walked
    [expectedSeq, prevHash, lastSeq] = [start.seq + 1, start.hash, start.seq];
  }
  for (;;) {
    const batch = await repo.find({ where: { seq: MoreThan(lastSeq) }, order: { seq: 'ASC' }, take: batchSize });
    if (batch.length === 0) break;
    await pause();
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
      // Digests with no entry of their own (nothing written in their interval) are passed over.
      while (d < digests.length && digests[d].payload.toSeq < e.seq) d++;
      const digest = digests[d];
      if (digest && e.seq >= digest.payload.fromSeq) {
        const p = digest.payload;
        const signedPrefix = digest.eventHashes?.slice((e.seq - p.fromSeq) * EVENT_HASH_PREFIX, (e.seq - p.fromSeq + 1) * EVENT_HASH_PREFIX);
        if ((signedPrefix !== undefined && signedPrefix !== e.hash.slice(0, EVENT_HASH_PREFIX)) || (e.seq === p.toSeq && e.hash !== p.headHash)) {
          return { ok: false, count, brokenAtSeq: e.seq, reason: `entry differs from what signed digest ${p.number} covers (rewritten after it was signed)` };
        }
      }
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
  const latest = digests.length ? digests[digests.length - 1].payload : null;
  if (latest && latest.toSeq > lastSeq) {
    return { ok: false, count, brokenAtSeq: lastSeq + 1, reason: `entries ${lastSeq + 1}..${latest.toSeq}, covered by signed digest ${latest.number}, are missing (the tail was cut)` };
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
  // Journal mode (issue 16): entries committed but not yet sealed into the chain hold too.
  const unsealed = await unsealedProblem(ds);
  if (unsealed) return { ok: false, count, brokenAtSeq: lastSeq + 1, reason: `unsealed entries: ${unsealed.reason}` };
  const result: VerifyResult = { ok: true, count, headSeq: lastSeq, headHash: prevHash };
  if (start) result.resumedAfterSeq = start.seq;
  if (opts.digests) {
    result.coverage = {
      digests: digests.length,
      latestNumber: latest?.number ?? null,
      coveredToSeq: latest?.toSeq ?? 0,
      latestAt: latest?.createdAt ?? null,
      uncovered: lastSeq - (latest?.toSeq ?? 0),
    };
  }
  return result;
}
