import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { EntityManager, In, IsNull, MoreThan, Not } from 'typeorm';
import { AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import type { FieldCipher } from '../../crypto/field-cipher';
import { Database, forUpdate } from '../../db/database';
import { HandoverDelegation, DelegationEndReason } from '../../entities/HandoverDelegation';
import { HandoverFile, HandoverFormat, HandoverStatus } from '../../entities/HandoverFile';
import { Project } from '../../entities/Project';
import { TwoPersonConfirmation } from '../../entities/TwoPersonConfirmation';
import { User } from '../../entities/User';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../errors';
import { formatDateTime, stampPdf } from '../../lib/documents';
import type { Logger } from '../../logger';
import type { Authorizer } from '../../policy/authorizer';
import type { PolicyService } from '../../policy/policy-service';
import type { Holding } from '../holdings/holdings-registry';
import type { NotificationOutbox } from '../notifications/outbox';
import { ConfirmationView, TwoPersonConfirmations } from '../paper/confirmations';
import { checkContent } from './content-check';
import { HandoverDestructions, LedgerDestructionRow, DestructionView } from './destruction';
import { HandoverFileStore } from './file-store';
import { rowPage, ViewRow } from './file-viewer';
import { Acting, ensureNotDestroyed, Refusals, serialOf } from './handover-access';
import { flagOverdue, overdueCounts, OverdueCounts, OverdueScope } from './overdue';
import { receiveBody } from './upload';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What anyone allowed to read a file sees (the IT admin and auditors included): never the content. */
export interface HandoverFileMeta {
  id: number;
  serial: string;
  project: string;
  fileName: string;
  format: HandoverFormat;
  byteSize: number;
  sha256: string;
  status: HandoverStatus;
  holderId: number;
  uploadedById: number;
  uploadedAt: Date;
  entryReportedAt: Date | null;
  confirmedAt: Date | null;
  destructionDeadline: Date | null;
  destructionId: number | null;
  destroyedAt: Date | null;
  /** R-HANDOVER-DESTROY: a destruction recorded and awaiting its witness (pending), or lapsed (expired); the file is not destroyed. */
  pendingDestruction: { confirmationId: number; dueAt: Date; state: 'pending' | 'expired' } | null;
}

export type DelegationState = 'active' | 'expired' | DelegationEndReason;

export interface DelegationView {
  id: number;
  fileId: number;
  clerkId: number;
  grantedById: number;
  grantedAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
  endedById: number | null;
  endReason: DelegationEndReason | null;
  state: DelegationState;
}

/** What the holding lead sees: the metadata, the clerk's entry report, the confirmation, the delegations and a recorded destruction awaiting its witness. */
export interface HandoverFileView extends HandoverFileMeta {
  entry: { reportedById: number; reportedAt: Date; records: number; note: string | null } | null;
  confirmedById: number | null;
  delegations: DelegationView[];
  destructionRequest: ConfirmationView | null;
}

/** A view of the content: rows (spreadsheet, CSV) as JSON, or a stamped PDF. */
export type ContentView =
  | { kind: 'pdf'; pdf: Buffer; fileName: string }
  | {
      kind: 'rows';
      body: {
        id: number;
        serial: string;
        fileName: string;
        format: 'xlsx' | 'csv';
        sheet: number | null;
        sheetCount: number | null;
        page: number;
        pageSize: number;
        totalRows: number;
        rows: ViewRow[];
        stamp: { viewer: string; viewedAt: Date; notice: 'view only' };
      };
    };

export type FaultPoint = 'afterRecord' | 'afterOverwrite' | 'afterUnlink';

/**
 * The developer's electronic handover files (R-HANDOVER-HOLD, R-HANDOVER-DESTROY, §5.2.2):
 * - custody: the project lead uploads them (XLSX, CSV, PDF, checked by content) and holds them,
 *   each encrypted at rest under its own key; only the holder lists and opens them, the IT admin
 *   sees metadata only;
 * - delegation: the holder lets an information clerk of the project view them (rows as JSON,
 *   PDFs stamped on every page), for a set time; no download, print, copy or forward for the clerk;
 * - confirmation: the clerk reports the control data entered, the lead confirms, a destruction
 *   deadline starts;
 * - destruction (./destruction.ts): recorded by the lead, confirmed by the named witness from
 *   their own session, which is when the file is crypto-shredded; recorded;
 * - custody transfer by the IT admin when a lead leaves (R-OFFBOARD).
 * Every transition is a conditional update inside one transaction with its audit event, so
 * concurrent requests end with exactly one winner.
 */
export class HandoverService {
  readonly store: HandoverFileStore;
  readonly destructions: HandoverDestructions;
  private readonly refusals: Refusals;
  private readonly confirmations: TwoPersonConfirmations;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly authz: Authorizer,
    private readonly policy: PolicyService,
    private readonly cipher: FieldCipher,
    private readonly outbox: NotificationOutbox,
    private readonly config: Config,
    logger: Logger,
  ) {
    this.store = new HandoverFileStore(config.handoverStorageDir, cipher);
    this.refusals = new Refusals(db, audit, logger);
    this.confirmations = new TwoPersonConfirmations(db, policy, outbox, config.confirmationTtlHours, config.timezone);
    this.destructions = new HandoverDestructions(db, audit, authz, policy, this.store, this.refusals, logger, this.confirmations);
  }

  /** Test hooks simulating a crash between the steps of a destruction (see ./destruction.ts). */
  get faults(): Partial<Record<FaultPoint, () => void | Promise<void>>> {
    return this.destructions.faults;
  }

  // ---- loading and views ---------------------------------------------------------------

  async load(id: number): Promise<HandoverFile> {
    const f = await this.db.manager.getRepository(HandoverFile).findOneBy({ id });
    if (!f) throw new NotFoundError('Handover file', id);
    return f;
  }

  scopeOf(f: Pick<HandoverFile, 'projectId'>): Promise<string> {
    return this.policy.projectScope(f.projectId);
  }

  private projectCode(projectId: number): string {
    return this.policy.projectCode(projectId) ?? String(projectId);
  }

  meta(f: HandoverFile): HandoverFileMeta {
    return {
      id: f.id,
      serial: serialOf(f.id),
      project: this.projectCode(f.projectId),
      fileName: f.fileName,
      format: f.format,
      byteSize: f.byteSize,
      sha256: f.sha256,
      status: f.status,
      holderId: f.holderId,
      uploadedById: f.uploadedById,
      uploadedAt: f.uploadedAt,
      entryReportedAt: f.entryReportedAt,
      confirmedAt: f.confirmedAt,
      destructionDeadline: f.destructionDeadline,
      destructionId: f.destructionId,
      destroyedAt: f.destroyedAt,
      pendingDestruction:
        f.confirmationId !== null && f.confirmationDueAt !== null
          ? { confirmationId: f.confirmationId, dueAt: f.confirmationDueAt, state: f.confirmationDueAt.getTime() < Date.now() ? 'expired' : 'pending' }
          : null,
    };
  }

  delegationView(d: HandoverDelegation, now = new Date()): DelegationView {
    return {
      id: d.id,
      fileId: d.fileId,
      clerkId: d.clerkId,
      grantedById: d.grantedById,
      grantedAt: d.grantedAt,
      expiresAt: d.expiresAt,
      endedAt: d.endedAt,
      endedById: d.endedById,
      endReason: d.endReason,
      state: d.endReason ?? (d.expiresAt <= now ? 'expired' : 'active'),
    };
  }

  private async fullView(f: HandoverFile): Promise<HandoverFileView> {
    const delegations = await this.db.manager.getRepository(HandoverDelegation).find({ where: { fileId: f.id }, order: { id: 'ASC' } });
    const request = f.confirmationId !== null ? await this.confirmations.load(f.confirmationId) : null;
    return {
      ...this.meta(f),
      entry:
        f.entryReportedById !== null && f.entryReportedAt
          ? { reportedById: f.entryReportedById, reportedAt: f.entryReportedAt, records: f.entryRecords ?? 0, note: f.entryNote }
          : null,
      confirmedById: f.confirmedById,
      delegations: delegations.map((d) => this.delegationView(d)),
      destructionRequest: request ? await this.confirmations.view(request) : null,
    };
  }

  /** Whether the actor may hold handover files in the scope (a project lead there). */
  private canHold(actorId: number, scope: string): boolean {
    return this.authz.decide(actorId, scope, { object: 'handover_file', action: 'hold' }).allowed;
  }

  /** Only the holder acts on the file as its custodian (R-HANDOVER-HOLD): anyone else is refused and recorded. */
  private async requireHolder(actor: Acting, f: HandoverFile, scope: string, action: string): Promise<void> {
    if (f.holderId !== actor.id) await this.refusals.refuse(actor, f, scope, action, 'not_holder', `Only the project lead holding ${serialOf(f.id)} may do this`);
  }

  // ---- custody --------------------------------------------------------------------------

  /** Receives the raw body (size-limited), then stores it (R-HANDOVER-HOLD). */
  async upload(actor: Acting, projectCode: string, fileName: string, body: Readable & { headers: Record<string, string | string[] | undefined> }): Promise<HandoverFileView> {
    const project = await this.projectByCode(projectCode);
    const bytes = await receiveBody(body, this.config.handoverMaxBytes);
    return this.storeFile(actor, project, fileName, bytes);
  }

  async projectByCode(code: string): Promise<Project> {
    const p = await this.db.manager.getRepository(Project).findOneBy({ code });
    if (!p) throw new NotFoundError('Project', code);
    return p;
  }

  /**
   * Checks the content (type by content, never by name), hashes the plaintext, encrypts it under
   * a new file key and records the file with the uploader as its holder. The ciphertext is
   * written first: a crash before the record leaves only an unreadable orphan (its key existed in
   * memory only), which the start-up sweep removes.
   */
  async storeFile(actor: Acting, project: Project, fileName: string, bytes: Buffer): Promise<HandoverFileView> {
    if (bytes.length === 0) throw new AppError(400, 'empty_file', 'The file is empty');
    if (bytes.length > this.config.handoverMaxBytes) {
      throw new AppError(413, 'payload_too_large', `The file is larger than the handover file limit of ${this.config.handoverMaxBytes} bytes`, { limit: this.config.handoverMaxBytes });
    }
    const format = await checkContent(bytes, fileName);
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const sealed = await this.store.seal(bytes);
    const scope = `project:${project.code}`;
    try {
      const f = await this.db.tx(async (m) => {
        const f = m.getRepository(HandoverFile).create({
          projectId: project.id,
          fileName,
          format,
          byteSize: bytes.length,
          sha256,
          storageName: sealed.storageName,
          wrappedKey: sealed.wrappedKey,
          keyId: sealed.keyId,
          status: 'held',
          holderId: actor.id,
          uploadedById: actor.id,
          uploadedAt: new Date(),
          entryReportedById: null,
          entryReportedAt: null,
          entryRecords: null,
          entryNote: null,
          confirmedById: null,
          confirmedAt: null,
          destructionDeadline: null,
          destructionId: null,
          destroyedAt: null,
          confirmationId: null,
          confirmationDueAt: null,
        });
        await m.getRepository(HandoverFile).insert(f);
        await this.audit.append(m, actor, {
          action: 'handover_file.uploaded',
          objectType: 'handover_file',
          objectId: f.id,
          scope,
          after: { serial: serialOf(f.id), fileName, format, byteSize: f.byteSize, sha256, holderId: actor.id },
        });
        return f;
      });
      return this.fullView(f);
    } catch (err) {
      await this.store.unlink(sealed.storageName).catch(() => undefined);
      throw err;
    }
  }

  /**
   * The files of a project. A project lead sees the files they hold (full view); a reader who
   * cannot hold files there (the IT admin, an auditor: decided by handover_file:hold, not by the
   * role's name) sees that every file exists, as metadata only.
   */
  async list(actor: Acting, projectCode: string, f: { status?: HandoverStatus; limit: number; offset: number }): Promise<{ items: Array<HandoverFileMeta | HandoverFileView>; total: number }> {
    const project = await this.projectByCode(projectCode);
    const holderView = this.canHold(actor.id, `project:${project.code}`);
    const where = {
      projectId: project.id,
      status: f.status ?? Not('destroyed' as HandoverStatus),
      ...(holderView ? { holderId: actor.id } : {}),
    };
    const [rows, total] = await this.db.manager.getRepository(HandoverFile).findAndCount({ where, order: { id: 'ASC' }, take: f.limit, skip: f.offset });
    if (!holderView) return { items: rows.map((r) => this.meta(r)), total };
    return { items: await Promise.all(rows.map((r) => this.fullView(r))), total };
  }

  /** One file: the holder sees everything but the content; another lead of the project is refused; a reader who cannot hold files (IT admin, auditor) sees metadata. */
  async get(actor: Acting, f: HandoverFile): Promise<HandoverFileMeta | HandoverFileView> {
    ensureNotDestroyed(f);
    if (f.holderId === actor.id) return this.fullView(f);
    const scope = await this.scopeOf(f);
    if (this.canHold(actor.id, scope)) await this.requireHolder(actor, f, scope, 'read');
    return this.meta(f);
  }

  async delegations(actor: Acting, f: HandoverFile): Promise<DelegationView[]> {
    ensureNotDestroyed(f);
    const scope = await this.scopeOf(f);
    if (f.holderId !== actor.id && this.canHold(actor.id, scope)) await this.requireHolder(actor, f, scope, 'read');
    const rows = await this.db.manager.getRepository(HandoverDelegation).find({ where: { fileId: f.id }, order: { id: 'ASC' } });
    return rows.map((d) => this.delegationView(d));
  }

  /** R-OFFBOARD: the files a user holds (not yet destroyed) must be transferred before they leave. */
  async heldBy(m: EntityManager, userId: number): Promise<Holding[]> {
    const files = await m.getRepository(HandoverFile).find({ where: { holderId: userId, status: Not('destroyed' as HandoverStatus) }, order: { id: 'ASC' } });
    return files.map((f) => ({ kind: 'handover_file', id: String(f.id), description: `holder of handover file ${serialOf(f.id)} (project ${this.projectCode(f.projectId)}, ${f.status})` }));
  }

  // ---- viewing --------------------------------------------------------------------------

  /**
   * Who may see the content: the holder, or a clerk with a delegation that is neither expired
   * nor ended. Returns the delegation the clerk views through (null for the holder).
   */
  private async viewDecision(actor: Acting, f: HandoverFile, m: EntityManager): Promise<{ through: HandoverDelegation | null } | { code: string; message: string }> {
    if (f.holderId === actor.id) return { through: null };
    const latest = await m.getRepository(HandoverDelegation).findOne({ where: { fileId: f.id, clerkId: actor.id }, order: { id: 'DESC' } });
    if (!latest) return { code: 'no_delegation', message: `${serialOf(f.id)} has not been delegated to you: only its holder and a clerk it is delegated to may view it` };
    if (latest.endReason === 'revoked') return { code: 'delegation_revoked', message: `Your view access to ${serialOf(f.id)} was revoked` };
    if (latest.endedAt) return { code: 'delegation_ended', message: `Your view access to ${serialOf(f.id)} has ended (${latest.endReason})` };
    if (latest.expiresAt <= new Date()) return { code: 'delegation_expired', message: `Your view access to ${serialOf(f.id)} expired at ${latest.expiresAt.toISOString()}` };
    return { through: latest };
  }

  private async viewAccess(actor: Acting, f: HandoverFile, scope: string, action: string): Promise<HandoverDelegation | null> {
    const d = await this.viewDecision(actor, f, this.db.manager);
    if ('code' in d) return this.refusals.refuse(actor, f, scope, action, d.code, d.message);
    return d.through;
  }

  /**
   * Runs `work` in a transaction that first re-checks the view access (a revocation or
   * destruction committed meanwhile wins). A refusal found inside is recorded after the
   * transaction has rolled back (SQLite runs one transaction at a time: never nest them).
   */
  private async withViewAccess<T>(actor: Acting, f: HandoverFile, scope: string, action: string, work: (m: EntityManager, through: HandoverDelegation | null, current: HandoverFile) => Promise<T>): Promise<T> {
    let denied: { code: string; message: string } | null = null;
    const result = await this.db.tx(async (m) => {
      const current = await m.getRepository(HandoverFile).findOne({ where: { id: f.id }, ...forUpdate(this.db.mysql) });
      ensureNotDestroyed(current!);
      const d = await this.viewDecision(actor, current!, m);
      if ('code' in d) {
        denied = d;
        return null;
      }
      return { value: await work(m, d.through, current!) };
    });
    if (!result) {
      const d = denied as unknown as { code: string; message: string };
      return this.refusals.refuse(actor, f, scope, action, d.code, d.message);
    }
    return result.value;
  }

  /**
   * A view (R-HANDOVER-HOLD: view only): spreadsheet and CSV rows as JSON with a view stamp, a
   * PDF stamped with the viewer and the time on every page. Each view is one audit event,
   * written after the access is re-checked in the same transaction (a revocation or destruction
   * committed meanwhile wins).
   */
  async view(actor: Acting, f: HandoverFile, q: { page: number; pageSize: number; sheet?: number }): Promise<ContentView> {
    ensureNotDestroyed(f);
    const scope = await this.scopeOf(f);
    await this.viewAccess(actor, f, scope, 'view');
    const plain = await this.open(f);
    const now = new Date();
    const viewer = actor.username ?? `user ${actor.id}`;
    let result: ContentView;
    if (f.format === 'pdf') {
      result = { kind: 'pdf', fileName: f.fileName, pdf: await stampPdf(plain, `VIEW ONLY - ${serialOf(f.id)} - viewed by ${viewer} - ${formatDateTime(now, this.config.timezone)} (${this.config.timezone})`) };
    } else {
      const sheet = f.format === 'xlsx' ? (q.sheet ?? 1) : null;
      const page = await rowPage(plain, f.format, q.page, q.pageSize, sheet ?? 1);
      result = {
        kind: 'rows',
        body: {
          id: f.id,
          serial: serialOf(f.id),
          fileName: f.fileName,
          format: f.format,
          sheet,
          sheetCount: page.sheetCount,
          page: q.page,
          pageSize: q.pageSize,
          totalRows: page.totalRows,
          rows: page.rows,
          stamp: { viewer, viewedAt: now, notice: 'view only' },
        },
      };
    }
    plain.fill(0);
    await this.withViewAccess(actor, f, scope, 'view', async (m, through) => {
      await this.audit.append(m, actor, {
        action: 'handover_file.viewed',
        objectType: 'handover_file',
        objectId: f.id,
        scope,
        after: { serial: serialOf(f.id), format: f.format, delegationId: through?.id ?? null, ...(result.kind === 'rows' ? { page: q.page, pageSize: q.pageSize, sheet: result.body.sheet, rows: result.body.rows.length } : { stamped: true }) },
      });
    });
    return result;
  }

  /** The original file, for its holder only (the route requires handover_file:hold; clerks never download). */
  async download(actor: Acting, f: HandoverFile): Promise<{ bytes: Buffer; fileName: string; format: HandoverFormat }> {
    ensureNotDestroyed(f);
    const scope = await this.scopeOf(f);
    await this.requireHolder(actor, f, scope, 'download');
    const bytes = await this.open(f);
    await this.db.tx(async (m) => {
      const current = await m.getRepository(HandoverFile).findOneByOrFail({ id: f.id });
      ensureNotDestroyed(current);
      if (current.holderId !== actor.id) throw new ConflictError('holder_changed', `${serialOf(f.id)} has passed to another holder`);
      await this.audit.append(m, actor, { action: 'handover_file.downloaded', objectType: 'handover_file', objectId: f.id, scope, after: { serial: serialOf(f.id), sha256: f.sha256 } });
    });
    return { bytes, fileName: f.fileName, format: f.format };
  }

  private async open(f: HandoverFile): Promise<Buffer> {
    // No wrapped key means the file has been crypto-shredded: gone, whatever its loaded status said.
    if (!f.wrappedKey || !f.keyId) ensureNotDestroyed({ ...f, status: 'destroyed' });
    const plain = await this.store.open(f.storageName, f.wrappedKey!, f.keyId!);
    // A tampered or substituted file would not decrypt (GCM); the hash is checked as well.
    if (crypto.createHash('sha256').update(plain).digest('hex') !== f.sha256) throw new Error(`handover file ${serialOf(f.id)}: content does not match its recorded SHA-256`);
    return plain;
  }

  // ---- delegation -----------------------------------------------------------------------

  /**
   * The holder lets an information clerk of the same project view the file for `days` days (at
   * most HANDOVER_MAX_DELEGATION_DAYS). One open delegation per clerk and file.
   */
  async delegate(actor: Acting, f: HandoverFile, input: { clerkUserId: number; days: number }): Promise<DelegationView> {
    ensureNotDestroyed(f);
    const scope = await this.scopeOf(f);
    await this.requireHolder(actor, f, scope, 'delegate');
    const max = this.config.handoverMaxDelegationDays;
    if (input.days > max) throw new ValidationError(`A delegation lasts at most ${max} days`, [{ path: 'body.days', message: `at most ${max} days (HANDOVER_MAX_DELEGATION_DAYS)` }]);
    const clerk = await this.db.manager.getRepository(User).findOneBy({ id: input.clerkUserId });
    if (!clerk || clerk.status !== 'active' || !this.policy.holdersOf('info_clerk', scope).includes(clerk.id)) {
      throw new AppError(400, 'not_project_clerk', `User ${input.clerkUserId} is not an active information clerk of ${scope}: view access is delegated to the project's clerk only`, {
        clerkUserId: input.clerkUserId,
        scope,
      });
    }
    const now = new Date();
    const d = await this.db.tx(async (m) => {
      const current = await m.getRepository(HandoverFile).findOne({ where: { id: f.id }, ...forUpdate(this.db.mysql) });
      ensureNotDestroyed(current!);
      if (current!.holderId !== actor.id) throw new ConflictError('holder_changed', `${serialOf(f.id)} has passed to another holder`);
      const open = await m.getRepository(HandoverDelegation).findOne({ where: { fileId: f.id, clerkId: clerk.id, endedAt: IsNull(), expiresAt: MoreThan(now) } });
      if (open) throw new ConflictError('already_delegated', `${serialOf(f.id)} is already delegated to user ${clerk.id} until ${open.expiresAt.toISOString()} (delegation ${open.id}); revoke it first to change it`, { delegationId: open.id });
      const d = m.getRepository(HandoverDelegation).create({
        fileId: f.id,
        clerkId: clerk.id,
        grantedById: actor.id,
        grantedAt: now,
        expiresAt: new Date(now.getTime() + input.days * DAY_MS),
        endedAt: null,
        endedById: null,
        endReason: null,
      });
      await m.getRepository(HandoverDelegation).insert(d);
      await this.audit.append(m, actor, {
        action: 'handover_file.delegated',
        objectType: 'handover_file',
        objectId: f.id,
        scope,
        after: { serial: serialOf(f.id), delegationId: d.id, clerkId: clerk.id, days: input.days, expiresAt: d.expiresAt.toISOString() },
      });
      return d;
    });
    return this.delegationView(d, now);
  }

  /** The holder ends a delegation early (also records the end of an expired one). */
  async revoke(actor: Acting, f: HandoverFile, delegationId: number): Promise<DelegationView> {
    ensureNotDestroyed(f);
    const scope = await this.scopeOf(f);
    await this.requireHolder(actor, f, scope, 'revoke');
    const now = new Date();
    await this.db.tx(async (m) => {
      const d = await m.getRepository(HandoverDelegation).findOneBy({ id: delegationId, fileId: f.id });
      if (!d) throw new NotFoundError(`Delegation of ${serialOf(f.id)}`, delegationId);
      const r = await m.getRepository(HandoverDelegation).update({ id: d.id, endedAt: IsNull() }, { endedAt: now, endedById: actor.id, endReason: 'revoked' });
      if (!r.affected) throw new ConflictError('delegation_ended', `Delegation ${d.id} has already ended`);
      await this.audit.append(m, actor, {
        action: 'handover_file.delegation_revoked',
        objectType: 'handover_file',
        objectId: f.id,
        scope,
        before: { delegationId: d.id, clerkId: d.clerkId, expiresAt: d.expiresAt.toISOString() },
        after: { endedAt: now.toISOString(), expiredBefore: d.expiresAt <= now },
      });
    });
    return this.delegationView(await this.db.manager.getRepository(HandoverDelegation).findOneByOrFail({ id: delegationId }), now);
  }

  /** The caller's own open delegations (what a clerk may view now). */
  async myDelegations(actor: Acting): Promise<Array<DelegationView & { file: HandoverFileMeta }>> {
    const now = new Date();
    const ds = await this.db.manager.getRepository(HandoverDelegation).find({ where: { clerkId: actor.id, endedAt: IsNull(), expiresAt: MoreThan(now) }, order: { id: 'ASC' } });
    if (!ds.length) return [];
    const files = new Map((await this.db.manager.getRepository(HandoverFile).findBy({ id: In(ds.map((d) => d.fileId)) })).map((f) => [f.id, f]));
    return ds.filter((d) => files.get(d.fileId)?.status !== 'destroyed').map((d) => ({ ...this.delegationView(d, now), file: this.meta(files.get(d.fileId)!) }));
  }

  // ---- confirmation (R-HANDOVER-DESTROY) ------------------------------------------------

  /** The clerk, through an open delegation, reports the control data built from the file as entered. */
  async reportEntry(actor: Acting, f: HandoverFile, input: { records: number; note?: string }): Promise<HandoverFileMeta> {
    ensureNotDestroyed(f);
    const scope = await this.scopeOf(f);
    const now = new Date();
    await this.withViewAccess(actor, f, scope, 'confirm_entry', async (m, through, current) => {
      if (!through) throw new ConflictError('clerk_only', 'The entry is reported by the clerk the file was delegated to');
      const r = await m
        .getRepository(HandoverFile)
        .update({ id: f.id, status: 'held' }, { status: 'entry_reported', entryReportedById: actor.id, entryReportedAt: now, entryRecords: input.records, entryNote: input.note ?? null });
      if (!r.affected) throw new ConflictError('entry_already_reported', `The entry from ${serialOf(f.id)} has already been reported (${current.status})`);
      await this.audit.append(m, actor, {
        action: 'handover_file.entry_reported',
        objectType: 'handover_file',
        objectId: f.id,
        scope,
        before: { status: 'held' },
        after: { status: 'entry_reported', records: input.records, delegationId: through.id },
      });
    });
    return this.meta(await this.load(f.id));
  }

  /** The holding lead confirms the clerk's entry: the file is pending destruction, the deadline starts. */
  async confirm(actor: Acting, f: HandoverFile): Promise<HandoverFileView> {
    ensureNotDestroyed(f);
    const scope = await this.scopeOf(f);
    await this.requireHolder(actor, f, scope, 'confirm');
    const now = new Date();
    const deadline = new Date(now.getTime() + this.config.handoverDestructionDays * DAY_MS);
    await this.db.tx(async (m) => {
      const r = await m
        .getRepository(HandoverFile)
        .update({ id: f.id, status: 'entry_reported', holderId: actor.id }, { status: 'pending_destruction', confirmedById: actor.id, confirmedAt: now, destructionDeadline: deadline });
      if (!r.affected) {
        const current = await m.getRepository(HandoverFile).findOneByOrFail({ id: f.id });
        ensureNotDestroyed(current);
        if (current.status === 'held') throw new ConflictError('entry_not_reported', `The clerk has not reported the entry from ${serialOf(f.id)} yet`);
        if (current.status === 'pending_destruction') throw new ConflictError('already_confirmed', `${serialOf(f.id)} is already confirmed; destroy it by ${current.destructionDeadline?.toISOString()}`);
        throw new ConflictError('holder_changed', `${serialOf(f.id)} has passed to another holder`);
      }
      await this.audit.append(m, actor, {
        action: 'handover_file.confirmed',
        objectType: 'handover_file',
        objectId: f.id,
        scope,
        before: { status: 'entry_reported' },
        after: { status: 'pending_destruction', destructionDeadline: deadline.toISOString() },
      });
    });
    return this.fullView(await this.load(f.id));
  }

  // ---- custody transfer (R-OFFBOARD) ----------------------------------------------------

  /**
   * The IT admin passes a file to another project lead of the same project: the only way a file
   * changes holder, and never to the one transferring it (403 own_transfer, recorded). Open
   * delegations end (the new holder decides who views).
   */
  async transfer(actor: Acting, f: HandoverFile, toUserId: number, reason?: string): Promise<HandoverFileMeta> {
    ensureNotDestroyed(f);
    const scope = await this.scopeOf(f);
    if (toUserId === f.holderId) throw new AppError(400, 'same_holder', `User ${toUserId} already holds ${serialOf(f.id)}`);
    // R-HANDOVER-HOLD, R-OFFBOARD: the IT admin passes custody on, never to themselves (an IT admin who
    // also leads the project would otherwise take the file and open it): refused and recorded.
    if (toUserId === actor.id) {
      await this.refusals.refuse(actor, f, scope, 'transfer', 'own_transfer', `Nobody transfers ${serialOf(f.id)} to themselves: another project lead of ${scope} must receive it`);
    }
    const to = await this.db.manager.getRepository(User).findOneBy({ id: toUserId });
    if (!to || to.status !== 'active' || !this.policy.holdersOf('project_manager', scope).includes(to.id)) {
      throw new AppError(400, 'not_project_manager', `User ${toUserId} is not an active project manager of ${scope}: handover files pass only to a lead of their project`, { toUserId, scope });
    }
    const now = new Date();
    await this.db.tx(async (m) => {
      const r = await m.getRepository(HandoverFile).update({ id: f.id, holderId: f.holderId, status: Not('destroyed' as HandoverStatus) }, { holderId: to.id });
      if (!r.affected) {
        const current = await m.getRepository(HandoverFile).findOneByOrFail({ id: f.id });
        ensureNotDestroyed(current);
        throw new ConflictError('holder_changed', `${serialOf(f.id)} changed holder meanwhile; reload and try again`);
      }
      const ended = await this.endDelegations(m, f.id, actor.id, 'transferred', now);
      // A destruction the previous holder recorded ends with their custody (closed, not lapsed): the new holder records their own.
      const current = await m.getRepository(HandoverFile).findOneByOrFail({ id: f.id });
      if (current.confirmationId !== null) {
        await m.getRepository(TwoPersonConfirmation).update({ id: current.confirmationId, state: 'pending' }, { state: 'expired', decidedAt: now });
        await m.getRepository(HandoverFile).update({ id: f.id }, { confirmationId: null, confirmationDueAt: null });
      }
      await this.audit.append(m, actor, {
        action: 'handover_file.transferred',
        objectType: 'handover_file',
        objectId: f.id,
        scope,
        reason,
        before: { holderId: f.holderId },
        after: { holderId: to.id, delegationsEnded: ended, destructionRequestClosed: current.confirmationId },
      });
    });
    return this.meta(await this.load(f.id));
  }

  async endDelegations(m: EntityManager, fileId: number, byId: number, reason: DelegationEndReason, now: Date): Promise<number> {
    const r = await m.getRepository(HandoverDelegation).update({ fileId, endedAt: IsNull() }, { endedAt: now, endedById: byId, endReason: reason });
    return r.affected ?? 0;
  }

  // ---- destruction, recovery, ledger, overdue (delegated) -------------------------------

  /** R-HANDOVER-DESTROY: the holder records the destruction naming the witness; nothing is destroyed until the witness confirms. */
  async destroy(actor: Acting, f: HandoverFile, input: { witnessUserId: number; reason?: string }): Promise<HandoverFileView> {
    await this.destructions.request(actor, f, input);
    return this.fullView(await this.load(f.id));
  }

  /** The named witness confirms: the file is crypto-shredded now, and the destruction recorded. */
  confirmDestruction(actor: Acting, f: HandoverFile): Promise<DestructionView> {
    return this.destructions.confirm(actor, f, (m, byId, now) => this.endDelegations(m, f.id, byId, 'destroyed', now));
  }

  /** The named witness declines, with a reason: the file stays held as it was. */
  async declineDestruction(actor: Acting, f: HandoverFile, reason: string): Promise<ConfirmationView> {
    return this.confirmations.view(await this.destructions.decline(actor, f, reason));
  }

  loadDestruction(id: number) {
    return this.destructions.load(id);
  }

  destructionView(d: Parameters<HandoverDestructions['view']>[0]): DestructionView {
    return this.destructions.view(d);
  }

  /** Start-up: storage checks (refuses to start on a missing or unwritable directory), then the recovery sweep. */
  startUp(): Promise<void> {
    return this.destructions.startUp();
  }

  /** §7 ledger rows of the destructions in [from, to) (projectIds null = every project). */
  destructionsForLedger(from: Date, to: Date, projectIds: number[] | null): Promise<LedgerDestructionRow[]> {
    return this.destructions.forLedger(from, to, projectIds);
  }

  /** Daily job body (see handover-overdue.job.ts). */
  async flagOverdue(asOf: Date, dayKey: string): Promise<Record<string, number>> {
    const shredded = await this.destructions.finishShredding();
    return { ...(await flagOverdue(this.db, this.outbox, this.policy, asOf, dayKey, this.config.timezone)), shredded };
  }

  /** Counts for the monthly assessment (R-RISK-MONTHLY): files past their destruction deadline, delegations expired and not revoked, as of `asOf`. */
  overdueCounts(scope: OverdueScope, asOf: Date): Promise<OverdueCounts> {
    return overdueCounts(this.db, scope, asOf);
  }

  /**
   * Key rotation: re-wraps every file key not yet under the current DATA_KEY (the old key still
   * in DATA_KEYS_PREVIOUS). The file bytes are not touched: only the wrapped key changes.
   */
  async rewrapKeys(): Promise<number> {
    const to = this.cipher.currentKeyId;
    let n = 0;
    for (;;) {
      const batch = await this.db.manager.getRepository(HandoverFile).find({ where: { wrappedKey: Not(IsNull()), keyId: Not(to) }, order: { id: 'ASC' }, take: 200 });
      if (!batch.length) return n;
      await this.db.tx(async (m) => {
        for (const f of batch) {
          // Conditional on the key still being there: a destruction committed meanwhile is never undone.
          await m.getRepository(HandoverFile).update({ id: f.id, keyId: f.keyId!, wrappedKey: Not(IsNull()) }, this.store.rewrap(f.storageName, f.wrappedKey!, f.keyId!));
        }
        await this.audit.append(m, SYSTEM_ACTOR, { action: 'crypto.keys_rotated', objectType: 'data_key', objectId: to, after: { handoverFileKeys: batch.length, to } });
      });
      n += batch.length;
    }
  }
}
