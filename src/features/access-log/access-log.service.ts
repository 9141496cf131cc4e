import { AsyncResource } from 'node:async_hooks';
import type { Response } from 'express';
import { EntityManager, LessThan } from 'typeorm';
import { AuditActor, AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import type { AccessLogConfig } from '../../config/env';
import { Database, forUpdate } from '../../db/database';
import { insertRows, persisted } from '../../db/raw';
import { AccessKind, CustomerAccess } from '../../entities/CustomerAccess';
import { CustomerAccessBatch } from '../../entities/CustomerAccessBatch';
import { CustomerAccessHead } from '../../entities/CustomerAccessHead';
import type { Logger } from '../../logger';
import { COMPANY } from '../../policy/scope';
import { AccessRow, batchHash, PURGE_ACTION } from './access-log.chain';
import { AccessChainResult, AccessLogFilter, AccessLogItem, AccessLogStore, verifyAccessChain } from './access-log.store';
import { verifyAccessLog, type AccessLogVerifyResult } from './access-log.verify';
import { User } from '../../entities/User';
import { NotFoundError } from '../../errors';

/** Who reads, through which route, in which request: built by the route from its audit actor. */
export interface AccessReader {
  userId: number;
  requestId: string | null;
  /** "GET /api/v1/customers/:id": the pattern, never the raw URL (a search URL may hold a phone). */
  route: string;
}

/** The reader of a request: the signed-in caller, the request id and the route pattern mount-routes left in res.locals. */
export function readerOf(actor: AuditActor, res: Response): AccessReader | undefined {
  if (actor.id === null) return undefined;
  return { userId: actor.id, requestId: actor.requestId ?? null, route: `${res.req.method} ${String(res.locals.route ?? res.req.path)}` };
}

/** A customer as a read names it: ids only (R-SECRET: never a name, phone or ID number in the log). */
export interface ReadTarget {
  customerId: number | null;
  projectId: number | null;
}

const COLUMNS = ['batchSeq', 'at', 'userId', 'customerId', 'projectId', 'kind', 'revealed', 'route', 'requestId', 'ref'] as const;

/** Queued reads beyond this are dropped (and the count logged) while the database refuses the flushes: memory stays bounded. */
const MAX_QUEUED = 200_000;

/**
 * Issue 14 §2, R-SECRET, R-AUDIT: the log of who viewed which customer. A read costs the request
 * one push to an in-process queue; the queue is written at least every `flushMs` or as soon as
 * `batchSize` reads wait, each flush one batch hash-linked to the previous one (the head row is
 * locked FOR UPDATE on MySQL, so batches of several instances form one chain, as audit_head does
 * for the audit trail). close() writes what waits (graceful shutdown); a crash loses at most the
 * reads of the last flush window (documented in docs/access-log.md).
 */
export class AccessLogService {
  private queue: AccessRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;
  private dropped = 0;
  /** Flushes run in the context this service was built in, never inside the transaction of the request that filled the queue. */
  private readonly home = new AsyncResource('custodian.access-log');
  /** Batches written by this instance, for tests and diagnostics. */
  readonly stats = { batches: 0, rows: 0, failures: 0 };

  private readonly store: AccessLogStore;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly config: AccessLogConfig,
    private readonly logger: Logger,
  ) {
    this.store = new AccessLogStore(() => this.db.manager);
  }

  // ---- the auditor's questions (R-AUDIT) ------------------------------------------------------

  /** A page of one customer's or one user's reads, newest first, with the total. This instance's queue is written first, so a read just made shows. */
  async page(f: AccessLogFilter, limit: number, offset: number): Promise<{ items: AccessLogItem[]; total: number }> {
    await this.checkUser(f);
    await this.flush();
    return this.store.page(f, limit, offset);
  }

  /** The same reads as CSV; the export itself is an audit event (who exported whose reads), committed before the first byte. */
  async exportCsv(actor: AuditActor, f: AccessLogFilter, res: Response): Promise<void> {
    await this.checkUser(f);
    await this.flush();
    await this.db.tx((m) =>
      this.audit.append(m, actor, {
        action: 'access_log.exported',
        objectType: f.customerId !== undefined ? 'customer' : 'user',
        objectId: f.customerId ?? f.userId,
        scope: COMPANY,
        decision: 'allow',
        after: { from: f.from ?? null, to: f.to ?? null },
      }),
    );
    const name = f.customerId !== undefined ? `customer-${f.customerId}` : `user-${f.userId}`;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="access-log-${name}.csv"`);
    await this.store.writeCsv(f, res);
  }

  /** Recomputes the batch chain (after writing this instance's queue). */
  async verify(): Promise<AccessChainResult> {
    await this.flush();
    return verifyAccessChain(this.db.manager);
  }

  /** The chain, and each signed digest's access-log head against it (what waits in the queue written first). */
  async verifyAgainstDigests(digestDir: string): Promise<AccessLogVerifyResult> {
    await this.flush();
    return verifyAccessLog(this.db.manager, digestDir);
  }

  private async checkUser(f: AccessLogFilter): Promise<void> {
    if (f.userId !== undefined && !(await this.db.manager.getRepository(User).existsBy({ id: f.userId }))) throw new NotFoundError('User', f.userId);
  }

  // ---- recording (R-SECRET) ----------------------------------------------------------------

  /** Reads waiting for the next flush. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Records that `reader` was shown these customers (R-SECRET). No reader (a call from inside the
   * service, not a request) records nothing. Never awaits the database.
   */
  record(reader: AccessReader | undefined, kind: AccessKind, targets: readonly ReadTarget[], opts: { revealed: boolean; ref?: string | null }): void {
    if (!reader || targets.length === 0) return;
    const at = new Date();
    for (const t of targets) {
      if (this.queue.length >= MAX_QUEUED) {
        this.dropped++;
        continue;
      }
      this.queue.push({
        at,
        userId: reader.userId,
        customerId: t.customerId,
        projectId: t.projectId,
        kind,
        revealed: opts.revealed,
        route: reader.route.slice(0, 120),
        requestId: reader.requestId?.slice(0, 64) ?? null,
        ref: opts.ref?.slice(0, 64) ?? null,
      });
    }
    if (this.closed) return;
    if (!this.timer) this.home.runInAsyncScope(() => (this.timer = setInterval(() => void this.flush(), this.config.flushMs).unref()));
    if (this.queue.length >= this.config.batchSize) this.home.runInAsyncScope(() => setImmediate(() => void this.flush()));
  }

  /**
   * Writes every read queued before this call (one batch per `batchSize`); resolves when they are
   * written or a write failed (they stay queued for the next try). A flush already running took
   * its reads when it began: it is awaited, then another one writes the rest.
   */
  async flush(): Promise<void> {
    if (this.flushing) await this.flushing.catch(() => undefined);
    if (!this.queue.length) return;
    this.flushing ??= this.home
      .runInAsyncScope(() => this.drain())
      .finally(() => {
        this.flushing = null;
        // A full batch that arrived during this flush does not wait for the next tick.
        if (!this.closed && this.queue.length >= this.config.batchSize) this.home.runInAsyncScope(() => setImmediate(() => void this.flush()));
      });
    await this.flushing;
  }

  /** Graceful shutdown: no more timer, and everything queued written (R-AUDIT: nothing read goes unrecorded). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (let i = 0; i < 5 && (this.queue.length || this.flushing); i++) {
      const before = this.stats.failures;
      await this.flush();
      if (this.stats.failures > before) break;
    }
    if (this.queue.length) this.logger.error('access log: reads not written at shutdown', { rows: this.queue.length });
  }

  private async drain(): Promise<void> {
    if (this.dropped) {
      this.logger.error('access log: reads dropped while the database refused the flushes', { rows: this.dropped });
      this.dropped = 0;
    }
    // Only what waited when the flush began: reads arriving meanwhile wait for the next tick (or
    // the batch size), so a busy instance writes one batch per interval, not one per write's duration.
    let due = this.queue.length;
    while (due > 0 && this.queue.length) {
      const rows = this.queue.slice(0, Math.min(due, this.config.batchSize));
      due -= rows.length;
      try {
        await this.db.tx((m) => this.writeBatch(m, rows));
        this.queue.splice(0, rows.length);
        this.stats.batches++;
        this.stats.rows += rows.length;
      } catch (err) {
        // Kept in the queue for the next flush; the message names no customer (ids stay in memory).
        this.stats.failures++;
        this.logger.error('access log flush failed', { rows: rows.length, error: err instanceof Error ? err.message : String(err) });
        return;
      }
    }
  }

  /** One batch: the head locked, the batch and its rows inserted, the head moved, in one transaction (may run again on a deadlock). */
  private async writeBatch(m: EntityManager, rows: AccessRow[]): Promise<void> {
    const head = await m.getRepository(CustomerAccessHead).findOne({ where: { id: 1 }, ...forUpdate(this.db.mysql) });
    if (!head) throw new Error('customer_access_head row missing: migrations have not run');
    const seq = head.seq + 1;
    const at = new Date();
    const hash = batchHash(head.hash, seq, at, rows);
    await m.getRepository(CustomerAccessBatch).insert({ seq, at, rowCount: rows.length, prevHash: head.hash, hash });
    // Plain bound multi-row INSERTs (src/db/raw.ts), 250 rows each: within either driver's parameter limit.
    const stored = new Map<Date, unknown>();
    const yes = persisted(m, CustomerAccess, 'revealed', true);
    const no = persisted(m, CustomerAccess, 'revealed', false);
    for (let i = 0; i < rows.length; i += 250) {
      const values = rows.slice(i, i + 250).map((r) => {
        // The reads of one request share one Date: converted once.
        if (!stored.has(r.at)) stored.set(r.at, persisted(m, CustomerAccess, 'at', r.at));
        return [seq, stored.get(r.at), r.userId, r.customerId, r.projectId, r.kind, r.revealed ? yes : no, r.route, r.requestId, r.ref];
      });
      await insertRows(m, CustomerAccess, COLUMNS, values);
    }
    await m.getRepository(CustomerAccessHead).update({ id: 1 }, { seq, hash });
  }

  /**
   * Retention (R-AUDIT, issue 14 §2): deletes the batches written before `now - retentionDays`
   * with their reads, whole batches only, so the chain stays verifiable from the first kept batch:
   * the summary event keeps the last removed batch's hash (the first kept batch's prevHash) and the
   * current head, and the audit trail it joins is signed by the digests. One event per run, also
   * when nothing was removed, so the head is anchored daily.
   */
  async purge(now = new Date()): Promise<{ removedBatches: number; removedRows: number; fromSeq: number | null; toSeq: number | null; lastRemovedHash: string | null; cutoff: string; head: { seq: number; hash: string } }> {
    const cutoff = new Date(now.getTime() - this.config.retentionDays * 86_400_000);
    return this.db.tx(async (m) => {
      const batches = m.getRepository(CustomerAccessBatch);
      const last = await batches.findOne({ where: { at: LessThan(cutoff) }, order: { seq: 'DESC' } });
      const first = last ? await batches.findOne({ where: {}, order: { seq: 'ASC' } }) : null;
      let removedRows = 0;
      let removedBatches = 0;
      if (last) {
        const rows = await m.createQueryBuilder().delete().from(CustomerAccess).where('batchSeq <= :seq', { seq: last.seq }).execute();
        removedRows = rows.affected ?? 0;
        const b = await m.createQueryBuilder().delete().from(CustomerAccessBatch).where('seq <= :seq', { seq: last.seq }).execute();
        removedBatches = b.affected ?? 0;
      }
      const head = await m.getRepository(CustomerAccessHead).findOneByOrFail({ id: 1 });
      const summary = {
        removedBatches,
        removedRows,
        fromSeq: first?.seq ?? null,
        toSeq: last?.seq ?? null,
        lastRemovedHash: last?.hash ?? null,
        cutoff: cutoff.toISOString(),
        head: { seq: head.seq, hash: head.hash },
      };
      await this.audit.append(m, SYSTEM_ACTOR, {
        action: PURGE_ACTION,
        objectType: 'access_log',
        objectId: last ? String(last.seq) : undefined,
        scope: COMPANY,
        reason: `retention ${this.config.retentionDays} days`,
        after: summary,
      });
      return summary;
    });
  }
}
