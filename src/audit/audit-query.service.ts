import { Between, FindOptionsWhere, In, LessThan, LessThanOrEqual, MoreThan, MoreThanOrEqual } from 'typeorm';
import { Database } from '../db/database';
import { AuditEvent } from '../entities/AuditEvent';
import { csvField } from '../lib/csv';
import { yielder } from '../lib/documents/yield';
import type { AuditActor, AuditWriter } from './audit-writer';
import type { AuditDigestService } from './digest/digest.service';
import { verifyWithDigests } from './digest/verify-digests';
import { AuditAnchor, verifyAuditChain, VerifyResult } from './verify';

export interface AuditFilter {
  actorId?: number;
  actor?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  scope?: string;
  decision?: 'allow' | 'deny';
  from?: Date;
  to?: Date;
}

/** Read side of the audit trail: filtered, paginated listing, CSV export in chain order, and verification of the chain. */
export class AuditQueryService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly digests: AuditDigestService,
  ) {}

  /** R-AUDIT: an export of the trail is itself audited (with its filters), before the first row leaves. */
  async recordExport(actor: AuditActor, filters: AuditFilter): Promise<void> {
    await this.db.tx((m) => this.audit.append(m, actor, { action: 'audit.exported', objectType: 'audit', after: { filters } }));
  }

  /** R-AUDIT: recompute the hash chain, checking each anchor (a head recorded earlier) against its stored row. */
  verify(anchors: AuditAnchor[], opts: { digests?: boolean; resume?: boolean } = {}): Promise<VerifyResult> {
    // With digests: also against the signed digests in this instance's AUDIT_DIGEST_DIR (issue 14 §1),
    // from the latest of them when asked to resume (§3).
    if (opts.digests) return verifyWithDigests(this.db.ds, { dir: this.digests.files.dir, anchors, resume: opts.resume });
    return verifyAuditChain(this.db.ds, { anchors });
  }

  private where(f: AuditFilter): FindOptionsWhere<AuditEvent> {
    const where: FindOptionsWhere<AuditEvent> = {};
    if (f.actorId !== undefined) where.actorId = f.actorId;
    if (f.actor) where.actorName = f.actor;
    if (f.action) where.action = f.action;
    if (f.objectType) where.objectType = f.objectType;
    if (f.objectId) where.objectId = f.objectId;
    if (f.scope) where.scope = f.scope;
    if (f.decision) where.decision = f.decision;
    if (f.from && f.to) where.at = Between(f.from, f.to);
    else if (f.from) where.at = MoreThanOrEqual(f.from);
    else if (f.to) where.at = LessThanOrEqual(f.to);
    return where;
  }

  /**
   * One page of matching events, newest first unless asked otherwise. Paged by key (issue 14 §3):
   * `cursor` is the `seq` of the last event of the previous page, so a page deep in a million
   * events reads an index range from there instead of counting its way past every earlier row as
   * OFFSET does; `nextCursor` is null on the last page. Offset paging stays for a numbered page
   * jumped to directly (the console walks on by cursor).
   */
  async list(f: AuditFilter, page: { limit: number; offset: number; order: 'asc' | 'desc'; cursor?: number }) {
    const repo = this.db.manager.getRepository(AuditEvent);
    const where = this.where(f);
    const paged = page.cursor === undefined ? where : { ...where, seq: page.order === 'asc' ? MoreThan(page.cursor) : LessThan(page.cursor) };
    const order = { seq: page.order === 'asc' ? ('ASC' as const) : ('DESC' as const) };
    // Keys first, then the page's rows (a deferred join): filtering, ordering and skipping run on
    // an index alone (every index carries seq), and only the rows shown are read whole. Read in
    // one go, a date range or a deep offset fetched every matching row with its before/after
    // before it could sort or skip them. One key more than the page: whether another page follows.
    const keysQuery = repo.createQueryBuilder('e').setFindOptions({ select: { seq: true }, where: paged, order, take: page.limit + 1, skip: page.offset });
    // A period alone, without a cursor: MariaDB would walk the primary key back from the newest
    // event (ORDER BY seq LIMIT), a walk as long as the events newer than the period (0.5 s for a
    // day a million events ago). Through the period's index the read is bounded by the period's
    // own size, like the count beside it. (MySQL family only; SQLite chooses well by itself.)
    if (page.cursor === undefined && periodOnly(f)) keysQuery.useIndex('idx_audit_at');
    const [keys, total] = await Promise.all([keysQuery.getMany(), repo.count({ where })]);
    const shown = keys.slice(0, page.limit).map((k) => k.seq);
    // Events are never changed or removed once written: the rows are there as the keys said.
    const items = shown.length ? await repo.find({ where: { seq: In(shown) }, order }) : [];
    const nextCursor = keys.length > page.limit ? shown[shown.length - 1] : null;
    return { items, total, limit: page.limit, offset: page.offset, nextCursor };
  }

  /** Streams matching events in batches, oldest first (keyset on seq: each batch is an index range, not an ever-growing OFFSET). */
  async *batches(f: AuditFilter, size = 500): AsyncGenerator<AuditEvent[]> {
    let lastSeq = 0;
    // Other requests get a turn between batches (SQLite answers synchronously).
    const pause = yielder();
    for (;;) {
      await pause();
      const rows = await this.db.manager
        .getRepository(AuditEvent)
        .find({ where: { ...this.where(f), seq: MoreThan(lastSeq) }, order: { seq: 'ASC' }, take: size });
      if (!rows.length) return;
      yield rows;
      lastSeq = rows[rows.length - 1].seq;
    }
  }
}

/** Whether the filter is a time range and nothing else. */
function periodOnly(f: AuditFilter): boolean {
  const set = Object.entries(f).filter(([, v]) => v !== undefined && v !== '').map(([k]) => k);
  return set.length > 0 && set.every((k) => k === 'from' || k === 'to');
}

const CSV_COLUMNS: (keyof AuditEvent)[] = [
  'seq', 'at', 'actorId', 'actorName', 'action', 'objectType', 'objectId', 'scope', 'decision', 'reason', 'requestId', 'ip', 'before', 'after', 'prevHash', 'hash',
];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return csvField(v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v));
}

export const csvHeader = (): string => CSV_COLUMNS.join(',') + '\n';
export const csvRow = (e: AuditEvent): string => CSV_COLUMNS.map((c) => csvCell(e[c])).join(',') + '\n';
