import { EntityManager, In, Like } from 'typeorm';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import { FieldCipher } from '../../crypto/field-cipher';
import { Database } from '../../db/database';
import { Customer } from '../../entities/Customer';
import { CustomerLookup } from '../../entities/CustomerLookup';
import { Project } from '../../entities/Project';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { FieldIssue } from '../../errors';
import { PolicyService } from '../../policy/policy-service';
import { toDate } from '../../db/raw';
import { CustomerInput, CustomerView, maskedCustomerView, PERSONAL_FIELDS, PersonalData, PersonalField } from './customer.views';
import { idNumberProblem, isValidPhone, normaliseIdNumber, normalisePhone } from './personal-data';
import type { AccessLogService, AccessReader } from '../access-log/access-log.service';

export { PERSONAL_FIELDS } from './customer.views';
export type { CustomerInput, CustomerView, PersonalData, PersonalField } from './customer.views';

type Acting = AuditActor & { id: number };

const ENC_COLUMN: Record<Exclude<PersonalField, 'phones'>, 'idNumberEnc' | 'employerEnc' | 'emailEnc' | 'emergencyContactEnc'> = {
  idNumber: 'idNumberEnc',
  employer: 'employerEnc',
  email: 'emailEnc',
  emergencyContact: 'emergencyContactEnc',
};

/**
 * Control data (管控數據) of a project. Rules enforced here, after the route's permission check:
 * personal fields are encrypted before they reach the database and masked on the way out
 * (R-SECRET); duplicates on (project, ID number) or (project, phone) are refused; every change,
 * reveal and lookup by a personal value is one audit event naming fields, never values (R-AUDIT).
 */
export class CustomerService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly cipher: FieldCipher,
    private readonly policy: PolicyService,
    /** R-SECRET, issue 14 §2: every read of a record is logged (ids only); exports, copies and survey notes log through it too. */
    readonly accessLog: AccessLogService,
  ) {}

  // ---- normalisation and validation ------------------------------------------------------

  /** Normalises and validates; throws 400 with one detail per bad field. */
  normalise(input: CustomerInput, pathPrefix = 'body'): CustomerInput & { phones: string[] } {
    const issues: FieldIssue[] = [];
    const phones = input.phones.map((p, i) => {
      const n = normalisePhone(p);
      if (!isValidPhone(n)) issues.push({ path: `${pathPrefix}.phones.${i}`, message: 'not a valid phone number (mobile 1xxxxxxxxxx, landline with area code, or +<country><number>)' });
      return n;
    });
    if (new Set(phones).size !== phones.length) issues.push({ path: `${pathPrefix}.phones`, message: 'the same phone number is listed twice' });
    let idNumber = input.idNumber ? normaliseIdNumber(input.idNumber) : null;
    if (idNumber) {
      const problem = idNumberProblem(idNumber, input.nationality);
      if (problem) issues.push({ path: `${pathPrefix}.idNumber`, message: problem });
    } else idNumber = null;
    const email = input.email ? input.email.trim().toLowerCase() : null;
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) issues.push({ path: `${pathPrefix}.email`, message: 'not a valid email address' });
    if (issues.length) throw new ValidationError('Invalid customer record', issues);
    return { ...input, phones, idNumber, email, employer: input.employer?.trim() || null, emergencyContact: input.emergencyContact?.trim() || null };
  }

  // ---- encryption -----------------------------------------------------------------------

  /** Decrypts the personal fields (only those in `only`, when given; the others come back empty). */
  decryptPersonal(c: Customer, only: readonly PersonalField[] = PERSONAL_FIELDS): PersonalData {
    const d = (col: string | null, field: Exclude<PersonalField, 'phones'>) =>
      only.includes(field) ? this.cipher.decryptOptional(col, field, c.keyId) : null;
    return {
      phones: c.phonesEnc && only.includes('phones') ? (JSON.parse(this.cipher.decrypt(c.phonesEnc, 'phones', c.keyId)) as string[]) : [],
      idNumber: d(c.idNumberEnc, 'idNumber'),
      employer: d(c.employerEnc, 'employer'),
      email: d(c.emailEnc, 'email'),
      emergencyContact: d(c.emergencyContactEnc, 'emergencyContact'),
    };
  }

  /** The personal fields of a normalised input. */
  private personalOf(n: ReturnType<CustomerService['normalise']>): PersonalData {
    return { phones: n.phones, idNumber: n.idNumber ?? null, employer: n.employer ?? null, email: n.email ?? null, emergencyContact: n.emergencyContact ?? null };
  }

  /** Writes every personal field of `c` from `p`, under the current key. */
  encryptPersonal(c: Customer, p: PersonalData): void {
    c.keyId = this.cipher.currentKeyId;
    c.phonesEnc = p.phones.length ? this.cipher.encrypt(JSON.stringify(p.phones), 'phones') : null;
    for (const [field, column] of Object.entries(ENC_COLUMN) as [keyof typeof ENC_COLUMN, (typeof ENC_COLUMN)[keyof typeof ENC_COLUMN]][]) {
      c[column] = this.cipher.encryptOptional(p[field], field);
    }
  }

  lookupsFor(c: Pick<Customer, 'id' | 'projectId'>, p: Pick<PersonalData, 'phones' | 'idNumber'>): Partial<CustomerLookup>[] {
    const rows: Partial<CustomerLookup>[] = p.phones.map((ph) => ({ customerId: c.id, projectId: c.projectId, kind: 'phone' as const, digest: this.cipher.blindIndex('phone', ph) }));
    if (p.idNumber) rows.push({ customerId: c.id, projectId: c.projectId, kind: 'id_number', digest: this.cipher.blindIndex('id_number', p.idNumber) });
    return rows;
  }

  /** The customers of a project that already hold one of these phones or this ID number. */
  async findDuplicates(m: EntityManager, projectId: number, p: Pick<PersonalData, 'phones' | 'idNumber'>, exceptId?: number): Promise<number[]> {
    if (!p.phones.length && !p.idNumber) return [];
    // kind is part of the condition so the whole (projectId, kind, digest) index is used.
    const lookups = this.lookupsFor({ id: 0, projectId }, p);
    const phones = lookups.filter((l) => l.kind === 'phone').map((l) => l.digest!);
    const ids = lookups.filter((l) => l.kind === 'id_number').map((l) => l.digest!);
    const where = [
      ...(phones.length ? [{ projectId, kind: 'phone' as const, digest: In(phones) }] : []),
      ...(ids.length ? [{ projectId, kind: 'id_number' as const, digest: In(ids) }] : []),
    ];
    const rows = await m.getRepository(CustomerLookup).find({ where, select: { customerId: true } });
    return [...new Set(rows.map((r) => r.customerId))].filter((id) => id !== exceptId);
  }

  // ---- views ----------------------------------------------------------------------------

  projectCodeOf(c: Pick<Customer, 'projectId'>): string {
    return this.policy.projectCode(c.projectId) ?? String(c.projectId);
  }

  maskedView(c: Customer): CustomerView {
    // Employer and emergency contact show as *** whatever they hold: no need to decrypt them.
    return maskedCustomerView(c, this.projectCodeOf(c), this.decryptPersonal(c, ['phones', 'idNumber', 'email']));
  }

  /** GET /customers/:id: the masked record, and its read logged (R-SECRET). */
  open(c: Customer, reader?: AccessReader): CustomerView {
    const view = this.maskedView(c);
    this.accessLog.record(reader, 'open', [{ customerId: c.id, projectId: c.projectId }], { revealed: false });
    return view;
  }

  // ---- loading --------------------------------------------------------------------------

  async projectByCode(code: string, m: EntityManager = this.db.manager): Promise<Project> {
    const p = await m.getRepository(Project).findOneBy({ code });
    if (!p) throw new NotFoundError('Project', code);
    return p;
  }

  /** One customer by id, with bound SQL (hot path of every single-record route; see src/db/raw.ts). */
  async load(id: number, m: EntityManager = this.db.manager): Promise<Customer> {
    const rows: Array<Record<string, unknown>> = await m.query(
      'SELECT id, projectId, name, unit, nationality, phonesEnc, idNumberEnc, employerEnc, emailEnc, emergencyContactEnc, keyId, notes, createdById, updatedById, createdAt, updatedAt FROM customer WHERE id = ?',
      [id],
    );
    if (!rows.length) throw new NotFoundError('Customer', id);
    const r = rows[0];
    return Object.assign(new Customer(), r, {
      id: Number(r.id),
      projectId: Number(r.projectId),
      createdById: r.createdById === null ? null : Number(r.createdById),
      updatedById: r.updatedById === null ? null : Number(r.updatedById),
      createdAt: toDate(r.createdAt)!,
      updatedAt: toDate(r.updatedAt)!,
    });
  }

  /** The record's scope, for the authorization of routes on one customer. Inside a transaction, pass its `m` (issue 11). */
  scopeOf(c: Pick<Customer, 'projectId'>, m: EntityManager = this.db.manager): Promise<string> {
    return this.policy.projectScope(c.projectId, m);
  }

  /** A page of the project's customers, masked; each row shown is a logged read (R-SECRET). */
  async list(projectCode: string, f: { q?: string; limit: number; offset: number }, reader?: AccessReader): Promise<{ items: CustomerView[]; total: number }> {
    const project = await this.projectByCode(projectCode);
    const where = { projectId: project.id, ...(f.q ? { name: Like(`%${f.q.replace(/[%_\\]/g, '\\$&')}%`) } : {}) };
    const [rows, total] = await this.db.manager.getRepository(Customer).findAndCount({ where, order: { id: 'ASC' }, take: f.limit, skip: f.offset });
    this.accessLog.record(reader, 'list', rows.map((r) => ({ customerId: r.id, projectId: r.projectId })), { revealed: false });
    return { items: rows.map((r) => this.maskedView(r)), total };
  }

  /** Exact search by phone or ID number through the blind index (nothing is decrypted to search). */
  async search(actor: Acting, projectCode: string, kind: 'phone' | 'id_number', value: string, reader?: AccessReader): Promise<CustomerView[]> {
    const project = await this.projectByCode(projectCode);
    const normalised = kind === 'phone' ? normalisePhone(value) : normaliseIdNumber(value);
    const rows = await this.db.manager
      .getRepository(CustomerLookup)
      .find({ where: { projectId: project.id, kind, digest: this.cipher.blindIndex(kind, normalised) }, select: { customerId: true } });
    const customers = rows.length ? await this.db.manager.getRepository(Customer).findBy({ id: In(rows.map((r) => r.customerId)) }) : [];
    // A lookup by a personal value is an access to customer information: recorded, without the value.
    await this.db.tx((m) =>
      this.audit.append(m, actor, {
        action: 'customer.searched',
        objectType: 'customer',
        scope: `project:${projectCode}`,
        decision: 'allow',
        after: { by: kind, matches: customers.map((c) => c.id) },
      }),
    );
    // R-SECRET: each hit shown is a read of that customer (the searched value is in neither log).
    this.accessLog.record(reader, 'search', customers.map((c) => ({ customerId: c.id, projectId: c.projectId })), { revealed: false });
    return customers.map((c) => this.maskedView(c));
  }

  // ---- changes --------------------------------------------------------------------------

  async create(actor: Acting, projectCode: string, input: CustomerInput): Promise<CustomerView> {
    const n = this.normalise(input);
    const created = await this.db.tx(async (m) => {
      const project = await this.projectByCode(projectCode, m);
      const personal = this.personalOf(n);
      const dupes = await this.findDuplicates(m, project.id, personal);
      if (dupes.length) throw new ConflictError('duplicate_customer', 'A customer of this project already has this phone number or ID number', { customerIds: dupes });
      const now = new Date();
      const c = m.getRepository(Customer).create({
        projectId: project.id,
        name: n.name,
        unit: n.unit,
        nationality: n.nationality,
        notes: n.notes ?? null,
        createdById: actor.id,
        updatedById: actor.id,
        createdAt: now,
        updatedAt: now,
      });
      this.encryptPersonal(c, personal);
      await m.getRepository(Customer).insert(c);
      await m.getRepository(CustomerLookup).insert(this.lookupsFor(c, personal));
      await this.audit.append(m, actor, {
        action: 'customer.created',
        objectType: 'customer',
        objectId: c.id,
        scope: `project:${projectCode}`,
        after: { unit: c.unit, nationality: c.nationality, personalFields: presentFields(personal) },
      });
      return c;
    });
    return this.maskedView(created);
  }

  async update(actor: Acting, c0: Customer, patch: Partial<CustomerInput>): Promise<CustomerView> {
    const updated = await this.db.tx((m) => this.updateIn(m, actor, c0.id, patch));
    return this.maskedView(updated);
  }

  /** The update inside the caller's transaction (survey reconciliation commits it with its own event). */
  async updateIn(m: EntityManager, actor: Acting, id: number, patch: Partial<CustomerInput>): Promise<Customer> {
    const c = await this.load(id, m);
    const before = this.decryptPersonal(c);
    const merged: CustomerInput = {
      name: patch.name ?? c.name,
      unit: patch.unit ?? c.unit,
      nationality: patch.nationality ?? c.nationality,
      phones: patch.phones ?? before.phones,
      idNumber: patch.idNumber !== undefined ? patch.idNumber : before.idNumber,
      employer: patch.employer !== undefined ? patch.employer : before.employer,
      email: patch.email !== undefined ? patch.email : before.email,
      emergencyContact: patch.emergencyContact !== undefined ? patch.emergencyContact : before.emergencyContact,
      notes: patch.notes !== undefined ? patch.notes : c.notes,
    };
    const n = this.normalise(merged);
    const personal = this.personalOf(n);
    const dupes = await this.findDuplicates(m, c.projectId, personal, c.id);
    if (dupes.length) throw new ConflictError('duplicate_customer', 'Another customer of this project already has this phone number or ID number', { customerIds: dupes });
    const changedPersonal = PERSONAL_FIELDS.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(personal[f]));
    const plainBefore = { name: c.name, unit: c.unit, nationality: c.nationality, notes: c.notes };
    Object.assign(c, { name: n.name, unit: n.unit, nationality: n.nationality, notes: n.notes ?? null, updatedById: actor.id, updatedAt: new Date() });
    this.encryptPersonal(c, personal);
    await m.getRepository(Customer).save(c);
    await m.getRepository(CustomerLookup).delete({ customerId: c.id });
    await m.getRepository(CustomerLookup).insert(this.lookupsFor(c, personal));
    await this.audit.append(m, actor, {
      action: 'customer.updated',
      objectType: 'customer',
      objectId: c.id,
      scope: await this.scopeOf(c, m),
      // Notes are free text that may hold personal details: the trail says whether they changed, never what they say.
      before: { name: plainBefore.name, unit: plainBefore.unit, nationality: plainBefore.nationality, personalFields: presentFields(before) },
      after: {
        name: c.name,
        unit: c.unit,
        nationality: c.nationality,
        notesChanged: plainBefore.notes !== c.notes,
        personalFields: presentFields(personal),
        changedPersonalFields: changedPersonal,
      },
    });
    return c;
  }

  async remove(actor: Acting, c0: Customer): Promise<void> {
    await this.db.tx(async (m) => {
      const c = await this.load(c0.id, m);
      await m.getRepository(CustomerLookup).delete({ customerId: c.id });
      await m.getRepository(Customer).delete({ id: c.id });
      await this.audit.append(m, actor, {
        action: 'customer.deleted',
        objectType: 'customer',
        objectId: c.id,
        scope: await this.scopeOf(c, m),
        before: { unit: c.unit, nationality: c.nationality, personalFields: presentFields(this.decryptPersonal(c)) },
      });
    });
  }

  /** Clear values of the asked fields, for a stated reason; one audit event naming the fields, never the values. */
  async reveal(actor: Acting, c: Customer, fields: PersonalField[], reason: string, reader?: AccessReader): Promise<Partial<PersonalData> & { id: number }> {
    const p = this.decryptPersonal(c);
    await this.db.tx((m) =>
      this.scopeOf(c, m).then((scope) =>
        this.audit.append(m, actor, { action: 'customer.revealed', objectType: 'customer', objectId: c.id, scope, decision: 'allow', reason, after: { fields } }),
      ),
    );
    // R-SECRET: the reveal is also a read, logged as revealed beside the masked ones.
    this.accessLog.record(reader, 'open', [{ customerId: c.id, projectId: c.projectId }], { revealed: true });
    const out: Partial<PersonalData> & { id: number } = { id: c.id };
    for (const f of fields) (out as Record<string, unknown>)[f] = p[f];
    return out;
  }
}

function presentFields(p: PersonalData): PersonalField[] {
  return PERSONAL_FIELDS.filter((f) => (f === 'phones' ? p.phones.length > 0 : p[f] !== null));
}
