import { DataSource, EntityManager, In } from 'typeorm';
import { AuditPending } from '../entities/AuditPending';
import { AuditWriterHead } from '../entities/AuditWriterHead';
import { entryHash, GENESIS_HASH } from './chain';

/** A writer whose own chain does not hold: its entries stay unsealed, and the break is reported. */
export interface BrokenWriterChain {
  writer: string;
  wseq: number;
  reason: string;
}

/**
 * Checks one writer's unsealed entries, in wseq order, against where its sealed part ended
 * (R-AUDIT): each must follow the one before (no gap, previous hash linked) and hash to its
 * stored hash. Returns how many lead entries hold, and the first problem if any.
 */
export function checkWriterChain(rows: AuditPending[], sealed: { wseq: number; hash: string } | null): { valid: number; broken: BrokenWriterChain | null } {
  let wseq = sealed?.wseq ?? 0;
  let prev = sealed?.hash ?? GENESIS_HASH;
  for (let i = 0; i < rows.length; i++) {
    const e = rows[i];
    const fail = (reason: string) => ({ valid: i, broken: { writer: e.writer, wseq: wseq + 1, reason } });
    if (e.wseq !== wseq + 1) return fail(`writer ${e.writer}: entry ${wseq + 1} is missing (found ${e.wseq})`);
    if (e.prevHash !== prev) return fail(`writer ${e.writer}: entry ${e.wseq} does not follow the one before it`);
    if (entryHash({ ...e, seq: e.wseq }) !== e.hash) return fail(`writer ${e.writer}: entry ${e.wseq} does not match its hash`);
    wseq = e.wseq;
    prev = e.hash;
  }
  return { valid: rows.length, broken: null };
}

/** One writer's pending entries, in wseq order, and where its sealed part ended (null: nothing sealed yet). */
export interface WriterChain {
  writer: string;
  rows: AuditPending[];
  sealed: AuditWriterHead | null;
}

/** `pending` grouped by writer, each with its sealed head (one query for them all). */
export async function writerChains(m: EntityManager, pending: AuditPending[]): Promise<WriterChain[]> {
  const writers = [...new Set(pending.map((e) => e.writer))];
  if (writers.length === 0) return [];
  const heads = await m.getRepository(AuditWriterHead).findBy({ writer: In(writers), role: 'sealed' });
  const sealed = new Map(heads.map((h) => [h.writer, h]));
  return writers.map((writer) => ({
    writer,
    rows: pending.filter((e) => e.writer === writer).sort((a, b) => a.wseq - b.wseq),
    sealed: sealed.get(writer) ?? null,
  }));
}

/**
 * The unsealed entries of every writer (journal mode, issue 16), each writer's chain checked from
 * where its sealed part ended: the first problem, or null. Part of every verify, so that an entry
 * changed before it was sealed is found as surely as one changed after.
 */
export async function unsealedProblem(ds: DataSource): Promise<BrokenWriterChain | null> {
  const pending = await ds.getRepository(AuditPending).find();
  for (const { rows, sealed } of await writerChains(ds.manager, pending)) {
    // Sealed between the two reads (a sealer ran meanwhile): part of the chain now, not pending.
    const { broken } = checkWriterChain(
      rows.filter((e) => e.wseq > (sealed?.wseq ?? 0)),
      sealed,
    );
    if (broken) return broken;
  }
  return null;
}
