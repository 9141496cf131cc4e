import type { Readable } from 'node:stream';
import { EntityManager, IsNull, Not } from 'typeorm';
import { AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import type { FieldCipher } from '../../crypto/field-cipher';
import type { Database } from '../../db/database';
import type { DelegationEndReason, HandoverDelegation } from '../../entities/HandoverDelegation';
import { HandoverFile, HandoverFormat, HandoverStatus } from '../../entities/HandoverFile';
import { Project } from '../../entities/Project';
import { TwoPersonConfirmation } from '../../entities/TwoPersonConfirmation';
import { User } from '../../entities/User';
import { AppError, ConflictError } from '../../errors';
import type { Logger } from '../../logger';
import type { Authorizer } from '../../policy/authorizer';
import type { PolicyService } from '../../policy/policy-service';
import type { Holding } from '../../policy/holdings-registry';
import type { NotificationOutbox } from '../notifications/notification.service';
import { ConfirmationView, TwoPersonConfirmations } from '../confirmations/confirmation.service';
import { HandoverDestructions, LedgerDestructionRow, DestructionView } from './destruction';
import { HandoverFileStore } from './file-store';
import { Acting, ensureNotDestroyed, Refusals, serialOf } from './handover-access';
import { HandoverDelegations } from './handover-delegation';
import { HandoverUploads } from './handover-upload';
import { HandoverViewing } from './handover-viewing';
import { ContentView, DelegationView, HandoverFileMeta, HandoverFileView, HandoverViews } from './handover.views';
import { flagOverdue, overdueCounts, OverdueCounts, OverdueScope } from './overdue';

export type { ContentView, DelegationState, DelegationView, HandoverFileMeta, HandoverFileView } from './handover.views';

const DAY_MS = 24 * 60 * 60 * 1000;

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
  /** Read models (./handover.views.ts), content viewing (./handover-viewing.ts), delegations (./handover-delegation.ts). */
  private readonly views: HandoverViews;
  private readonly viewing: HandoverViewing;
  private readonly delegation: HandoverDelegations;
  private readonly uploads: HandoverUploads;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    authz: Authorizer,
    private readonly policy: PolicyService,
    private readonly cipher: FieldCipher,
    private readonly outbox: NotificationOutbox,
    private readonly config: Config,
    logger: Logger,
    private readonly confirmations: TwoPersonConfirmations,
  ) {
    this.store = new HandoverFileStore(config.handoverStorageDir, cipher);
    this.refusals = new Refusals(db, audit, logger);
    this.destructions = new HandoverDestructions(db, audit, authz, policy, this.store, this.refusals, logger, this.confirmations);
    this.views = new HandoverViews(db, authz, policy, this.refusals, this.confirmations);
    this.viewing = new HandoverViewing(db, audit, config, this.store, this.refusals, this.views);
    this.delegation = new HandoverDelegations(db, audit, policy, config, this.views, outbox);
    this.uploads = new HandoverUploads(db, audit, config, this.store, this.views);
  }

  /** Test hooks simulating a crash between the steps of a destruction (see ./destruction.ts). */
  get faults(): Partial<Record<FaultPoint, () => void | Promise<void>>> {
    return this.destructions.faults;
  }

  // ---- loading and views (./handover.views.ts) ------------------------------------------

  load(id: number): Promise<HandoverFile> {
    return this.views.load(id);
  }

  scopeOf(f: Pick<HandoverFile, 'projectId'>): Promise<string> {
    return this.views.scopeOf(f);
  }

  meta(f: HandoverFile): HandoverFileMeta {
    return this.views.meta(f);
  }

  delegationView(d: HandoverDelegation, now = new Date()): DelegationView {
    return this.views.delegationView(d, now);
  }

  projectByCode(code: string): Promise<Project> {
    return this.views.projectByCode(code);
  }

  /** The files of a project: the holder's full view of the files they hold, metadata only for a reader who cannot hold files. */
  list(actor: Acting, projectCode: string, f: { status?: HandoverStatus; limit: number; offset: number }): Promise<{ items: Array<HandoverFileMeta | HandoverFileView>; total: number }> {
    return this.views.list(actor, projectCode, f);
  }

  /** One file (another lead of the project is refused and recorded). */
  get(actor: Acting, f: HandoverFile): Promise<HandoverFileMeta | HandoverFileView> {
    return this.views.get(actor, f);
  }

  /**
   * The file as the reader may see it (as get()), or once destroyed its destruction record
   * (R-HANDOVER-DESTROY) instead of the 410 the other routes answer: what the console's file page
   * shows, in one answer either way.
   */
  async record(actor: Acting, f: HandoverFile): Promise<{ destroyed: false; file: HandoverFileMeta | HandoverFileView } | { destroyed: true; destruction: DestructionView }> {
    if (f.status === 'destroyed' && f.destructionId !== null) return { destroyed: true, destruction: this.destructionView(await this.loadDestruction(f.destructionId)) };
    return { destroyed: false, file: await this.get(actor, f) };
  }

  delegations(actor: Acting, f: HandoverFile): Promise<DelegationView[]> {
    return this.views.delegations(actor, f);
  }

  /** R-OFFBOARD: the files a user holds (not yet destroyed) must be transferred before they leave. */
  heldBy(m: EntityManager, userId: number): Promise<Holding[]> {
    return this.views.heldBy(m, userId);
  }

  /** The caller's own open delegations (what a clerk may view now). */
  myDelegations(actor: Acting): Promise<Array<DelegationView & { file: HandoverFileMeta }>> {
    return this.views.myDelegations(actor);
  }

  // ---- viewing (./handover-viewing.ts) ---------------------------------------------------

  /** A view (R-HANDOVER-HOLD: view only): rows as JSON with a view stamp, or a stamped PDF; one audit event each. */
  view(actor: Acting, f: HandoverFile, q: { page: number; pageSize: number; sheet?: number }): Promise<ContentView> {
    return this.viewing.view(actor, f, q);
  }

  /** The original file, for its holder only. */
  download(actor: Acting, f: HandoverFile): Promise<{ bytes: Buffer; fileName: string; format: HandoverFormat }> {
    return this.viewing.download(actor, f);
  }

  // ---- delegation (./handover-delegation.ts) ---------------------------------------------

  /** The holder lets an information clerk of the same project view the file for `days` days. */
  delegate(actor: Acting, f: HandoverFile, input: { clerkUserId: number; days: number }): Promise<DelegationView> {
    return this.delegation.delegate(actor, f, input);
  }

  /** The project's active information clerks the holder may delegate viewing to (the console's picker). */
  eligibleClerks(actor: Acting, f: HandoverFile): Promise<Array<{ id: number; username: string; displayName: string }>> {
    return this.delegation.eligibleClerks(actor, f);
  }

  /** The holder ends a delegation early (also records the end of an expired one). */
  revoke(actor: Acting, f: HandoverFile, delegationId: number): Promise<DelegationView> {
    return this.delegation.revoke(actor, f, delegationId);
  }

  endDelegations(m: EntityManager, fileId: number, byId: number, reason: DelegationEndReason, now: Date): Promise<number> {
    return this.delegation.endDelegations(m, fileId, byId, reason, now);
  }

  // ---- custody --------------------------------------------------------------------------

  /** Receives the raw body (size-limited), then stores it (R-HANDOVER-HOLD; ./handover-upload.ts). */
  upload(actor: Acting, projectCode: string, fileName: string, body: Readable & { headers: Record<string, string | string[] | undefined> }): Promise<HandoverFileView> {
    return this.uploads.upload(actor, projectCode, fileName, body);
  }

  /** Checks the content, encrypts it under a new file key and records the file with the uploader as its holder. */
  storeFile(actor: Acting, project: Project, fileName: string, bytes: Buffer): Promise<HandoverFileView> {
    return this.uploads.storeFile(actor, project, fileName, bytes);
  }

  // ---- confirmation (R-HANDOVER-DESTROY) ------------------------------------------------

  /** The clerk, through an open delegation, reports the control data built from the file as entered. */
  async reportEntry(actor: Acting, f: HandoverFile, input: { records: number; note?: string }): Promise<HandoverFileMeta> {
    ensureNotDestroyed(f);
    const scope = await this.views.scopeOf(f);
    const now = new Date();
    await this.viewing.withViewAccess(actor, f, scope, 'confirm_entry', async (m, through, current) => {
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
    const scope = await this.views.scopeOf(f);
    await this.views.requireHolder(actor, f, scope, 'confirm');
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
    return this.views.fullView(await this.load(f.id));
  }

  // ---- custody transfer (R-OFFBOARD) ----------------------------------------------------

  /**
   * The IT admin passes a file to another project lead of the same project: the only way a file
   * changes holder, and never to the one transferring it (403 own_transfer, recorded). Open
   * delegations end (the new holder decides who views).
   */
  async transfer(actor: Acting, f: HandoverFile, toUserId: number, reason?: string): Promise<HandoverFileMeta> {
    ensureNotDestroyed(f);
    const scope = await this.views.scopeOf(f);
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

  // ---- destruction, recovery, ledger, overdue (delegated) -------------------------------

  /** R-HANDOVER-DESTROY: the holder records the destruction naming the witness; nothing is destroyed until the witness confirms. */
  async destroy(actor: Acting, f: HandoverFile, input: { witnessUserId: number; reason?: string }): Promise<HandoverFileView> {
    await this.destructions.request(actor, f, input);
    return this.views.fullView(await this.load(f.id));
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

  /** Daily job body (see handover.job.ts). */
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
