import { EntityManager } from 'typeorm';
import { AuditWriter } from '../../audit/audit-writer';
import { Database, forUpdate } from '../../db/database';
import { HandoverDestruction } from '../../entities/HandoverDestruction';
import { HandoverFile } from '../../entities/HandoverFile';
import { TwoPersonConfirmation } from '../../entities/TwoPersonConfirmation';
import { User } from '../../entities/User';
import { AppError, ConflictError, NotFoundError } from '../../errors';
import type { Logger } from '../../logger';
import type { Authorizer } from '../../policy/authorizer';
import type { PolicyService } from '../../policy/policy-service';
import { TwoPersonConfirmations } from '../confirmations/confirmation.service';
import { destructionsForLedger, destructionView, DestructionView, LedgerDestructionRow } from './destruction-ledger';
import { DestructionShredding } from './destruction-shredding';
import type { HandoverFileStore } from './file-store';
import { Acting, ensureNotDestroyed, Refusals, serialOf } from './handover-access';

export type { DestructionView, LedgerDestructionRow } from './destruction-ledger';

export const DESTRUCTION_METHOD = 'crypto-shred: AES-256-GCM file key deleted, ciphertext overwritten with random bytes and unlinked';

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
  /** Steps 2–3 and the start-up recovery (./destruction-shredding.ts). */
  private readonly shredding: DestructionShredding;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly authz: Authorizer,
    private readonly policy: PolicyService,
    store: HandoverFileStore,
    private readonly refusals: Refusals,
    private readonly logger: Logger,
    private readonly confirmations: TwoPersonConfirmations,
  ) {
    this.shredding = new DestructionShredding(db, audit, policy, store, logger, (point) => this.fault(point));
  }

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
    return destructionView(d, this.policy);
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
    const c = await this.confirmations.awaitedOrLatest('handover_file', String(f.id), 'handover_destruction', f.confirmationId);
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
      await this.shredding.shred(record.record, record.storageName);
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

  /** Finishes steps 2–3 for every destruction record whose bytes were not yet shredded. */
  finishShredding(): Promise<number> {
    return this.shredding.finishShredding();
  }

  /** At start: storage checks, then the recovery sweep (./destruction-shredding.ts). */
  startUp(): Promise<void> {
    return this.shredding.startUp();
  }

  /** Stored files whose record is destroyed, or that have no record, are shredded. */
  sweepOrphans(now = new Date()): Promise<number> {
    return this.shredding.sweepOrphans(now);
  }

  /** §7 ledger rows (R-LEDGER-FORM) for destructions in [from, to) and those recorded then and not confirmed (./destruction-ledger.ts). */
  forLedger(from: Date, to: Date, projectIds: number[] | null): Promise<LedgerDestructionRow[]> {
    return destructionsForLedger(this.db.manager, this.policy, from, to, projectIds);
  }
}
