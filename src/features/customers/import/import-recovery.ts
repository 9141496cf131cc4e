import fs from 'node:fs';
import { EntityManager, In } from 'typeorm';
import { AuditWriter, SYSTEM_ACTOR } from '../../../audit/audit-writer';
import type { Database } from '../../../db/database';
import { CustomerImport, ImportStatus } from '../../../entities/CustomerImport';
import type { Logger } from '../../../logger';
import type { PolicyService } from '../../../policy/policy-service';
import { sweepKeptDryRuns } from './import-commit';

/** How often every instance looks for imports whose process stopped (see recoverInterrupted). */
export const IMPORT_SWEEP_EVERY_MS = 60_000;
/**
 * MySQL: an import younger than this is left to its owner even when its row is not locked: the
 * owner takes the lock a moment after recording the import (queued, then running), never later.
 */
const IMPORT_CLAIM_GRACE_MS = 60_000;
export const OPEN: ImportStatus[] = ['queued', 'running'];

/**
 * The service instances of this process that may own imports (several test apps share one process).
 * A runner id of this process naming an instance not in here is an instance that has stopped.
 */
export const openInstances = new Set<string>();

/**
 * Crash recovery of customer imports (issue 11, item 2): an import left queued/running by a
 * process that stopped is marked "interrupted", with its audit event, by whichever instance's
 * sweep gets there first, once. CustomerImportService delegates to this.
 */
export class ImportRecovery {
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<number> | null = null;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly logger: Logger,
    /** Whether this instance runs the import (it is then never swept). */
    private readonly owns: (id: string) => boolean,
    private readonly tempFile: (id: string) => string,
    /** IMPORT_DIR: where dry runs keep their files until committed or swept (import-commit.ts). */
    private readonly importDir: string,
    /** Tells who started it, in the transaction that marks it (customer_import.finished, interrupted). */
    private readonly tellStarter: (m: EntityManager, rec: CustomerImport) => Promise<void>,
  ) {}

  /**
   * Marks "interrupted" (with one customer.import_interrupted event and a message to who started
   * it, in the same transaction)
   * every import left queued or running by a process that stopped: its transaction never
   * committed, so nothing of it exists. Run at start-up and every minute on every instance
   * (startSweeping); a conditional update lets exactly one instance mark each import, once.
   *
   * An import is left alone while its owner may still be at it:
   * - this instance runs it;
   * - MySQL: its row is locked: the import's transaction is running, or the server is still
   *   rolling back the transaction of a process that was killed (a 200,000-row import can take
   *   minutes); the next sweep looks again. And it was recorded less than a minute ago (its
   *   owner takes the lock right after recording it);
   * - SQLite: its runner is a live process, or a live instance of this process.
   */
  async recoverInterrupted(now: Date = new Date()): Promise<number> {
    const open = await this.db.manager.getRepository(CustomerImport).find({ where: { status: In(OPEN) } });
    let marked = 0;
    for (const rec of open) {
      if (this.owns(rec.id)) continue;
      if (!this.db.mysql && this.runnerAlive(rec.runnerId)) continue;
      if (this.db.mysql && now.getTime() - (rec.startedAt ?? rec.createdAt).getTime() < IMPORT_CLAIM_GRACE_MS) continue;
      const done = await this.db.tx(async (m) => {
        if (this.db.mysql) {
          // SKIP LOCKED: no wait and no lock-wait error for a row its (possibly dead, rolling back) transaction holds.
          const free = (await m.query('SELECT id FROM customer_import WHERE id = ? AND status IN (?, ?) FOR UPDATE SKIP LOCKED', [rec.id, ...OPEN])) as unknown[];
          if (!free.length) return false;
        }
        const res = await m
          .createQueryBuilder()
          .update(CustomerImport)
          .set({ status: 'interrupted', finishedAt: new Date(), message: 'The process running this import stopped before it finished; nothing of it was written' })
          .where('id = :id AND status IN (:...open)', { id: rec.id, open: OPEN })
          .execute();
        if (!res.affected) return false;
        await this.audit.append(m, SYSTEM_ACTOR, {
          action: 'customer.import_interrupted',
          objectType: 'customer_import',
          objectId: rec.id,
          scope: await this.policy.projectScope(rec.projectId, m).catch(() => undefined),
          after: { importId: rec.id, previousStatus: rec.status, runnerId: rec.runnerId },
        });
        await this.tellStarter(m, rec);
        return true;
      });
      if (!done) continue;
      marked++;
      await fs.promises.rm(this.tempFile(rec.id), { force: true });
    }
    // Dry runs' kept files past their time (issue 12): nothing in the database names them.
    await sweepKeptDryRuns(this.importDir, now).catch((err: unknown) => this.logger.warn('could not sweep kept dry-run files', { error: String(err) }));
    return marked;
  }

  /** SQLite: whether the runner an import names is still there ("<host>/<pid>/<instance>"; older rows "sqlite:<pid>"). */
  private runnerAlive(runnerId: string | null): boolean {
    const parts = (runnerId ?? '').split(/[/:]/);
    const pid = Number(parts.length >= 3 ? parts[parts.length - 2] : parts[1]);
    if (!Number.isInteger(pid) || pid <= 0) return false;
    if (pid === process.pid) return parts.length >= 3 && openInstances.has(parts[parts.length - 1]);
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  /**
   * Runs recoverInterrupted every `everyMs` (one sweep at a time), until stopSweeping or until
   * the data source is closed. The timer does not keep the process alive.
   */
  startSweeping(everyMs: number = IMPORT_SWEEP_EVERY_MS): void {
    this.stopSweeping();
    this.sweepTimer = setInterval(() => {
      if (!this.db.ds.isInitialized) return this.stopSweeping();
      if (this.sweeping) return;
      this.sweeping = this.recoverInterrupted()
        .catch((err: unknown) => {
          this.logger.warn('interrupted-import sweep failed; the next one tries again', { error: err instanceof Error ? err.message : String(err) });
          return 0;
        })
        .finally(() => {
          this.sweeping = null;
        });
    }, everyMs);
    this.sweepTimer.unref();
  }

  /** Stops the periodic sweep (recoverInterrupted may still be called). */
  stopSweeping(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

}
