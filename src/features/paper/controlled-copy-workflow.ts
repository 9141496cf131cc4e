import { ControlledCopy, DestructionMethod } from '../../entities/ControlledCopy';
import { User } from '../../entities/User';
import type { AuditActor } from '../../audit/audit-writer';
import { ConflictError, ValidationError } from '../../errors';
import { formatDateTime } from '../../lib/documents';
import { refuse } from '../../policy/refusal';
import { CopyQueries } from './controlled-copy-queries';
import { Acting, CLOCK_SKEW_MS, CopyView, currentHolder, IDLE_SQL, LOCATED_STATUSES, OUT_STATUSES, pendingOpen, textGiven, WITNESS } from './controlled-copy.views';

/**
 * The commands of a copy's holder (R-NO-PAPER, R-NO-LEND): signing for it, the refused change of
 * holder, and recording a return to a keeper or a destruction before a witness (each completed
 * only by the second person: see CopyDecisions). Every transition is a conditional update on the
 * stored status, with its audit event in the same transaction.
 */
export class CopyWorkflow extends CopyQueries {
  /** R-NO-PAPER: the recipient signs for the copy on receipt (awaiting_signature → issued). */
  async sign(actor: Acting, c: ControlledCopy): Promise<CopyView> {
    const scope = await this.scopeOf(c);
    if (c.holderUserId !== actor.id) {
      await refuse(this.db, this.audit, actor, 'not_recipient', `Only the recipient of ${c.serial} can sign for it`, {
        action: 'copy.sign_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'not the recipient',
      });
    }
    const now = new Date();
    if (c.status === 'awaiting_signature' && pendingOpen(c, now)) this.pendingConflict(c, 'signed for');
    await this.db.tx(async (m) => {
      const res = await m
        .createQueryBuilder()
        .update(ControlledCopy)
        .set({ status: 'issued', signedAt: now, updatedAt: now })
        .where(`id = :id AND status = :status AND ${IDLE_SQL}`, { id: c.id, status: 'awaiting_signature', now })
        .execute();
      if (!res.affected) await this.conflict(m, c.serial, 'not_awaiting_signature', 'signed for');
      await this.audit.append(m, actor, {
        action: 'copy.signed',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        before: { status: 'awaiting_signature' },
        after: { status: 'issued', signedAt: now },
      });
    });
    return this.view(await this.loadBySerial(c.serial));
  }

  /**
   * R-NO-LEND: a copy never changes holder. Every attempt (transfer, or a change of the copy
   * record) is recorded with the holder it would have gone to, and refused, whoever asks.
   */
  async refuseChange(actor: AuditActor, c: ControlledCopy, attempted: { via: 'transfer' | 'patch'; toUserId: number | null; fields: string[] }): Promise<never> {
    const scope = await this.scopeOf(c);
    return refuse(
      this.db,
      this.audit,
      actor,
      'no_lending',
      `Controlled copy ${c.serial} cannot be passed to anyone else (R-NO-LEND): it stays with its recipient until returned or destroyed`,
      {
        action: 'copy.transfer_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'a controlled copy cannot change holder',
        after: { via: attempted.via, holderUserId: c.holderUserId, attemptedHolderUserId: attempted.toUserId, fields: attempted.fields },
      },
    );
  }

  /** An active user who may act as keeper or witness in the copy's project (controlled_copy:witness). */
  private async requireSupervisor(actor: Acting, c: ControlledCopy, scope: string, userId: number, role: 'keeper' | 'witness', field: string): Promise<User> {
    const u = await this.db.manager.getRepository(User).findOneBy({ id: userId });
    if (!u || u.status !== 'active') throw new ValidationError(`Unknown ${role}`, [{ path: field, message: `user ${userId} does not exist or is not an active user` }]);
    if (!this.authz.decide(userId, scope, WITNESS).allowed) {
      await refuse(
        this.db,
        this.audit,
        actor,
        `${role}_not_authorized`,
        `User ${u.username} does not hold controlled_copy:witness (the project manager or the department head) in ${scope} and cannot be the ${role} of ${c.serial}`,
        { action: `copy.${role}_refused`, objectType: 'controlled_copy', objectId: c.serial, scope, reason: `user ${userId} lacks controlled_copy:witness`, after: { [`${role}UserId`]: userId } },
        { permission: 'controlled_copy:witness', scope, userId },
      );
    }
    return u;
  }

  /**
   * R-NO-PAPER, R-NO-LEND: the recipient records handing the copy back to a keeper (a supervisor
   * of the project: controlled_copy:witness there, not the recipient). The return completes only
   * when the keeper confirms receipt (confirm('return')): until then the copy stays out with its
   * recipient (pending_receipt), nothing else happens to it, and the keeper is notified.
   */
  async returnCopy(actor: Acting, c: ControlledCopy, input: { keeperUserId: number; note?: string }): Promise<CopyView> {
    const scope = await this.scopeOf(c);
    if (c.holderUserId !== actor.id) {
      await refuse(this.db, this.audit, actor, 'not_recipient', `Only the recipient of ${c.serial} can return it`, {
        action: 'copy.return_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'not the recipient',
      });
    }
    const now = new Date();
    if (!OUT_STATUSES.includes(c.status)) throw new ConflictError('not_returnable', `Copy ${c.serial} is ${c.status}: it cannot be returned`, { status: c.status });
    if (pendingOpen(c, now)) this.pendingConflict(c, 'returned');
    if (input.keeperUserId === actor.id) {
      throw new ValidationError('The keeper must be someone else', [{ path: 'body.keeperUserId', message: 'the recipient cannot receive their own copy back' }]);
    }
    await this.requireSupervisor(actor, c, scope, input.keeperUserId, 'keeper', 'body.keeperUserId');
    await this.db.tx(async (m) => {
      const confirmation = await this.confirmations.open(
        m,
        actor,
        { kind: 'copy_return', objectType: 'controlled_copy', objectId: c.serial, projectId: c.projectId, confirmerId: input.keeperUserId, statusBefore: c.status, note: input.note ?? null },
        now,
      );
      const res = await m
        .createQueryBuilder()
        .update(ControlledCopy)
        .set({ pendingAct: 'return', confirmationId: confirmation.id, confirmationDueAt: confirmation.dueAt, updatedAt: now })
        .where(`id = :id AND status IN (:...out) AND ${IDLE_SQL}`, { id: c.id, out: OUT_STATUSES, now })
        .execute();
      if (!res.affected) await this.conflict(m, c.serial, 'not_returnable', 'returned');
      await this.audit.append(m, actor, {
        action: 'copy.return_requested',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        before: { status: c.status },
        // Free text may quote customer data: it stays out of the immutable trail (R-AUDIT); only that one was given.
        after: { status: c.status, pendingAct: 'return', keeperUserId: input.keeperUserId, confirmationId: confirmation.id, dueAt: confirmation.dueAt, noteGiven: textGiven(input.note) },
      });
    });
    return this.view(await this.loadBySerial(c.serial));
  }

  /**
   * Destruction before a witness (R-NO-PAPER, §5.2.1): recorded by whoever holds the copy
   * (recipient, or keeper once returned) or a supervisor of the project, with the method, the
   * time and the place; the witness is another supervisor of the project (controlled_copy:witness),
   * neither the destroyer nor the recipient nor the keeper. It is complete only when the witness
   * confirms it from their own session (confirm('destruction')): until then the copy stays on the
   * ledger as not destroyed (pending_witness) and the witness is notified.
   */
  async destroy(actor: Acting, c: ControlledCopy, input: { method: DestructionMethod; note?: string; place: string; destroyedAt?: Date; witnessUserId: number }): Promise<CopyView> {
    const scope = await this.scopeOf(c);
    const holder = currentHolder(c);
    if (actor.id !== holder && !this.authz.decide(actor.id, scope, WITNESS).allowed) {
      await refuse(this.db, this.audit, actor, 'not_holder_or_supervisor', `Only the holder of ${c.serial} or a supervisor of ${scope} (controlled_copy:witness) can destroy it`, {
        action: 'copy.destroy_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'neither the holder nor a supervisor',
      }, { permission: 'controlled_copy:witness', scope });
    }
    const now = new Date();
    if (!LOCATED_STATUSES.includes(c.status)) throw new ConflictError('not_destroyable', `Copy ${c.serial} is ${c.status}: it cannot be destroyed`, { status: c.status });
    if (pendingOpen(c, now)) this.pendingConflict(c, 'destroyed');
    const destroyedAt = input.destroyedAt ?? now;
    if (destroyedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      throw new ValidationError('The destruction cannot be in the future', [{ path: 'body.destroyedAt', message: 'when the copy was destroyed: now or earlier' }]);
    }
    if (destroyedAt.getTime() < c.issuedAt.getTime()) {
      throw new ValidationError('The destruction cannot precede the copy', [{ path: 'body.destroyedAt', message: `not before the copy was issued (${formatDateTime(c.issuedAt, this.config.timezone)})` }]);
    }
    const parties = new Set([actor.id, c.holderUserId, ...(c.returnedToUserId !== null ? [c.returnedToUserId] : [])]);
    if (parties.has(input.witnessUserId)) {
      throw new ValidationError('The witness must be a third person', [
        { path: 'body.witnessUserId', message: 'the witness must be neither the person destroying the copy nor its recipient or keeper' },
      ]);
    }
    await this.requireSupervisor(actor, c, scope, input.witnessUserId, 'witness', 'body.witnessUserId');
    await this.db.tx(async (m) => {
      const confirmation = await this.confirmations.open(
        m,
        actor,
        {
          kind: 'copy_destruction',
          objectType: 'controlled_copy',
          objectId: c.serial,
          projectId: c.projectId,
          confirmerId: input.witnessUserId,
          statusBefore: c.status,
          method: input.method,
          note: input.note ?? null,
          place: input.place,
          actedAt: destroyedAt,
        },
        now,
      );
      const res = await m
        .createQueryBuilder()
        .update(ControlledCopy)
        .set({ pendingAct: 'destruction', confirmationId: confirmation.id, confirmationDueAt: confirmation.dueAt, updatedAt: now })
        .where(`id = :id AND status IN (:...located) AND ${IDLE_SQL}`, { id: c.id, located: LOCATED_STATUSES, now })
        .execute();
      if (!res.affected) await this.conflict(m, c.serial, 'not_destroyable', 'destroyed');
      await this.audit.append(m, actor, {
        action: 'copy.destruction_requested',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        before: { status: c.status },
        // The note and the place stay on the record, not in the trail: only that they were given.
        after: {
          status: c.status,
          pendingAct: 'destruction',
          method: input.method,
          destroyedAt,
          witnessUserId: input.witnessUserId,
          confirmationId: confirmation.id,
          dueAt: confirmation.dueAt,
          noteGiven: textGiven(input.note),
          placeGiven: textGiven(input.place),
        },
      });
    });
    return this.view(await this.loadBySerial(c.serial));
  }
}
