import { Between, type EntityManager } from 'typeorm';
import { AuditEvent } from '../../entities/AuditEvent';
import { entryHash } from '../chain';
import { yielder } from '../../lib/documents/yield';
import { EVENT_HASH_PREFIX } from './digest-format';

export class ChainSegmentError extends Error {
  constructor(
    readonly seq: number,
    message: string,
  ) {
    super(message);
  }
}

const BATCH = 500;

/**
 * The entries fromSeq..toSeq as the concatenated prefixes of their hashes (what a digest signs
 * for). With `prevHash` and `headHash` the segment is verified on the way (R-AUDIT): no gap, each
 * entry's hash recomputed, each linked to the one before, the last one equal to the head; the
 * first failure throws ChainSegmentError naming its sequence number. Read in batches: memory
 * stays bounded by the batch plus 16 bytes an entry.
 */
export async function chainSegment(m: EntityManager, fromSeq: number, toSeq: number, prevHash: string | null, headHash: string | null): Promise<string> {
  // One buffer of 16 ASCII bytes an entry, not a string per entry: 16 MB for a million entries.
  const out = Buffer.alloc(Math.max(0, toSeq - fromSeq + 1) * EVENT_HASH_PREFIX);
  let expected = fromSeq;
  let prev = prevHash;
  // The event loop gets a turn every ~20 ms of work (SQLite queries answer synchronously).
  const pause = yielder();
  while (expected <= toSeq) {
    const batch = await m.getRepository(AuditEvent).find({ where: { seq: Between(expected, Math.min(toSeq, expected + BATCH - 1)) }, order: { seq: 'ASC' } });
    if (batch.length === 0) throw new ChainSegmentError(expected, `entry ${expected} is missing`);
    await pause();
    for (const e of batch) {
      if (e.seq !== expected) throw new ChainSegmentError(expected, `sequence gap: expected ${expected}, found ${e.seq}`);
      if (prev !== null) {
        if (e.prevHash !== prev) throw new ChainSegmentError(e.seq, 'previous-hash link does not match the preceding entry');
        if (entryHash(e) !== e.hash) throw new ChainSegmentError(e.seq, 'entry content does not match its hash');
        prev = e.hash;
      }
      out.write(e.hash.slice(0, EVENT_HASH_PREFIX), (expected - fromSeq) * EVENT_HASH_PREFIX, 'latin1');
      expected++;
    }
  }
  if (headHash !== null && prev !== null && prev !== headHash) throw new ChainSegmentError(toSeq, `chain head (seq ${toSeq}) does not match the last entry`);
  return out.toString('latin1');
}
