import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { AuditActor } from '../../../audit/audit-writer';
import { Customer } from '../../../entities/Customer';
import { CustomerImport } from '../../../entities/CustomerImport';
import { CustomerLookup } from '../../../entities/CustomerLookup';
import { insertRows, persisted } from '../../../db/raw';
import type { CustomerService, PersonalData } from '../customer.service';
import type { ColumnIndex } from './columns';
import { importRows, Prepared } from './import-prepare';
import { addError, RunState } from './import-run-state';
import { validateRow, ValidRow } from './row-validator';

type Acting = AuditActor & { id: number };
/** A valid row with the blind-index digests of its phones and ID number (computed once, for the dedupe and the lookups). */
type Candidate = { v: ValidRow; digests: { kind: 'phone' | 'id_number'; digest: string }[] };

const CUSTOMER_COLUMNS = ['projectId', 'name', 'unit', 'nationality', 'phonesEnc', 'idNumberEnc', 'employerEnc', 'emailEnc', 'emergencyContactEnc', 'keyId', 'notes', 'createdById', 'updatedById', 'createdAt', 'updatedAt'] as const;

/** Rows written per INSERT statement (customers; their lookups follow in one statement). */
const BATCH = 500;
/** Progress is written to the import row (inside the import's transaction) at most this often. */
const PROGRESS_EVERY_MS = 1000;

/**
 * Reads, validates and writes the rows of one import, through the import's own transaction
 * manager `m` only (never a second connection inside it: issue 11). Personal fields are
 * encrypted exactly as by the API (R-SECRET); row errors name the row, the column and the
 * problem, never the value.
 */
export class ImportRowWriter {
  constructor(
    private readonly mysql: boolean,
    private readonly customers: CustomerService,
  ) {}

  /** Reads, validates and (when `write`) writes every row, in batches. */
  async process(m: EntityManager, actor: Acting, rec: CustomerImport, prep: Prepared, st: RunState, write: boolean): Promise<void> {
    let batch: ValidRow[] = [];
    let inFlight: Promise<void> = Promise.resolve();
    let header = true;
    try {
      for await (const r of importRows(prep)) {
        if (header) {
          header = false;
          continue;
        }
        st.rows++;
        const v = validateRow(this.customers, prep.index, prep.width, r.row, r.cells);
        if (!v.ok) {
          for (const e of v.errors) addError(st, e);
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
    const candidates: Candidate[] = [];
    for (const v of rows) {
      const digests = this.customers.lookupsFor({ id: 0, projectId }, v.personal).map((l) => ({ kind: l.kind!, digest: l.digest! }));
      const dup = digests.find((d) => st.seen.has(d.digest));
      if (dup) {
        addError(st, {
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

    const creates: Candidate[] = [];
    const updates: { v: ValidRow; customerId: number }[] = [];
    for (const c of candidates) {
      const ids = new Set(c.digests.flatMap((d) => [...(owners.get(d.digest) ?? [])]));
      if (ids.size > 1) {
        addError(st, { row: c.v.row, column: null, message: `the phone numbers and ID number belong to ${ids.size} different existing customers (ids ${[...ids].join(', ')})` });
        st.skipped++;
      } else if (ids.size === 1) {
        const customerId = [...ids][0];
        if (st.touched.has(customerId)) {
          addError(st, { row: c.v.row, column: null, message: `an earlier row of this file already updates the same existing customer (id ${customerId})` });
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

  private async insertCustomers(m: EntityManager, actor: Acting, projectId: number, rows: Candidate[]): Promise<void> {
    if (!rows.length) return;
    const now = persisted(m, Customer, 'createdAt', new Date());
    const values = rows.map(({ v }) => {
      const c = new Customer();
      this.customers.encryptPersonal(c, v.personal);
      return [projectId, v.name, v.unit, v.nationality, c.phonesEnc, c.idNumberEnc, c.employerEnc, c.emailEnc, c.emergencyContactEnc, c.keyId, v.notes, actor.id, actor.id, now, now];
    });
    const raw = await insertRows(m, Customer, CUSTOMER_COLUMNS, values);
    // One multi-row INSERT gets consecutive ids (SQLite: one writer; InnoDB: a "simple insert").
    const first = this.mysql ? Number((raw as { insertId: number }).insertId) : Number(raw) - values.length + 1;
    // The blind-index digests computed for the dedupe (CustomerService.lookupsFor), now with their ids.
    const lookups = rows.flatMap((r, i) => r.digests.map((d) => ({ customerId: first + i, projectId, kind: d.kind, digest: d.digest })));
    await this.insertLookups(m, lookups);
  }

  private async insertLookups(m: EntityManager, lookups: Partial<CustomerLookup>[]): Promise<void> {
    for (let i = 0; i < lookups.length; i += 1000) {
      const chunk = lookups.slice(i, i + 1000).map((l) => [l.customerId, l.projectId, l.kind, l.digest]);
      await insertRows(m, CustomerLookup, ['customerId', 'projectId', 'kind', 'digest'], chunk);
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
}
