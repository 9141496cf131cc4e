import { And, Between, EntityManager, In, IsNull, LessThan, MoreThanOrEqual, Not } from 'typeorm';
import { AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import { Database, forUpdate } from '../../db/database';
import { HandoverDestruction } from '../../entities/HandoverDestruction';
import { HandoverFile, HandoverStatus } from '../../entities/HandoverFile';
import { TwoPersonConfirmation } from '../../entities/TwoPersonConfirmation';
import { User } from '../../entities/User';
import { AppError, ConflictError, NotFoundError } from '../../errors';
import type { Logger } from '../../logger';
import type { Authorizer } from '../../policy/authorizer';
import type { PolicyService } from '../../policy/policy-service';
import { isOpen, TwoPersonConfirmations } from '../paper/confirmations';
import { HandoverFileStore, StorageError } from './file-store';
import { Acting, ensureNotDestroyed, Refusals, serialOf } from './handover-access';

export const DESTRUCTION_METHOD = 'crypto-shred: AES-256-GCM file key deleted, ciphertext overwritten with random bytes and unlinked';

/** Stored files with no record are removed by the start-up sweep once older than this (an upload may be in flight). */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

export interface DestructionView {
  id: number;
  serial: string;
  fileId: number;
  project: string;
  fileName: string;
  format: string;
  sha256: string;
  byteSize: number;
  destroyedById: number;
  supervisorId: number;
  witnessId: number;
  method: string;
  reason: string | null;
  statusBefore: string;
  destroyedAt: Date;
  bytesShreddedAt: Date | null;
  /** When the holder recorded it, and when the witness confirmed it from their own session (the crypto-shred); null before the two-person rule. */
  requestedAt: Date | null;
  witnessConfirmedAt: Date | null;
  confirmationId: number | null;
}

/**
 * A row of the §7 ledger form (R-LEDGER-FORM) for a destroyed handover file, beside the paper
 * copies: the holder as requester, the lead who confirmed the entry as approver, the witness and
 * when they confirmed. A destruction recorded in the period and still awaiting its witness (or
 * lapsed) is a row too, not destroyed.
 */
export interface LedgerDestructionRow {
  serial: string;
  project: string;
  contentSummary: string;
  requester: string;
  approver: string | null;
  /** When the lead confirmed the entry (null for a file destroyed before confirmation). */
  approvedAt: Date | null;
  issuedAt: Date;
  signedBy: null;
  expiry: Date | null;
  returnedAt: null;
  destroyedAt: Date | null;
  method: string | null;
  witness: string;
  witnessConfirmedAt: Date | null;
  /** The status column: destroyed, awaiting witness, confirmation expired. */
  status: string;
  /** Where the row sorts: the destruction, or the recording of one not (yet) confirmed. */
  at: Date;
}

const LEDGER_STATUS = { destroyed: '已銷毀 destroyed', pending: '待監銷確認 awaiting witness', expired: '確認逾期 confirmation expired' } as const;

/** Thrown by a test fault point: stands for the process dying at that step (never caught as an I/O error). */
export class InjectedFault extends Error {}

/**
 * Destruction of handover files (R-HANDOVER-DESTROY, §5.2.2.2–3) and the recovery that makes it
 * crash-safe. The order of the steps is the point:
 *
 * 0. The holder records the destruction naming the witness (a two_person_confirmation): nothing
 *    is destroyed yet; the file stays held, keyed and readable until the witness confirms it
 *    from their own session (or declines it), before CONFIRMATION_TTL_HOURS pass.
 * 1. At the witness's confirmation, ONE transaction: the confirmation is decided (one winner),
 *    the file moves to "destroyed" (conditional on its status: one winner), its wrapped key is
 *    deleted, the destruction record is written, every delegation ends, the audit event is
 *    appended. From this commit on the stored bytes are ciphertext whose key no longer exists
 *    anywhere: unreadable, whatever happens next.
 * 2. The ciphertext is overwritten with random bytes (fsync), then unlinked.
 * 3. The record notes `bytesShreddedAt`.
 *
 * A crash before 1 commits leaves the file held and readable, recorded as held. A crash after
 * leaves it recorded as destroyed and unreadable; the start-up sweep (and the daily job) redo
 * steps 2–3 for every record without `bytesShreddedAt`. So there is never a file shredded but
 * recorded as present, nor one recorded as destroyed but still readable.
 */
export class HandoverDestructions {
  /** Test fault points: a hook that throws simulates a crash right after that step. */
  readonly faults: Partial<Record<'afterRecord' | 'afterOverwrite' | 'afterUnlink', () => void | Promise<void>>> = {};

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly authz: Authorizer,
    private readonly policy: PolicyService,
    private readonly store: HandoverFileStore,
    private readonly refusals: Refusals,
    private readonly logger: Logger,
    private readonly confirmations: TwoPersonConfirmations,
  ) {}

  private async fault(point: 'afterRecord' | 'afterOverwrite' | 'afterUnlink'): Promise<void> {
    const hook = this.faults[point];
    if (!hook) return;
    try {
      await hook();
    } catch (err) {
      throw new InjectedFault(`injected fault ${point}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  view(d: HandoverDestruction): DestructionView {
    return {
      id: d.id,
      serial: serialOf(d.fileId),
      fileId: d.fileId,
      project: this.policy.projectCode(d.projectId) ?? String(d.projectId),
      fileName: d.fileName,
      format: d.format,
      sha256: d.sha256,
      byteSize: d.byteSize,
      destroyedById: d.destroyedById,
      supervisorId: d.supervisorId,
      witnessId: d.witnessId,
      method: d.method,
      reason: d.reason,
      statusBefore: d.statusBefore,
      destroyedAt: d.destroyedAt,
      bytesShreddedAt: d.bytesShreddedAt,
      requestedAt: d.requestedAt,
      witnessConfirmedAt: d.witnessConfirmedAt,
      confirmationId: d.confirmationId,
    };
  }

  async load(id: number): Promise<HandoverDestruction> {
    const d = await this.db.manager.getRepository(HandoverDestruction).findOneBy({ id });
    if (!d) throw new NotFoundError('Handover destruction record', id);
    return d;
  }

  /**
   * R-HANDOVER-DESTROY: the holding lead records the destruction of the file under supervision.
   * The lead supervises (§5.2.2.3); since the lead is also the one destroying, a second person
   * holding handover_file:witness in the project witnesses it: another lead, or the head of the
   * project's department (so that a project with a single lead can destroy its files). Before the
   * lead confirmed the clerk's entry, a reason is required (and recorded); otherwise 409. Nothing
   * is destroyed here: the witness confirms it from their own session (confirm), which is when
   * the key is deleted and the bytes shredded; until then a second recording is 409.
   */
  async request(actor: Acting, f: HandoverFile, input: { witnessUserId: number; reason?: string }): Promise<TwoPersonConfirmation> {
    const scope = await this.policy.projectScope(f.projectId);
    if (f.status === 'destroyed') throw new ConflictError('already_destroyed', `${serialOf(f.id)} is already destroyed (record ${f.destructionId})`, { destructionId: f.destructionId });
    if (f.holderId !== actor.id) await this.refusals.refuse(actor, f, scope, 'destroy', 'not_holder', `Only the project lead holding ${serialOf(f.id)} may destroy it`);
    const early = f.status !== 'pending_destruction';
    if (early && !input.reason) {
      throw new ConflictError(
        'not_confirmed',
        `${serialOf(f.id)} is ${f.status}: the clerk's entry has not been reported and confirmed. Give a reason to destroy it earlier (it is recorded)`,
        { status: f.status },
      );
    }
    const now = new Date();
    this.ensureNoOpenRequest(f, now);
    await this.checkWitness(actor, input.witnessUserId, scope);
    return this.db.tx(async (m) => {
      const c = await this.confirmations.open(
        m,
        actor,
        {
          kind: 'handover_destruction',
          objectType: 'handover_file',
          objectId: String(f.id),
          projectId: f.projectId,
          confirmerId: input.witnessUserId,
          statusBefore: f.status,
          reason: input.reason ?? null,
        },
        now,
      );
      const r = await m
        .createQueryBuilder()
        .update(HandoverFile)
        .set({ confirmationId: c.id, confirmationDueAt: c.dueAt })
        .where('id = :id AND status <> :destroyed AND holderId = :holder AND (confirmationId IS NULL OR confirmationDueAt < :now)', { id: f.id, destroyed: 'destroyed', holder: actor.id, now })
        .execute();
      if (!r.affected) {
        const current = await m.getRepository(HandoverFile).findOneByOrFail({ id: f.id });
        if (current.status === 'destroyed') throw new ConflictError('already_destroyed', `${serialOf(f.id)} is already destroyed (record ${current.destructionId})`, { destructionId: current.destructionId });
        this.ensureNoOpenRequest(current, now);
        throw new ConflictError('state_changed', `${serialOf(f.id)} changed meanwhile (now ${current.status}, holder ${current.holderId}); reload and try again`);
      }
      await this.audit.append(m, actor, {
        action: 'handover_file.destruction_requested',
        objectType: 'handover_file',
        objectId: f.id,
        scope,
        reason: input.reason,
        before: { status: f.status },
        after: { status: f.status, confirmationId: c.id, witnessId: input.witnessUserId, dueAt: c.dueAt, beforeConfirmation: early },
      });
      return c;
    });
  }

  /** 409 while a recorded destruction awaits its witness (and has not lapsed). */
  private ensureNoOpenRequest(f: HandoverFile, now: Date): void {
    if (f.confirmationId !== null && f.confirmationDueAt !== null && f.confirmationDueAt.getTime() >= now.getTime()) {
      throw new ConflictError('destruction_pending', `The destruction of ${serialOf(f.id)} awaits its witness's confirmation (confirmation ${f.confirmationId}) until ${f.confirmationDueAt.toISOString()}`, {
        confirmationId: f.confirmationId,
        confirmationDueAt: f.confirmationDueAt,
      });
    }
  }

  /**
   * The confirmation a witness decides: the one the file waits for, or else its latest (to say
   * why there is nothing to decide). 409 nothing_to_confirm without one; 403 (audited) for anyone
   * but the named witness; 409 when it was already decided or has lapsed.
   */
  private async confirmationFor(actor: Acting, f: HandoverFile, scope: string, action: string, now: Date): Promise<TwoPersonConfirmation> {
    const current = f.confirmationId !== null ? await this.confirmations.load(f.confirmationId) : null;
    const c = current ?? (await this.confirmations.latest('handover_file', String(f.id), 'handover_destruction'));
    if (!c) {
      ensureNotDestroyed(f);
      throw new ConflictError('nothing_to_confirm', `No destruction of ${serialOf(f.id)} was recorded: there is nothing to confirm`, { status: f.status });
    }
    if (c.confirmerId !== actor.id) await this.refusals.refuse(actor, f, scope, action, 'not_witness', `Only the witness named for the destruction of ${serialOf(f.id)} may confirm or decline it`);
    this.confirmations.ensureOpen(c, now);
    return c;
  }

  /**
   * R-HANDOVER-DESTROY (two-person rule): the named witness confirms, from their own session, the
   * destruction the holder recorded; the crypto-shred happens now (steps 1–3 above), recorded with
   * who destroyed it (the holder), who supervised (the holder) and who witnessed it and when.
   */
  async confirm(actor: Acting, f: HandoverFile, endDelegations: (m: EntityManager, byId: number, now: Date) => Promise<number>): Promise<DestructionView> {
    const scope = await this.policy.projectScope(f.projectId);
    const now = new Date();
    const c = await this.confirmationFor(actor, f, scope, 'confirm_destruction', now);
    const record = await this.db.tx(async (m) => {
      await this.confirmations.decide(m, c, 'confirmed', now);
      const current = await m.getRepository(HandoverFile).findOne({ where: { id: f.id }, ...forUpdate(this.db.mysql) });
      if (!current) throw new NotFoundError('Handover file', f.id);
      if (current.status === 'destroyed') throw new ConflictError('already_destroyed', `${serialOf(f.id)} is already destroyed (record ${current.destructionId})`, { destructionId: current.destructionId });
      if (current.holderId !== c.requestedById) {
        throw new ConflictError('holder_changed', `${serialOf(f.id)} has passed to another holder since its destruction was recorded; the new holder records it again`);
      }
      const r = await m
        .createQueryBuilder()
        .update(HandoverFile)
        .set({ status: 'destroyed', wrappedKey: null, keyId: null, destroyedAt: now, confirmationId: null, confirmationDueAt: null })
        .where('id = :id AND status = :status AND holderId = :holder AND confirmationId = :confirmation', { id: f.id, status: current.status, holder: c.requestedById, confirmation: c.id })
        .execute();
      if (!r.affected) throw new ConflictError('state_changed', `${serialOf(f.id)} changed meanwhile; reload and try again`);
      const early = current.status !== 'pending_destruction';
      const d = m.getRepository(HandoverDestruction).create({
        fileId: f.id,
        projectId: f.projectId,
        fileName: current.fileName,
        format: current.format,
        sha256: current.sha256,
        byteSize: current.byteSize,
        destroyedById: c.requestedById,
        supervisorId: c.requestedById,
        witnessId: actor.id,
        method: DESTRUCTION_METHOD,
        reason: c.reason,
        statusBefore: current.status,
        destroyedAt: now,
        bytesShreddedAt: null,
        requestedAt: c.requestedAt,
        witnessConfirmedAt: now,
        confirmationId: c.id,
      });
      await m.getRepository(HandoverDestruction).insert(d);
      await m.getRepository(HandoverFile).update({ id: f.id }, { destructionId: d.id });
      const ended = await endDelegations(m, c.requestedById, now);
      await this.audit.append(m, actor, {
        action: 'handover_file.destroyed',
        objectType: 'handover_file',
        objectId: f.id,
        scope,
        reason: d.reason ?? undefined,
        before: { status: current.status },
        after: {
          status: 'destroyed',
          destructionId: d.id,
          fileName: current.fileName,
          sha256: current.sha256,
          byteSize: current.byteSize,
          destroyedById: d.destroyedById,
          supervisorId: d.supervisorId,
          witnessId: d.witnessId,
          confirmationId: c.id,
          requestedAt: c.requestedAt,
          witnessConfirmedAt: now,
          method: DESTRUCTION_METHOD,
          delegationsEnded: ended,
          beforeConfirmation: early,
        },
      });
      return { record: d, storageName: current.storageName };
    });

    await this.fault('afterRecord');
    try {
      await this.shred(record.record, record.storageName);
    } catch (err) {
      if (err instanceof InjectedFault) throw err;
      // The destruction stands (the key is gone); the sweep finishes the bytes.
      this.logger.error('handover file bytes not yet shredded; the recovery sweep will finish', { destructionId: record.record.id, error: String(err) });
    }
    return this.view(await this.load(record.record.id));
  }

  /** The named witness declines (did not see it), with a reason: the file stays held as it was; the holder is notified. */
  async decline(actor: Acting, f: HandoverFile, reason: string): Promise<TwoPersonConfirmation> {
    const scope = await this.policy.projectScope(f.projectId);
    const now = new Date();
    const c = await this.confirmationFor(actor, f, scope, 'decline_destruction', now);
    await this.db.tx(async (m) => {
      await this.confirmations.decide(m, c, 'declined', now, reason);
      await m.getRepository(HandoverFile).update({ id: f.id, confirmationId: c.id }, { confirmationId: null, confirmationDueAt: null });
      await this.confirmations.notifyDeclined(m, c, actor);
      await this.audit.append(m, actor, {
        action: 'handover_file.destruction_declined',
        objectType: 'handover_file',
        objectId: f.id,
        scope,
        // The reason stays on the confirmation, not in the trail.
        after: { confirmationId: c.id, requestedById: c.requestedById, reasonGiven: reason.trim() !== '' },
      });
    });
    return (await this.confirmations.load(c.id))!;
  }

  private async checkWitness(actor: Acting, witnessId: number, scope: string): Promise<void> {
    if (witnessId === actor.id) {
      throw new AppError(400, 'witness_is_destroyer', 'The witness must be a second person, not the one destroying the file', { witnessUserId: witnessId });
    }
    const w = await this.db.manager.getRepository(User).findOneBy({ id: witnessId });
    const allowed = w?.status === 'active' && this.authz.decide(witnessId, scope, { object: 'handover_file', action: 'witness' }).allowed;
    if (!allowed) {
      throw new AppError(400, 'witness_not_allowed', `User ${witnessId} cannot witness a destruction in ${scope} (an active user with handover_file:witness there is needed)`, { witnessUserId: witnessId, scope });
    }
  }

  /** Steps 2–3: overwrite, unlink, then note it on the record (idempotent: a repeat finds nothing left). */
  private async shred(d: HandoverDestruction, storageName: string): Promise<void> {
    const overwritten = await this.store.overwrite(storageName);
    await this.fault('afterOverwrite');
    await this.store.unlink(storageName);
    await this.fault('afterUnlink');
    const at = new Date();
    const scope = await this.policy.projectScope(d.projectId);
    await this.db.tx(async (m) => {
      const r = await m.getRepository(HandoverDestruction).update({ id: d.id, bytesShreddedAt: IsNull() }, { bytesShreddedAt: at });
      if (!r.affected) return;
      await this.audit.append(m, SYSTEM_ACTOR, {
        action: 'handover_file.bytes_shredded',
        objectType: 'handover_file',
        objectId: d.fileId,
        scope,
        after: { destructionId: d.id, overwritten, unlinked: true },
      });
    });
  }

  /** Finishes steps 2–3 for every destruction record whose bytes were not yet shredded. */
  async finishShredding(): Promise<number> {
    const pending = await this.db.manager.getRepository(HandoverDestruction).find({ where: { bytesShreddedAt: IsNull() }, order: { id: 'ASC' } });
    let n = 0;
    for (const d of pending) {
      const f = await this.db.manager.getRepository(HandoverFile).findOneBy({ id: d.fileId });
      if (!f) continue;
      await this.shred(d, f.storageName);
      n++;
    }
    if (n) this.logger.warn('finished shredding destroyed handover files', { count: n });
    return n;
  }

  /**
   * At start (bootstrap): the storage directory must exist or be creatable, and be writable; if
   * the database records files as held there, it must exist and hold every one of them (no
   * silent loss). Then the recovery sweep: finish interrupted destructions, remove orphans.
   */
  async startUp(): Promise<void> {
    const held = await this.db.manager.getRepository(HandoverFile).find({ where: { status: Not('destroyed' as HandoverStatus) }, select: { id: true, storageName: true }, order: { id: 'ASC' } });
    this.store.checkWritable({ mustExist: held.length > 0, heldCount: held.length });
    const missing = held.filter((f) => !this.store.exists(f.storageName));
    if (missing.length) {
      throw new StorageError(
        `HANDOVER_STORAGE_DIR ${this.store.dir} lacks ${missing.length} handover file(s) the database records as held (${missing
          .slice(0, 10)
          .map((f) => serialOf(f.id))
          .join(', ')}${missing.length > 10 ? ', …' : ''}): refusing to start. Restore the files or point HANDOVER_STORAGE_DIR at the right directory.`,
      );
    }
    await this.finishShredding();
    await this.sweepOrphans();
  }

  /** Stored files whose record is destroyed, or that have no record (an upload that never committed), are shredded. */
  async sweepOrphans(now = new Date()): Promise<number> {
    const stored = this.store.listStored();
    if (!stored.length) return 0;
    const known = new Map<string, HandoverStatus>();
    for (let i = 0; i < stored.length; i += 500) {
      const rows = await this.db.manager.getRepository(HandoverFile).find({ where: { storageName: In(stored.slice(i, i + 500).map((s) => s.storageName)) }, select: { storageName: true, status: true } });
      for (const r of rows) known.set(r.storageName, r.status);
    }
    let n = 0;
    for (const s of stored) {
      const status = known.get(s.storageName);
      const orphan = status === undefined && now.getTime() - s.mtime.getTime() > ORPHAN_AGE_MS;
      if (status === 'destroyed' || orphan) {
        await this.store.overwrite(s.storageName);
        await this.store.unlink(s.storageName);
        n++;
      }
    }
    if (n) this.logger.warn('removed stored handover files without a live record', { count: n });
    return n;
  }

  /**
   * §7 ledger rows (R-LEDGER-FORM) for destructions in [from, to), and for destructions recorded
   * in the period that still await their witness or lapsed (not destroyed: shown as such).
   */
  async forLedger(from: Date, to: Date, projectIds: number[] | null): Promise<LedgerDestructionRow[]> {
    if (projectIds && !projectIds.length) return [];
    const m = this.db.manager;
    const inProjects = projectIds ? { projectId: In(projectIds) } : {};
    const rows = await m.getRepository(HandoverDestruction).find({
      where: { destroyedAt: Between(from, new Date(to.getTime() - 1)), ...inProjects },
      order: { destroyedAt: 'ASC', id: 'ASC' },
    });
    // Recorded in the period and not decided: awaiting the witness, or lapsed.
    const open = await m.getRepository(TwoPersonConfirmation).find({
      // decidedAt set on an expired one: closed by a custody transfer, not lapsed.
      where: { kind: 'handover_destruction', state: In(['pending', 'expired']), decidedAt: IsNull(), requestedAt: And(MoreThanOrEqual(from), LessThan(to)), ...inProjects },
      order: { requestedAt: 'ASC', id: 'ASC' },
    });
    if (!rows.length && !open.length) return [];
    const fileIds = [...new Set([...rows.map((r) => r.fileId), ...open.map((c) => Number(c.objectId))])];
    const files = new Map((await m.getRepository(HandoverFile).findBy({ id: In(fileIds) })).map((f) => [f.id, f]));
    const userIds = new Set<number>();
    for (const r of rows) userIds.add(r.supervisorId).add(r.witnessId);
    for (const c of open) userIds.add(c.requestedById).add(c.confirmerId);
    for (const f of files.values()) if (f.confirmedById) userIds.add(f.confirmedById);
    const names = new Map((await m.getRepository(User).findBy({ id: In([...userIds]) })).map((u) => [u.id, `${u.displayName} (${u.username})`]));
    const name = (id: number | null | undefined) => (id ? (names.get(id) ?? `user ${id}`) : null);
    const summary = (x: { fileName: string; format: string; byteSize: number; sha256: string }, reason: string | null) =>
      `Developer handover file "${x.fileName}" (${x.format.toUpperCase()}, ${x.byteSize} bytes, SHA-256 ${x.sha256.slice(0, 16)}…)${reason ? `; destroyed before confirmation: ${reason}` : ''}`;
    const now = new Date();
    const destroyed = rows.map((r): LedgerDestructionRow => {
      const f = files.get(r.fileId);
      return {
        serial: serialOf(r.fileId),
        project: this.policy.projectCode(r.projectId) ?? String(r.projectId),
        contentSummary: summary(r, r.reason),
        requester: name(r.supervisorId)!,
        approver: name(f?.confirmedById),
        approvedAt: f?.confirmedAt ?? null,
        issuedAt: f?.uploadedAt ?? r.destroyedAt,
        signedBy: null,
        expiry: f?.destructionDeadline ?? null,
        returnedAt: null,
        destroyedAt: r.destroyedAt,
        method: r.method,
        witness: name(r.witnessId)!,
        witnessConfirmedAt: r.witnessConfirmedAt,
        status: LEDGER_STATUS.destroyed,
        at: r.destroyedAt,
      };
    });
    const pending = open
      .filter((c) => files.has(Number(c.objectId)) && files.get(Number(c.objectId))!.status !== 'destroyed')
      .map((c): LedgerDestructionRow => {
        const f = files.get(Number(c.objectId))!;
        return {
          serial: serialOf(f.id),
          project: this.policy.projectCode(c.projectId) ?? String(c.projectId),
          contentSummary: summary(f, c.reason),
          requester: name(c.requestedById)!,
          approver: name(f.confirmedById),
          approvedAt: f.confirmedAt,
          issuedAt: f.uploadedAt,
          signedBy: null,
          expiry: f.destructionDeadline,
          returnedAt: null,
          destroyedAt: null,
          method: null,
          witness: name(c.confirmerId)!,
          witnessConfirmedAt: null,
          status: LEDGER_STATUS[isOpen(c, now) ? 'pending' : 'expired'],
          at: c.requestedAt,
        };
      });
    return [...destroyed, ...pending].sort((a, b) => a.at.getTime() - b.at.getTime());
  }
}
