import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { EntityManager, In } from 'typeorm';
import { AuditActor, AuditWriter, SYSTEM_ACTOR } from '../../../audit/audit-writer';
import type { Config } from '../../../config/env';
import { Database, forUpdate } from '../../../db/database';
import { Customer } from '../../../entities/Customer';
import { CustomerImport, ImportFormat, ImportOnError, ImportRowError, ImportStatus } from '../../../entities/CustomerImport';
import { CustomerLookup } from '../../../entities/CustomerLookup';
import { AppError, NotFoundError } from '../../../errors';
import type { Logger } from '../../../logger';
import { PolicyService } from '../../../policy/policy-service';
import type { CustomerService, PersonalData } from '../customer.service';
import { ColumnIndex, mapHeader } from './columns';
import { detectEncoding, FileRow, readCsv, TextEncoding } from './csv-reader';
import { validateRow, ValidRow } from './row-validator';
import { receiveUpload, Upload } from './upload';
import { readXlsx } from './xlsx-reader';
import { checkXlsxArchive } from './zip-guard';

type Acting = AuditActor & { id: number };

const CUSTOMER_COLUMNS = ['projectId', 'name', 'unit', 'nationality', 'phonesEnc', 'idNumberEnc', 'employerEnc', 'emailEnc', 'emergencyContactEnc', 'keyId', 'notes', 'createdById', 'updatedById', 'createdAt', 'updatedAt'] as const;

/** Rows written per INSERT statement (customers; their lookups follow in one statement). */
const BATCH = 500;
/** Row errors kept on the import record (errorCount has the total), and their JSON size. */
const MAX_KEPT_ERRORS = 1000;
const MAX_ERRORS_JSON = 60_000;
/** Progress is written to the import row (inside the import's transaction) at most this often. */
const PROGRESS_EVERY_MS = 1000;
/** How often every instance looks for imports whose process stopped (see recoverInterrupted). */
export const IMPORT_SWEEP_EVERY_MS = 60_000;
/**
 * MySQL: an import younger than this is left to its owner even when its row is not locked: the
 * owner takes the lock a moment after recording the import (queued, then running), never later.
 */
const IMPORT_CLAIM_GRACE_MS = 60_000;
const OPEN: ImportStatus[] = ['queued', 'running'];

/**
 * The service instances of this process that may own imports (several test apps share one process).
 * A runner id of this process naming an instance not in here is an instance that has stopped.
 */
const openInstances = new Set<string>();

export interface ImportRequest {
  projectCode: string;
  dryRun: boolean;
  onError: ImportOnError;
  fileName: string | null;
}

export interface ImportView {
  id: string;
  project: string;
  status: ImportStatus;
  dryRun: boolean;
  onError: ImportOnError;
  format: ImportFormat;
  fileName: string | null;
  byteSize: number;
  totalRows: number;
  processedRows: number;
  created: number;
  updated: number;
  skipped: number;
  errorCount: number;
  errors: ImportRowError[];
  createdById: number | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  message: string | null;
}

/** What the checks before the import found out about the file. */
interface Prepared {
  file: string;
  format: ImportFormat;
  encoding: TextEncoding;
  index: ColumnIndex;
  width: number;
  rows: number;
}

interface RunState {
  processed: number;
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  errors: ImportRowError[];
  errorsJson: number;
  errorCount: number;
  /** Blind-index digest of every phone and ID number seen so far in the file → its row. */
  seen: Map<string, number>;
  /** Existing customers already updated by a row of this file. */
  touched: Set<number>;
  lastProgress: number;
}

/** Thrown inside the import transaction to roll it back when an all-or-nothing import has row errors. */
class RowsRejected extends Error {}
/** Thrown inside the import transaction when the import is no longer this instance's to run (marked interrupted meanwhile). */
class NotOurs extends Error {}

const freshState = (): RunState => ({
  processed: 0,
  rows: 0,
  created: 0,
  updated: 0,
  skipped: 0,
  errors: [],
  errorsJson: 2,
  errorCount: 0,
  seen: new Map(),
  touched: new Set(),
  lastProgress: Date.now(),
});

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
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<number> | null = null;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly customers: CustomerService,
    private readonly policy: PolicyService,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    openInstances.add(this.instance);
  }

  tempFile(id: string): string {
    return path.resolve(this.config.importDir, `${id}.upload`);
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
      prepared = await this.prepare(file, upload);
    } catch (err) {
      await fs.promises.rm(file, { force: true });
      throw err;
    }
    const rec = Object.assign(new CustomerImport(), {
      id,
      projectId: project.id,
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
    await this.db.tx((m) => m.getRepository(CustomerImport).insert(rec));

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
    return { status: r.dryRun ? 200 : 201, view: done };
  }

  /** Resolves when a background import of this process has finished (for tests and the benchmark). */
  async whenSettled(id: string): Promise<void> {
    await this.jobs.get(id);
  }

  /** Format, encoding, header and safety checks; any failure is a 400 and nothing is recorded. */
  private async prepare(file: string, upload: Upload): Promise<Prepared> {
    if (upload.format === 'xlsx') {
      await checkXlsxArchive(file);
      const rows = readXlsx(file);
      const header = await rows.next();
      if (header.done) throw new AppError(400, 'empty_file', 'The worksheet is empty: the first row must name the columns');
      const { index, width } = mapHeader(header.value.cells);
      let n = 0;
      for await (const _ of rows) n++;
      return { file, format: 'xlsx', encoding: 'utf-8', index, width, rows: n };
    }
    const encoding = await detectEncoding(file, upload.utf8);
    const rows = readCsv(file, encoding);
    const header = await rows.next();
    await rows.return(undefined);
    if (header.done) throw new AppError(400, 'empty_file', 'The file is empty: the first line must name the columns');
    const { index, width } = mapHeader(header.value.cells);
    // Data rows, counted from the line feeds (exact unless a quoted value spans lines); exact once run.
    const lines = upload.lineFeeds + (upload.endsWithLineFeed ? 0 : 1);
    return { file, format: 'csv', encoding, index, width, rows: Math.max(0, lines - header.value.row) };
  }

  private rowsOf(p: Prepared): AsyncGenerator<FileRow> {
    return p.format === 'xlsx' ? readXlsx(p.file) : readCsv(p.file, p.encoding);
  }

  // ---- run ------------------------------------------------------------------------------

  private async execute(actor: Acting, rec: CustomerImport, prep: Prepared): Promise<void> {
    const id = rec.id;
    const st: RunState = freshState();
    this.live.set(id, { rec, st });
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
          if (!this.db.mysql) await this.process(this.db.manager, actor, rec, prep, st, false);
          await this.db.tx(async (m) => {
            if (this.db.mysql) {
              // MySQL: the dry run holds its row lock too, so that no sweep takes it for a stopped one.
              await this.claim(m, rec);
              Object.assign(st, freshState()); // db.tx may run this again after a deadlock
              await this.process(m, actor, rec, prep, st, false);
            }
            await this.finish(m, rec, this.outcome('succeeded', st, `Dry run: nothing was written. ${this.summary(rec, st)}`));
            await this.audit.append(m, actor, { action: 'customer.import_checked', objectType: 'customer_import', objectId: id, scope, after: this.auditCounts(rec, st) });
          });
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
          await this.process(m, actor, rec, prep, st, true);
          if (st.errorCount && rec.onError === 'abort') throw new RowsRejected();
          await this.audit.append(m, actor, { action: 'customer.imported', objectType: 'customer_import', objectId: id, scope, after: this.auditCounts(rec, st) });
          await this.finish(m, rec, this.outcome('succeeded', st, this.summary(rec, st)));
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
      await fs.promises.rm(prep.file, { force: true });
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
        .set({ ...this.outcome('failed', st, message.slice(0, 500)), ...counts })
        .where('id = :id AND status IN (:...open)', { id: rec.id, open: OPEN })
        .execute();
      if (!res.affected) return;
      await this.audit.append(m, actor, {
        action: 'customer.import_failed',
        objectType: 'customer_import',
        objectId: rec.id,
        scope,
        decision: 'allow',
        after: { ...this.auditCounts(rec, st), ...counts },
      });
    });
  }

  private outcome(status: ImportStatus, st: RunState, message: string): Partial<CustomerImport> {
    return {
      status,
      totalRows: st.rows,
      processedRows: st.processed,
      created: st.created,
      updated: st.updated,
      skipped: st.skipped,
      errors: st.errors,
      errorCount: st.errorCount,
      finishedAt: new Date(),
      message: message.slice(0, 500),
    };
  }

  private summary(rec: CustomerImport, st: RunState): string {
    const verb = rec.dryRun ? 'would be ' : '';
    return `${st.rows} row(s): ${st.created} ${verb}created, ${st.updated} ${verb}updated, ${st.skipped} ${verb}skipped; ${st.errorCount} with errors`;
  }

  /** What the audit trail records of an import: counts and ids, never a value (R-AUDIT, R-SECRET). */
  private auditCounts(rec: CustomerImport, st: RunState) {
    return {
      importId: rec.id,
      format: rec.format,
      dryRun: rec.dryRun,
      onError: rec.onError,
      byteSize: rec.byteSize,
      rows: st.rows,
      created: st.created,
      updated: st.updated,
      skipped: st.skipped,
      errorCount: st.errorCount,
    };
  }

  private addError(st: RunState, e: ImportRowError): void {
    st.errorCount++;
    if (st.errors.length >= MAX_KEPT_ERRORS) return;
    const size = JSON.stringify(e).length + 1;
    if (st.errorsJson + size > MAX_ERRORS_JSON) return;
    st.errorsJson += size;
    st.errors.push(e);
  }

  /** Reads, validates and (when `write`) writes every row, in batches. */
  private async process(m: EntityManager, actor: Acting, rec: CustomerImport, prep: Prepared, st: RunState, write: boolean): Promise<void> {
    let batch: ValidRow[] = [];
    let inFlight: Promise<void> = Promise.resolve();
    let header = true;
    try {
      for await (const r of this.rowsOf(prep)) {
        if (header) {
          header = false;
          continue;
        }
        st.rows++;
        const v = validateRow(this.customers, prep.index, prep.width, r.row, r.cells);
        if (!v.ok) {
          for (const e of v.errors) this.addError(st, e);
          st.skipped++;
          st.processed++;
          continue;
        }
        batch.push(v.value);
        if (batch.length >= BATCH) {
          // One batch in flight: the database writes batch N while the next rows are read and
          // validated. Statements still run in order on the one connection of the transaction.
          await inFlight;
          inFlight = this.batch(m, actor, rec, prep, st, batch, write).then(() => this.progress(m, rec, st));
          inFlight.catch(() => undefined); // awaited (and rethrown) at the next batch or the end
          batch = [];
        }
      }
    } catch (err) {
      await inFlight.catch(() => undefined); // let the batch in flight finish before the rollback
      throw err;
    }
    await inFlight;
    if (batch.length) await this.batch(m, actor, rec, prep, st, batch, write);
  }

  /** Through the import's own transaction (its row is locked by it): readable by other instances with loadProgress. */
  private async progress(m: EntityManager, rec: CustomerImport, st: RunState): Promise<void> {
    if (Date.now() - st.lastProgress < PROGRESS_EVERY_MS) return;
    st.lastProgress = Date.now();
    await m.getRepository(CustomerImport).update({ id: rec.id }, { processedRows: st.processed, totalRows: Math.max(rec.totalRows, st.rows) });
  }

  /**
   * One batch: duplicates within the file are row errors; a row whose phone or ID number
   * belongs to an existing customer of the project updates that customer; the rest are created.
   */
  private async batch(m: EntityManager, actor: Acting, rec: CustomerImport, prep: Prepared, st: RunState, rows: ValidRow[], write: boolean): Promise<void> {
    const projectId = rec.projectId;
    const candidates: { v: ValidRow; digests: { kind: 'phone' | 'id_number'; digest: string }[] }[] = [];
    for (const v of rows) {
      const digests = this.customers.lookupsFor({ id: 0, projectId }, v.personal).map((l) => ({ kind: l.kind!, digest: l.digest! }));
      const dup = digests.find((d) => st.seen.has(d.digest));
      if (dup) {
        this.addError(st, {
          row: v.row,
          column: dup.kind === 'phone' ? 'phones' : 'idNumber',
          message: `the same ${dup.kind === 'phone' ? 'phone number' : 'ID number'} is on row ${st.seen.get(dup.digest)} of this file`,
        });
        st.skipped++;
        continue;
      }
      for (const d of digests) st.seen.set(d.digest, v.row);
      candidates.push({ v, digests });
    }

    // By (projectId, kind, digest): the whole index idx_customer_lookup_value, not a scan of the project.
    const owners = new Map<string, Set<number>>();
    for (const kind of ['phone', 'id_number'] as const) {
      const digests = candidates.flatMap((c) => c.digests.filter((d) => d.kind === kind).map((d) => d.digest));
      for (let i = 0; i < digests.length; i += 1000) {
        const found = await m.getRepository(CustomerLookup).find({ where: { projectId, kind, digest: In(digests.slice(i, i + 1000)) }, select: { customerId: true, digest: true } });
        for (const f of found) {
          if (!owners.has(f.digest)) owners.set(f.digest, new Set());
          owners.get(f.digest)!.add(f.customerId);
        }
      }
    }

    const creates: { v: ValidRow; digests: { kind: 'phone' | 'id_number'; digest: string }[] }[] = [];
    const updates: { v: ValidRow; customerId: number }[] = [];
    for (const c of candidates) {
      const ids = new Set(c.digests.flatMap((d) => [...(owners.get(d.digest) ?? [])]));
      if (ids.size > 1) {
        this.addError(st, { row: c.v.row, column: null, message: `the phone numbers and ID number belong to ${ids.size} different existing customers (ids ${[...ids].join(', ')})` });
        st.skipped++;
      } else if (ids.size === 1) {
        const customerId = [...ids][0];
        if (st.touched.has(customerId)) {
          this.addError(st, { row: c.v.row, column: null, message: `an earlier row of this file already updates the same existing customer (id ${customerId})` });
          st.skipped++;
          continue;
        }
        st.touched.add(customerId);
        updates.push({ v: c.v, customerId });
      } else creates.push(c);
    }
    st.created += creates.length;
    st.updated += updates.length;
    st.processed += rows.length;

    // An all-or-nothing import with errors will be rolled back: stop writing, keep validating.
    if (!write || (rec.onError === 'abort' && st.errorCount > 0)) return;
    await this.insertCustomers(m, actor, projectId, creates);
    await this.updateCustomers(m, actor, projectId, prep.index, updates);
  }

  private async insertCustomers(m: EntityManager, actor: Acting, projectId: number, rows: { v: ValidRow; digests: { kind: 'phone' | 'id_number'; digest: string }[] }[]): Promise<void> {
    if (!rows.length) return;
    const now = this.persisted(m, Customer, 'createdAt', new Date());
    const values = rows.map(({ v }) => {
      const c = new Customer();
      this.customers.encryptPersonal(c, v.personal);
      return [projectId, v.name, v.unit, v.nationality, c.phonesEnc, c.idNumberEnc, c.employerEnc, c.emailEnc, c.emergencyContactEnc, c.keyId, v.notes, actor.id, actor.id, now, now];
    });
    const raw = await this.insertRaw(m, Customer, CUSTOMER_COLUMNS, values);
    // One multi-row INSERT gets consecutive ids (SQLite: one writer; InnoDB: a "simple insert").
    const first = this.db.mysql ? Number((raw as { insertId: number }).insertId) : Number(raw) - values.length + 1;
    // The blind-index digests computed for the dedupe (CustomerService.lookupsFor), now with their ids.
    const lookups = rows.flatMap((r, i) => r.digests.map((d) => ({ customerId: first + i, projectId, kind: d.kind, digest: d.digest })));
    await this.insertLookups(m, lookups);
  }

  /** The value as the driver stores it (dates: SQLite wants its text form, mysql2 takes a Date). */
  private persisted(m: EntityManager, entity: Function, property: string, value: unknown): unknown {
    return m.connection.driver.preparePersistentValue(value, m.connection.getMetadata(entity).findColumnWithPropertyName(property)!);
  }

  /**
   * A plain multi-row INSERT: TypeORM's query builder spends most of an import's CPU time
   * building the parameters of 500-row statements; the values here are already prepared.
   */
  private insertRaw(m: EntityManager, entity: Function, properties: readonly string[], rows: unknown[][]): Promise<unknown> {
    const meta = m.connection.getMetadata(entity);
    const d = m.connection.driver;
    const cols = properties.map((p) => d.escape(meta.findColumnWithPropertyName(p)!.databaseName)).join(', ');
    const one = `(${properties.map(() => '?').join(', ')})`;
    return m.query(`INSERT INTO ${d.escape(meta.tableName)} (${cols}) VALUES ${rows.map(() => one).join(', ')}`, rows.flat());
  }

  private async insertLookups(m: EntityManager, lookups: Partial<CustomerLookup>[]): Promise<void> {
    for (let i = 0; i < lookups.length; i += 1000) {
      const chunk = lookups.slice(i, i + 1000).map((l) => [l.customerId, l.projectId, l.kind, l.digest]);
      await this.insertRaw(m, CustomerLookup, ['customerId', 'projectId', 'kind', 'digest'], chunk);
    }
  }

  /** A row matching an existing customer replaces the fields whose columns the file has; the others stay. */
  private async updateCustomers(m: EntityManager, actor: Acting, projectId: number, index: ColumnIndex, rows: { v: ValidRow; customerId: number }[]): Promise<void> {
    if (!rows.length) return;
    const ids = rows.map((r) => r.customerId);
    const existing = new Map((await m.getRepository(Customer).findBy({ id: In(ids) })).map((c) => [c.id, c]));
    const has = (col: keyof ColumnIndex) => index[col] !== undefined;
    const lookups: Partial<CustomerLookup>[] = [];
    const now = new Date();
    for (const { v, customerId } of rows) {
      const c = existing.get(customerId)!;
      const before = this.customers.decryptPersonal(c);
      const p: PersonalData = {
        phones: has('phones') ? v.personal.phones : before.phones,
        idNumber: has('idNumber') ? v.personal.idNumber : before.idNumber,
        employer: has('employer') ? v.personal.employer : before.employer,
        email: has('email') ? v.personal.email : before.email,
        emergencyContact: has('emergencyContact') ? v.personal.emergencyContact : before.emergencyContact,
      };
      Object.assign(c, { name: v.name, unit: v.unit, nationality: has('nationality') ? v.nationality : c.nationality, notes: has('notes') ? v.notes : c.notes, updatedById: actor.id, updatedAt: now });
      this.customers.encryptPersonal(c, p);
      const { id, createdAt: _c, createdById: _b, ...fields } = c;
      await m.getRepository(Customer).update({ id }, fields);
      lookups.push(...this.customers.lookupsFor(c, p));
    }
    await m.getRepository(CustomerLookup).delete({ customerId: In(ids) });
    await this.insertLookups(m, lookups);
  }

  // ---- read -----------------------------------------------------------------------------

  private projectCode(projectId: number): string {
    return this.policy.projectCode(projectId) ?? String(projectId);
  }

  view(rec: CustomerImport): ImportView {
    const running = this.live.get(rec.id);
    const st = running?.st;
    return {
      id: rec.id,
      project: this.projectCode(rec.projectId),
      status: rec.status,
      dryRun: !!rec.dryRun,
      onError: rec.onError,
      format: rec.format,
      fileName: rec.fileName,
      byteSize: rec.byteSize,
      // A running import of this process: the live progress (on SQLite the row shows it only at the end).
      totalRows: st && rec.status === 'running' ? Math.max(rec.totalRows, st.rows) : rec.totalRows,
      processedRows: st && rec.status === 'running' ? st.processed : rec.processedRows,
      created: st && rec.status === 'running' ? st.created : rec.created,
      updated: st && rec.status === 'running' ? st.updated : rec.updated,
      skipped: st && rec.status === 'running' ? st.skipped : rec.skipped,
      errorCount: st && rec.status === 'running' ? st.errorCount : rec.errorCount,
      errors: (st && rec.status === 'running' ? st.errors : rec.errors) ?? [],
      createdById: rec.createdById,
      createdAt: rec.createdAt,
      startedAt: rec.startedAt,
      finishedAt: rec.finishedAt,
      message: rec.message,
    };
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

  // ---- crash recovery -------------------------------------------------------------------

  /**
   * Marks "interrupted" (with one customer.import_interrupted event, in the same transaction)
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
      if (this.jobs.has(rec.id) || this.live.has(rec.id)) continue;
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
        return true;
      });
      if (!done) continue;
      marked++;
      await fs.promises.rm(this.tempFile(rec.id), { force: true });
    }
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

  /** Shutdown: no more sweeps, and (SQLite) this instance's imports, if any were left, count as stopped for the others. */
  close(): void {
    this.stopSweeping();
    openInstances.delete(this.instance);
  }
}
