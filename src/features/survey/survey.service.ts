import { EntityManager } from 'typeorm';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import { FieldCipher } from '../../crypto/field-cipher';
import { Database, forUpdate } from '../../db/database';
import { Customer } from '../../entities/Customer';
import { SurveyNote, SurveyNoteStatus, SURVEY_SOURCES } from '../../entities/SurveyNote';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { Authorizer } from '../../policy/authorizer';
import { CustomerInput, CustomerService, CustomerView } from '../customers/customer.service';
import { redactPersonalDetails } from '../../lib/redact';
import type { AccessReader } from '../access-log/access-log.service';

type Acting = AuditActor & { id: number };

export interface SurveyNoteView {
  id: number;
  project: string;
  unit: string | null;
  customerId: number | null;
  source: (typeof SURVEY_SOURCES)[number];
  status: SurveyNoteStatus;
  /** Archived: the stored archive. Pending: the same redaction applied on the fly (the original is never listed). */
  text: string;
  removed: Record<string, number>;
  reconciledCustomerIds: number[];
  createdAt: Date;
  archivedAt: Date | null;
}

const FIELD = 'surveyNote';

/**
 * R-SURVEY-REDACT (§5.2.2.4): interview and census notes are reconciled into the control data by
 * the clerk, then archived without phone numbers, ID numbers, emails or employers. Until then
 * the original is kept only encrypted and shown only to those who reconcile (audited).
 */
export class SurveyService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly cipher: FieldCipher,
    private readonly customers: CustomerService,
    private readonly authz: Authorizer,
  ) {}

  private original(n: SurveyNote): string {
    if (n.rawEnc === null || n.keyId === null) throw new ConflictError('already_archived', `Survey note ${n.id} is archived: its original no longer exists`);
    return this.cipher.decrypt(n.rawEnc, FIELD, n.keyId);
  }

  view(n: SurveyNote): SurveyNoteView {
    const preview = n.status === 'archived' ? null : redactPersonalDetails(this.original(n));
    return {
      id: n.id,
      project: this.customers.projectCodeOf(n),
      unit: n.unit,
      customerId: n.customerId,
      source: n.source,
      status: n.status,
      text: preview ? preview.text : (n.archivedText ?? ''),
      removed: preview ? preview.removed : (n.removed ?? {}),
      reconciledCustomerIds: n.reconciledCustomerIds,
      createdAt: n.createdAt,
      archivedAt: n.archivedAt ?? null,
    };
  }

  async load(id: number): Promise<SurveyNote> {
    const n = await this.db.manager.getRepository(SurveyNote).findOneBy({ id });
    if (!n) throw new NotFoundError('Survey note', id);
    return n;
  }

  /** Inside a transaction, pass its `m` (issue 11: no second connection while it holds locks). */
  scopeOf(n: SurveyNote, m: EntityManager = this.db.manager): Promise<string> {
    return this.customers.scopeOf(n, m);
  }

  private async customerOfProject(customerId: number, projectId: number, path: string): Promise<Customer> {
    const c = await this.db.manager.getRepository(Customer).findOneBy({ id: customerId });
    if (!c || c.projectId !== projectId) throw new ValidationError('Unknown customer', [{ path, message: `customer ${customerId} is not a customer of this project` }]);
    return c;
  }

  async create(actor: Acting, projectCode: string, input: { unit?: string | null; customerId?: number | null; source: (typeof SURVEY_SOURCES)[number]; text: string }): Promise<SurveyNoteView> {
    const project = await this.customers.projectByCode(projectCode);
    if (input.customerId) await this.customerOfProject(input.customerId, project.id, 'body.customerId');
    const note = await this.db.tx(async (m) => {
      const n = m.getRepository(SurveyNote).create({
        projectId: project.id,
        customerId: input.customerId ?? null,
        unit: input.unit ?? null,
        source: input.source,
        status: 'pending_reconciliation',
        rawEnc: this.cipher.encrypt(input.text, FIELD),
        keyId: this.cipher.currentKeyId,
        reconciledCustomerIds: [],
        createdById: actor.id,
        createdAt: new Date(),
      });
      await m.getRepository(SurveyNote).insert(n);
      await this.audit.append(m, actor, {
        action: 'survey_note.created',
        objectType: 'survey_note',
        objectId: n.id,
        scope: `project:${projectCode}`,
        after: { source: n.source, customerId: n.customerId, length: input.text.length },
      });
      return n;
    });
    return this.view(note);
  }

  async list(projectCode: string, f: { status?: SurveyNoteStatus; limit: number; offset: number }): Promise<{ items: SurveyNoteView[]; total: number }> {
    const project = await this.customers.projectByCode(projectCode);
    const [rows, total] = await this.db.manager.getRepository(SurveyNote).findAndCount({
      where: { projectId: project.id, ...(f.status ? { status: f.status } : {}) },
      order: { id: 'DESC' },
      take: f.limit,
      skip: f.offset,
    });
    return { items: rows.map((n) => this.view(n)), total };
  }

  /** The original, for the clerk reconciling it; every viewing is an audit event (with the stated reason, if any). */
  async viewOriginal(actor: Acting, n: SurveyNote, reason?: string, reader?: AccessReader): Promise<{ id: number; text: string }> {
    const text = this.original(n);
    await this.db.tx(async (m) =>
      this.audit.append(m, actor, { action: 'survey_note.original_viewed', objectType: 'survey_note', objectId: n.id, scope: await this.scopeOf(n, m), decision: 'allow', reason }),
    );
    // R-SECRET: the original holds the customer's details in clear: a revealed read of the customer it names (or of the note alone).
    this.customers.accessLog.record(reader, 'survey_original', [{ customerId: n.customerId, projectId: n.projectId }], { revealed: true, ref: `survey_note:${n.id}` });
    return { id: n.id, text };
  }

  /** Applies what the note says to a customer record of the same project (needs customer:update there). */
  async reconcile(actor: Acting, n: SurveyNote, customerId: number, changes: Partial<CustomerInput>): Promise<{ note: SurveyNoteView; customer: CustomerView }> {
    if (n.status !== 'pending_reconciliation') throw new ConflictError('already_archived', `Survey note ${n.id} is archived`);
    const customer = await this.customerOfProject(customerId, n.projectId, 'body.customerId');
    await this.authz.require(actor, await this.customers.scopeOf(customer), { object: 'customer', action: 'update' });
    // One transaction: the note is locked and checked first, then the customer changes, then both events.
    const updated = await this.db.tx(async (m) => {
      const fresh = await m.getRepository(SurveyNote).findOne({ where: { id: n.id }, ...forUpdate(this.db.mysql) });
      if (!fresh || fresh.status !== 'pending_reconciliation') throw new ConflictError('already_archived', `Survey note ${n.id} is archived`);
      const c = await this.customers.updateIn(m, actor, customerId, changes);
      const ids = [...new Set([...fresh.reconciledCustomerIds, customerId])];
      await m.getRepository(SurveyNote).update({ id: n.id }, { reconciledCustomerIds: ids });
      await this.audit.append(m, actor, {
        action: 'survey_note.reconciled',
        objectType: 'survey_note',
        objectId: n.id,
        scope: await this.scopeOf(n, m),
        after: { customerId, changedFields: Object.keys(changes) },
      });
      return c;
    });
    return { note: this.view(await this.load(n.id)), customer: this.customers.maskedView(updated) };
  }

  /**
   * Keeps only the redacted text and destroys the original, in one transaction; exactly one
   * archive wins. R-SURVEY-REDACT (§5.2.2.4: 核對完后, once reconciled): archiving destroys the
   * original the clerk reconciles from, so whoever cannot reconcile (the customer manager holds
   * survey_note:archive, not survey_note:update) archives only a note reconciled at least once
   * (409 before); the clerk may archive a note that had nothing to reconcile.
   */
  async archive(actor: Acting, n: SurveyNote): Promise<SurveyNoteView> {
    const result = redactPersonalDetails(this.original(n));
    const scope = await this.scopeOf(n);
    const reconciles = this.authz.decide(actor.id, scope, { object: 'survey_note', action: 'update' }).allowed;
    const archivedAt = new Date();
    await this.db.tx(async (m) => {
      const fresh = await m.getRepository(SurveyNote).findOne({ where: { id: n.id }, ...forUpdate(this.db.mysql) });
      if (!fresh || fresh.status !== 'pending_reconciliation') throw new ConflictError('already_archived', `Survey note ${n.id} is already archived`);
      if (!reconciles && fresh.reconciledCustomerIds.length === 0) {
        throw new ConflictError('not_reconciled', `Survey note ${n.id} is not reconciled yet: the information clerk reconciles it into the control data before it is archived`);
      }
      const r = await m.getRepository(SurveyNote).update(
        { id: n.id, status: 'pending_reconciliation' },
        { status: 'archived', archivedText: result.text, removed: result.removed, rawEnc: null, keyId: null, archivedById: actor.id, archivedAt },
      );
      if (!r.affected) throw new ConflictError('already_archived', `Survey note ${n.id} is already archived`);
      await this.audit.append(m, actor, {
        action: 'survey_note.archived',
        objectType: 'survey_note',
        objectId: n.id,
        scope,
        after: { removed: result.removed },
      });
    });
    return this.view(await this.load(n.id));
  }
}
