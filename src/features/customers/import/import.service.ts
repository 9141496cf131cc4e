import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { EntityManager } from 'typeorm';
import { AuditActor, AuditWriter } from '../../../audit/audit-writer';
import type { Config } from '../../../config/env';
import { Database, forUpdate } from '../../../db/database';
import { CustomerImport } from '../../../entities/CustomerImport';
import { AppError, NotFoundError } from '../../../errors';
import type { Logger } from '../../../logger';
import { PolicyService } from '../../../policy/policy-service';
import type { NotificationOutbox } from '../../notifications/notification.service';
import type { CustomerService } from '../customer.service';
import { Prepared, prepareImport } from './import-prepare';
import { IMPORT_SWEEP_EVERY_MS, ImportRecovery, OPEN, openInstances } from './import-recovery';
import { ImportRowWriter } from './import-rows';
import { auditCounts, freshState, outcome, RunState, summary } from './import-run-state';
import { importView, ImportRequest, ImportView } from './import.views';
import { committable, committedAs, commitUntil, keptFile, notCommittable } from './import-commit';
import { receiveUpload, Upload, uploadOfFile } from './upload';

export type { ImportRequest, ImportView } from './import.views';

type Acting = AuditActor & { id: number };

/** Thrown inside the import transaction to roll it back when an all-or-nothing import has row errors. */
class RowsRejected extends Error {}
/** Thrown inside the import transaction when the import is no longer this instance's to run (marked interrupted meanwhile). */
class NotOurs extends Error {}

/**
 * Bulk import of customer records (control data) into one project, from a CSV or XLSX file.
 *
 * - The route allows it by customer:import in the project (R-CTRL-IT allows the IT admin;
 *   R-CTRL-CLERK's deny line refuses information clerks; staff hold no such permission).
 * - The upload is streamed to a temp file, counting bytes (413 past IMPORT_MAX_BYTES); the
 *   format, encoding, header and (XLSX) zip-bomb checks answer 400 before anything runs.
 * - A real import is ONE transaction: the customers, their blind-index lookups, the one audit
 *   event (counts, never values: R-AUDIT) and the import record's move to "succeeded" commit
 *   together or not at all. A process killed mid-import leaves nothing of it.
 * - Crash recovery (issue 11, item 2): an import left queued/running by a process that stopped
 *   is marked "interrupted", with its audit event, by whichever instance's sweep (at start and
 *   every minute: startSweeping) gets there first, once. Who owns an import: on MySQL, the
 *   import's transaction holds its row lock from its first statement to its end, and a crashed
 *   one's until the server has finished rolling it back; the sweep takes only unlocked rows
 *   (FOR UPDATE SKIP LOCKED), so it never marks an import whose rollback is still running. On
 *   SQLite the runner id names the process and the service instance; a dead process (or a
 *   stopped instance of this one) owns nothing, and its transaction was rolled back by SQLite.
 * - Personal fields are encrypted exactly as by the API (R-SECRET); row errors name the row,
 *   the column and the problem, never the value.
 * - Progress: kept in memory for the imports this process runs (GET overlays it) and written
 *   to the import row by the import's own transaction (never a second connection inside it:
 *   issue 11); on MySQL another instance's GET reads those uncommitted counts (loadProgress).
 */
export class CustomerImportService {
  private readonly live = new Map<string, { rec: CustomerImport; st: RunState }>();
  private readonly jobs = new Map<string, Promise<void>>();
  /** This instance (see openInstances), and the runner id its imports carry: "<host>/<pid>/<instance>". */
  private readonly instance = crypto.randomBytes(6).toString('hex');
  readonly runnerId = `${os.hostname().slice(0, 40)}/${process.pid}/${this.instance}`;
  private readonly rows: ImportRowWriter;
  private readonly recovery: ImportRecovery;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly customers: CustomerService,
    private readonly policy: PolicyService,
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly outbox: NotificationOutbox,
  ) {
    openInstances.add(this.instance);
    this.rows = new ImportRowWriter(db.mysql, customers);
    this.recovery = new ImportRecovery(
      db,
      audit,
      policy,
      logger,
      (id) => this.jobs.has(id) || this.live.has(id),
      (id) => this.tempFile(id),
      this.config.importDir,
      async (m, rec) => {
        const scope = await policy.projectScope(rec.projectId, m).catch(() => `project:${rec.projectId}`);
        await this.tellStarter(m, rec, { rows: rec.totalRows, created: 0, updated: 0, skipped: 0, errorCount: 0 }, scope, 'interrupted');
      },
    );
  }

  tempFile(id: string): string {
    return path.resolve(this.config.importDir, `${id}.upload`);
  }

  /** Where a dry run that may be committed keeps its file (import-commit.ts). */
  private keptFile(id: string): string {
    return keptFile(this.config.importDir, id);
  }

  // ---- start ----------------------------------------------------------------------------

  /**
   * Receives the file and checks it; small files are imported before answering (200 dry run,
   * 201 import, 422 import_failed), larger ones answer 202 and run in the background.
   */
  async start(actor: Acting, body: Readable & { headers: Record<string, unknown> }, r: ImportRequest): Promise<{ status: number; view: ImportView }> {
    const project = await this.customers.projectByCode(r.projectCode);
    const id = crypto.randomUUID();
    const file = this.tempFile(id);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const upload = await receiveUpload(body as never, file, this.config.importMaxBytes);
    let prepared: Prepared;
    try {
      prepared = await prepareImport(file, upload);
    } catch (err) {
      await fs.promises.rm(file, { force: true });
      throw err;
    }
    const rec = this.newRecord(actor, id, project.id, r, upload, prepared);
    try {
      await this.db.tx((m) => m.getRepository(CustomerImport).insert(rec));
    } catch (err) {
      // No record points at the upload: nothing would ever remove it (it holds personal data).
      await fs.promises.rm(file, { force: true });
      throw err;
    }
    return this.run(actor, rec, prepared);
  }

  private newRecord(actor: Acting, id: string, projectId: number, r: Pick<ImportRequest, 'dryRun' | 'onError' | 'fileName'>, upload: Upload, prepared: Prepared): CustomerImport {
    return Object.assign(new CustomerImport(), {
      id,
      projectId,
      status: 'queued' as const,
      dryRun: r.dryRun,
      onError: r.onError,
      format: upload.format,
      fileName: r.fileName,
      byteSize: upload.bytes,
      totalRows: prepared.rows,
      processedRows: 0,
      created: 0,
      updated: 0,
      skipped: 0,
      errors: [],
      errorCount: 0,
      createdById: actor.id,
      runnerId: this.runnerId,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
      message: null,
    });
  }

  /** Runs a recorded import: inline for small files (200 dry run, 201 import, 422 import_failed), in the background above IMPORT_INLINE_ROWS (202). */
  private async run(actor: Acting, rec: CustomerImport, prepared: Prepared): Promise<{ status: number; view: ImportView }> {
    const id = rec.id;
    if (prepared.rows > this.config.importInlineRows) {
      const job = this.execute(actor, rec, prepared)
        .catch((err) => {
          this.logger.error('customer import failed unexpectedly', { importId: id, error: String(err) });
        })
        .finally(() => this.jobs.delete(id));
      this.jobs.set(id, job);
      return { status: 202, view: this.view(rec) };
    }
    await this.execute(actor, rec, prepared);
    const done = this.view(await this.load(id));
    if (done.status !== 'succeeded') throw new AppError(422, 'import_failed', done.message ?? 'The import failed; nothing was written', done);
    return { status: rec.dryRun ? 200 : 201, view: done };
  }

  // ---- commit a dry run (issue 12) --------------------------------------------------------

  /**
   * Runs the real import of a dry run from the file it kept (import-commit.ts), as the dry run
   * asked (same project, onError and file name). 409 import_not_committable when it is not a
   * finished dry run, when it was all-or-nothing and found row errors, when it was committed
   * already, or when its file is gone (past DRY_RUN_KEEP_MS, or kept by another instance).
   * Marking the dry run committed, recording the import and the customer.import_committed event
   * are one transaction; the import itself then runs, and is audited, as any import.
   */
  async commit(actor: Acting, dry: CustomerImport): Promise<{ status: number; view: ImportView }> {
    if (!dry.dryRun || dry.status !== 'succeeded') throw notCommittable('not_dry_run', dry);
    if (committedAs(dry)) throw notCommittable('committed', dry);
    if (!committable(dry)) throw notCommittable('row_errors', dry);
    const until = commitUntil(dry);
    if (!until || until.getTime() <= Date.now()) throw notCommittable('expired', dry);
    const id = crypto.randomUUID();
    const kept = this.keptFile(dry.id);
    let upload: Upload;
    let prepared: Prepared;
    try {
      upload = await uploadOfFile(kept);
      prepared = await prepareImport(kept, upload);
    } catch (err) {
      // Gone: swept past its time (or IMPORT_DIR is not the volume the other instances mount).
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const now = await this.load(dry.id);
      throw notCommittable(committedAs(now) ? 'committed' : 'expired', now);
    }
    const rec = this.newRecord(actor, id, dry.projectId, { dryRun: false, onError: dry.onError, fileName: dry.fileName }, upload, prepared);
    const scope = `project:${this.projectCode(dry.projectId)}`;
    // The dry run's row decides: of two commits at once (on any instance), one marks it.
    await this.db.tx(async (m) => {
      const marked = await m
        .createQueryBuilder()
        .update(CustomerImport)
        .set({ committedAsId: id })
        .where('id = :id AND status = :succeeded AND committedAsId IS NULL', { id: dry.id, succeeded: 'succeeded' })
        .execute();
      if (!marked.affected) throw notCommittable('committed', dry);
      await m.getRepository(CustomerImport).insert(rec);
      await this.audit.append(m, actor, { action: 'customer.import_committed', objectType: 'customer_import', objectId: dry.id, scope, after: { dryRunId: dry.id, importId: id, onError: dry.onError, rows: prepared.rows } });
    });
    // The file becomes the import's own (removed when it ends, or by the sweep if this process stops).
    const file = this.tempFile(id);
    try {
      await fs.promises.rename(kept, file);
    } catch (err) {
      this.logger.warn('a committed dry run lost its file before the import started', { importId: id, error: String(err) });
      await this.finishFailed(actor, rec, freshState(), scope, 'The dry run\'s file was removed before the import started; nothing was written: upload the file again');
      throw new AppError(422, 'import_failed', 'The import failed; nothing was written', this.view(await this.load(id)));
    }
    prepared.file = file;
    return this.run(actor, rec, prepared);
  }

  /** Resolves when a background import of this process has finished (for tests and the benchmark). */
  async whenSettled(id: string): Promise<void> {
    await this.jobs.get(id);
  }
  // ---- run ------------------------------------------------------------------------------

  private async execute(actor: Acting, rec: CustomerImport, prep: Prepared): Promise<void> {
    const id = rec.id;
    const st: RunState = freshState();
    this.live.set(id, { rec, st });
    let keep = false;
    try {
      const startedAt = new Date();
      const moved = await this.db.tx((m) =>
        m
          .createQueryBuilder()
          .update(CustomerImport)
          .set({ status: 'running', startedAt })
          .where('id = :id AND status = :queued AND runnerId = :runner', { id, queued: 'queued', runner: this.runnerId })
          .execute(),
      );
      if (!moved.affected) return; // marked interrupted in the meantime
      Object.assign(rec, { status: 'running', startedAt });
      const scope = `project:${this.projectCode(rec.projectId)}`;

      if (rec.dryRun) {
        try {
          // SQLite: read outside a transaction (one would hold the database's write lock for the whole file).
          if (!this.db.mysql) await this.rows.process(this.db.manager, actor, rec, prep, st, false);
          await this.db.tx(async (m) => {
            if (this.db.mysql) {
              // MySQL: the dry run holds its row lock too, so that no sweep takes it for a stopped one.
              await this.claim(m, rec);
              Object.assign(st, freshState()); // db.tx may run this again after a deadlock
              await this.rows.process(m, actor, rec, prep, st, false);
            }
            await this.finish(m, rec, outcome('succeeded', st, `Dry run: nothing was written. ${summary(rec, st)}`));
            await this.audit.append(m, actor, { action: 'customer.import_checked', objectType: 'customer_import', objectId: id, scope, after: auditCounts(rec, st) });
            await this.tellStarter(m, rec, st, scope, 'succeeded');
          });
          // A dry run that may be committed keeps its file for a while (import-commit.ts).
          keep = st.errorCount === 0 || rec.onError === 'skip';
        } catch (err) {
          if (err instanceof NotOurs) return;
          return await this.finishFailed(actor, rec, st, scope, this.failureMessage(err));
        }
        return;
      }

      try {
        await this.db.tx(async (m) => {
          // First statement: the import's row lock (MySQL), held until this transaction ends, or
          // until a crashed one has been rolled back: what recoverInterrupted asks about.
          await this.claim(m, rec);
          Object.assign(st, freshState()); // db.tx may run this again after a deadlock
          await this.rows.process(m, actor, rec, prep, st, true);
          if (st.errorCount && rec.onError === 'abort') throw new RowsRejected();
          await this.audit.append(m, actor, { action: 'customer.imported', objectType: 'customer_import', objectId: id, scope, after: auditCounts(rec, st) });
          await this.finish(m, rec, outcome('succeeded', st, summary(rec, st)));
          await this.tellStarter(m, rec, st, scope, 'succeeded');
        });
      } catch (err) {
        if (err instanceof NotOurs) return;
        const message =
          err instanceof RowsRejected
            ? `${st.errorCount} row(s) have errors; nothing was written (send onError=skip to import the valid rows)`
            : this.failureMessage(err);
        await this.finishFailed(actor, rec, st, scope, message);
      }
    } finally {
      this.live.delete(id);
      if (keep) await this.keep(prep.file, id);
      else await fs.promises.rm(prep.file, { force: true });
    }
  }

  /** Keeps a dry run's file under its kept name, dated now (the sweep counts DRY_RUN_KEEP_MS from then). */
  private async keep(file: string, id: string): Promise<void> {
    const kept = this.keptFile(id);
    try {
      await fs.promises.rename(file, kept);
      const now = new Date();
      await fs.promises.utimes(kept, now, now);
    } catch (err) {
      this.logger.warn('could not keep a dry run file; it cannot be committed', { importId: id, error: String(err) });
      await fs.promises.rm(file, { force: true });
    }
  }

  /** Locks the import's row for the transaction (MySQL) and checks that it is still this instance's, running. */
  private async claim(m: EntityManager, rec: CustomerImport): Promise<void> {
    const row = await m.getRepository(CustomerImport).findOne({ where: { id: rec.id }, select: { id: true, status: true, runnerId: true }, ...forUpdate(this.db.mysql) });
    if (!row || row.status !== 'running' || row.runnerId !== this.runnerId) throw new NotOurs();
  }

  /** The outcome, on the condition that the import is still running (a sweep that marked it interrupted wins). */
  private async finish(m: EntityManager, rec: CustomerImport, outcome: Partial<CustomerImport>): Promise<void> {
    const done = await m.createQueryBuilder().update(CustomerImport).set(outcome).where('id = :id AND status = :running', { id: rec.id, running: 'running' }).execute();
    if (!done.affected) throw new NotOurs();
  }

  private failureMessage(err: unknown): string {
    if (err instanceof AppError) return `${err.message}; nothing was written`;
    this.logger.error('customer import failed', { error: err instanceof Error ? err.message : String(err) });
    return 'The import failed on an unexpected error (logged); nothing was written';
  }

  /** A failed import: nothing of it was written; the record says why, and so does the audit trail. */
  private async finishFailed(actor: Acting, rec: CustomerImport, st: RunState, scope: string, message: string): Promise<void> {
    const counts = rec.dryRun ? {} : { created: 0, updated: 0, skipped: 0 };
    await this.db.tx(async (m) => {
      // Conditional: between the rollback and here the row is unlocked, and a sweep may have marked it interrupted (then that is its one outcome).
      const res = await m
        .createQueryBuilder()
        .update(CustomerImport)
        .set({ ...outcome('failed', st, message), ...counts })
        .where('id = :id AND status IN (:...open)', { id: rec.id, open: OPEN })
        .execute();
      if (!res.affected) return;
      await this.audit.append(m, actor, {
        action: 'customer.import_failed',
        objectType: 'customer_import',
        objectId: rec.id,
        scope,
        decision: 'allow',
        after: { ...auditCounts(rec, st), ...counts },
      });
      await this.tellStarter(m, rec, rec.dryRun ? st : { ...st, ...counts }, scope, 'failed');
    });
  }

  /** The outcome, to who started the import: counts only (never the file's name: it may name a customer; the reason stays on the record). */
  private async tellStarter(m: EntityManager, rec: CustomerImport, st: Pick<RunState, 'rows' | 'created' | 'updated' | 'skipped' | 'errorCount'>, scope: string, status: 'succeeded' | 'failed' | 'interrupted'): Promise<void> {
    if (rec.createdById === null) return;
    await this.outbox.enqueue(m, {
      recipientId: rec.createdById,
      kind: 'customer_import.finished',
      params: {
        importId: rec.id,
        project: scope.slice('project:'.length),
        status,
        dryRun: rec.dryRun ? 1 : 0,
        rows: st.rows,
        created: st.created,
        updated: st.updated,
        skipped: st.skipped,
        errors: st.errorCount,
      },
      objectType: 'customer_import',
      objectId: rec.id,
      dedupeKey: `customer_import.finished:${rec.id}`,
      scope,
    });
  }

  // ---- read -----------------------------------------------------------------------------

  private projectCode(projectId: number): string {
    return this.policy.projectCode(projectId) ?? String(projectId);
  }

  view(rec: CustomerImport): ImportView {
    return importView(rec, this.projectCode(rec.projectId), this.live.get(rec.id)?.st);
  }

  async load(id: string): Promise<CustomerImport> {
    const rec = await this.db.manager.getRepository(CustomerImport).findOneBy({ id });
    if (!rec) throw new NotFoundError('Import', id);
    if (rec.status === 'running' && this.db.mysql && !this.live.has(id)) Object.assign(rec, await this.loadProgress(id));
    return rec;
  }

  /**
   * MySQL: the progress another instance's import has written in its (uncommitted) transaction.
   * Only the counters are read this way; the status is always the committed one.
   */
  private async loadProgress(id: string): Promise<Partial<CustomerImport>> {
    const row = await this.db.ds.transaction('READ UNCOMMITTED', (m) =>
      m.getRepository(CustomerImport).findOne({ where: { id }, select: { id: true, totalRows: true, processedRows: true } }),
    );
    return row ? { totalRows: row.totalRows, processedRows: row.processedRows } : {};
  }

  scopeOf(rec: CustomerImport): Promise<string> {
    return this.policy.projectScope(rec.projectId);
  }

  // ---- crash recovery (import-recovery.ts) ----------------------------------------------

  /** Marks "interrupted" every import left queued or running by a process that stopped (see ImportRecovery). */
  recoverInterrupted(now: Date = new Date()): Promise<number> {
    return this.recovery.recoverInterrupted(now);
  }

  /** Runs recoverInterrupted every `everyMs` (one sweep at a time), until stopSweeping or until the data source is closed. */
  startSweeping(everyMs: number = IMPORT_SWEEP_EVERY_MS): void {
    this.recovery.startSweeping(everyMs);
  }

  /** Stops the periodic sweep (recoverInterrupted may still be called). */
  stopSweeping(): void {
    this.recovery.stopSweeping();
  }

  /** Shutdown: no more sweeps, and (SQLite) this instance's imports, if any were left, count as stopped for the others. */
  close(): void {
    this.recovery.stopSweeping();
    openInstances.delete(this.instance);
  }
}
