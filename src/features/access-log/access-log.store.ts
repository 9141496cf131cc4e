import type { Writable } from 'node:stream';
import { Between, EntityManager, FindOptionsWhere, In, LessThan, MoreThan, MoreThanOrEqual } from 'typeorm';
import { AuditEvent } from '../../entities/AuditEvent';
import { CustomerAccess } from '../../entities/CustomerAccess';
import { CustomerAccessBatch } from '../../entities/CustomerAccessBatch';
import { CustomerAccessHead } from '../../entities/CustomerAccessHead';
import { Project } from '../../entities/Project';
import { User } from '../../entities/User';
import { csvField } from '../../lib/csv';
import { AccessRow, batchHash, GENESIS_HASH, PURGE_ACTION } from './access-log.chain';

/** One read as the auditor sees it: ids, the reader's username and the project code; never the customer's data. */
export interface AccessLogItem {
  id: number;
  at: Date;
  userId: number;
  username: string | null;
  customerId: number | null;
  project: string | null;
  kind: string;
  revealed: boolean;
  route: string;
  requestId: string | null;
  ref: string | null;
}

/** Whose reads: one customer's or one user's, within [from, to). */
export interface AccessLogFilter {
  customerId?: number;
  userId?: number;
  from?: Date;
  to?: Date;
}

function whereOf(f: AccessLogFilter): FindOptionsWhere<CustomerAccess> {
  const at = f.from && f.to ? Between(f.from, new Date(f.to.getTime() - 1)) : f.from ? MoreThanOrEqual(f.from) : f.to ? LessThan(f.to) : undefined;
  return {
    ...(f.customerId !== undefined ? { customerId: f.customerId } : {}),
    ...(f.userId !== undefined ? { userId: f.userId } : {}),
    ...(at ? { at } : {}),
  };
}

/** Reads of the access log (R-AUDIT): pages with their total, and a CSV streamed page by page. */
export class AccessLogStore {
  constructor(private readonly manager: () => EntityManager) {}

  async page(f: AccessLogFilter, limit: number, offset: number): Promise<{ items: AccessLogItem[]; total: number }> {
    // Newest first; (customerId, at) and (userId, at) serve both the filter and the order.
    const [rows, total] = await this.manager()
      .getRepository(CustomerAccess)
      .findAndCount({ where: whereOf(f), order: { at: 'DESC', id: 'DESC' }, take: limit, skip: offset });
    return { items: await this.items(rows), total };
  }

  private async items(rows: CustomerAccess[]): Promise<AccessLogItem[]> {
    const m = this.manager();
    const userIds = [...new Set(rows.map((r) => r.userId))];
    const projectIds = [...new Set(rows.map((r) => r.projectId).filter((p): p is number => p !== null))];
    const [users, projects] = await Promise.all([
      userIds.length ? m.getRepository(User).find({ where: { id: In(userIds) }, select: { id: true, username: true } }) : [],
      projectIds.length ? m.getRepository(Project).find({ where: { id: In(projectIds) }, select: { id: true, code: true } }) : [],
    ]);
    const name = new Map(users.map((u) => [u.id, u.username]));
    const code = new Map(projects.map((p) => [p.id, p.code]));
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      userId: r.userId,
      username: name.get(r.userId) ?? null,
      customerId: r.customerId,
      project: r.projectId === null ? null : (code.get(r.projectId) ?? null),
      kind: r.kind,
      revealed: Boolean(r.revealed),
      route: r.route,
      requestId: r.requestId,
      ref: r.ref,
    }));
  }

  /** The whole filtered log as CSV, oldest first, 1,000 rows per query by key (bounded memory). */
  async writeCsv(f: AccessLogFilter, out: Writable): Promise<number> {
    const columns = ['at', 'userId', 'username', 'customerId', 'project', 'kind', 'revealed', 'route', 'requestId', 'ref'] as const;
    const write = (chunk: string) => new Promise<void>((resolve) => (out.write(chunk) ? resolve() : out.once('drain', resolve)));
    await write('\ufeff' + columns.join(',') + '\n');
    let lastId = 0;
    let n = 0;
    for (;;) {
      const rows = await this.manager()
        .getRepository(CustomerAccess)
        .find({ where: { ...whereOf(f), id: MoreThan(lastId) }, order: { id: 'ASC' }, take: 1000 });
      if (!rows.length) break;
      lastId = rows[rows.length - 1].id;
      const items = await this.items(rows);
      n += items.length;
      await write(
        items
          .map((i) => columns.map((c) => csvField(c === 'at' ? i.at.toISOString() : i[c] === null ? '' : String(i[c]))).join(','))
          .join('\n') + '\n',
      );
    }
    out.end();
    return n;
  }
}

export type AccessChainResult =
  | { ok: true; batches: number; rows: number; firstSeq: number | null; headSeq: number; headHash: string; anchoredBy: 'genesis' | 'purge' }
  | { ok: false; brokenAtSeq: number; reason: string };

/**
 * R-AUDIT: recomputes the access-log batch chain. The first kept batch links to the genesis hash,
 * or (after a purge) to the last removed batch's hash as the latest purge summary in the signed
 * audit trail records it; every next batch to the one before; the head row names the last batch.
 */
export async function verifyAccessChain(m: EntityManager): Promise<AccessChainResult> {
  const head = await m.getRepository(CustomerAccessHead).findOneByOrFail({ id: 1 });
  const purge = await m.getRepository(AuditEvent).findOne({ where: { action: PURGE_ACTION }, order: { seq: 'DESC' } });
  const anchor = (purge?.after ?? null) as { toSeq?: number | null; lastRemovedHash?: string | null } | null;
  let prev: { seq: number; hash: string } | null = null;
  let firstSeq: number | null = null;
  let batches = 0;
  let rowsSeen = 0;
  let anchoredBy: 'genesis' | 'purge' = 'genesis';
  const PAGE = 200;
  for (;;) {
    const page = await m.getRepository(CustomerAccessBatch).find({ where: { seq: MoreThan(prev?.seq ?? 0) }, order: { seq: 'ASC' }, take: PAGE });
    if (!page.length) break;
    const rows = await m.getRepository(CustomerAccess).find({
      where: { batchSeq: Between(page[0].seq, page[page.length - 1].seq) },
      order: { batchSeq: 'ASC', id: 'ASC' },
    });
    const byBatch = new Map<number, AccessRow[]>();
    for (const r of rows) {
      const list = byBatch.get(r.batchSeq) ?? [];
      list.push(r);
      byBatch.set(r.batchSeq, list);
    }
    for (const b of page) {
      if (prev === null) {
        firstSeq = b.seq;
        if (b.seq === 1) {
          if (b.prevHash !== GENESIS_HASH) return { ok: false, brokenAtSeq: b.seq, reason: 'the first batch does not link to the genesis hash' };
        } else if (anchor?.toSeq === b.seq - 1 && anchor.lastRemovedHash === b.prevHash) {
          anchoredBy = 'purge';
        } else {
          return { ok: false, brokenAtSeq: b.seq, reason: `batches before ${b.seq} are missing and no purge summary removed them` };
        }
      } else {
        if (b.seq !== prev.seq + 1) return { ok: false, brokenAtSeq: prev.seq + 1, reason: 'batch missing' };
        if (b.prevHash !== prev.hash) return { ok: false, brokenAtSeq: b.seq, reason: 'prevHash does not match the previous batch' };
      }
      const own = byBatch.get(b.seq) ?? [];
      if (own.length !== b.rowCount) return { ok: false, brokenAtSeq: b.seq, reason: `${b.rowCount} reads written, ${own.length} found` };
      if (batchHash(b.prevHash, b.seq, b.at, own) !== b.hash) return { ok: false, brokenAtSeq: b.seq, reason: 'hash does not match the reads' };
      prev = { seq: b.seq, hash: b.hash };
      batches++;
      rowsSeen += own.length;
    }
  }
  if (prev === null) {
    // Nothing kept: the head is the genesis, or the last purge removed up to it.
    const expected = anchor?.toSeq ? { seq: anchor.toSeq, hash: anchor.lastRemovedHash } : { seq: 0, hash: GENESIS_HASH };
    if (head.seq !== expected.seq || head.hash !== expected.hash) return { ok: false, brokenAtSeq: expected.seq + 1, reason: 'the head names batches that are missing' };
    return { ok: true, batches: 0, rows: 0, firstSeq: null, headSeq: head.seq, headHash: head.hash, anchoredBy: anchor?.toSeq ? 'purge' : 'genesis' };
  }
  if (head.seq !== prev.seq || head.hash !== prev.hash) return { ok: false, brokenAtSeq: Math.min(head.seq, prev.seq) + 1, reason: 'the head does not match the last batch (a cut tail or a moved head)' };
  return { ok: true, batches, rows: rowsSeen, firstSeq, headSeq: head.seq, headHash: head.hash, anchoredBy };
}
