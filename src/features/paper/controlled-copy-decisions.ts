import { In } from 'typeorm';
import { ControlledCopy, DestructionMethod, PendingAct } from '../../entities/ControlledCopy';
import { Project } from '../../entities/Project';
import { ConflictError } from '../../errors';
import { refuse } from '../../policy/refusal';
import { CopyQueries } from './controlled-copy-queries';
import { ACT, Acting, CopyView, currentHolder, IDLE_SQL, LOCATED_STATUSES, OUT_STATUSES, pendingOpen, textGiven, WITNESS } from './controlled-copy.views';

/**
 * The second person's decision on a return or a destruction (R-NO-PAPER two-person rule), and the
 * loss report that takes a copy off the ledger into an incident (R-PENALTY).
 */
export class CopyDecisions extends CopyQueries {
  /**
   * R-NO-PAPER (two-person rule): the named witness confirms the destruction, or the named keeper
   * the receipt, from their own session; or declines it with a reason. Anyone else is refused
   * (403 not_confirmer, audited). Confirming completes the act (destroyed: the destroyer's method,
   * time and place, the witness and when they confirmed; returned: to the keeper, when they
   * confirmed); declining leaves the copy as it was. Once only, and only before the confirmation
   * lapses (409 otherwise); of a concurrent confirm and decline exactly one wins.
   */
  async decide(actor: Acting, c: ControlledCopy, act: PendingAct, decision: 'confirmed' | 'declined', declineReason?: string): Promise<CopyView> {
    const scope = await this.scopeOf(c);
    const spec = ACT[act];
    // The act the copy waits for, or else the latest of that kind (to say why there is nothing to decide).
    const conf = await this.confirmations.awaitedOrLatest('controlled_copy', c.serial, spec.kind, c.pendingAct === act ? c.confirmationId : null);
    if (!conf) throw new ConflictError('nothing_to_confirm', `No ${act} of copy ${c.serial} was recorded: there is nothing to confirm`, { status: c.status });
    if (conf.confirmerId !== actor.id) {
      await refuse(this.db, this.audit, actor, 'not_confirmer', `Only the ${spec.role} named for the ${act} of ${c.serial} may confirm or decline it`, {
        action: `copy.${act}_confirmation_refused`,
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: `not the named ${spec.role}`,
        after: { confirmationId: conf.id, decision },
      });
    }
    const now = new Date();
    this.confirmations.ensureOpen(conf, now);
    await this.db.tx(async (m) => {
      await this.confirmations.decide(m, conf, decision, now, declineReason ?? null);
      const cleared = { pendingAct: null, confirmationId: null, confirmationDueAt: null, updatedAt: now };
      const done =
        decision === 'declined'
          ? cleared
          : act === 'destruction'
            ? {
                ...cleared,
                status: 'destroyed' as const,
                destroyedAt: conf.actedAt ?? conf.requestedAt,
                destroyedById: conf.requestedById,
                destructionMethod: conf.method as DestructionMethod,
                destructionNote: conf.note,
                destructionPlace: conf.place,
                witnessUserId: conf.confirmerId,
                witnessConfirmedAt: now,
              }
            : { ...cleared, status: 'returned' as const, returnedAt: conf.requestedAt, returnedToUserId: conf.confirmerId, keeperConfirmedAt: now };
      const res = await m.getRepository(ControlledCopy).update({ id: c.id, confirmationId: conf.id, status: In(act === 'destruction' ? LOCATED_STATUSES : OUT_STATUSES) }, done);
      if (!res.affected) await this.conflict(m, c.serial, 'state_changed', `${spec.done} by this confirmation`);
      if (decision === 'declined') {
        await this.confirmations.notifyDeclined(m, conf, actor);
        await this.audit.append(m, actor, {
          action: `copy.${act}_declined`,
          objectType: 'controlled_copy',
          objectId: c.serial,
          scope,
          // The reason stays on the confirmation, not in the trail (it may quote customer data).
          after: { status: conf.statusBefore, confirmationId: conf.id, requestedById: conf.requestedById, reasonGiven: textGiven(declineReason) },
        });
        return;
      }
      await this.audit.append(m, actor, {
        action: `copy.${spec.done}`,
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        before: { status: conf.statusBefore },
        after:
          act === 'destruction'
            ? {
                status: 'destroyed',
                destroyedAt: conf.actedAt,
                destroyedById: conf.requestedById,
                method: conf.method,
                witnessUserId: conf.confirmerId,
                witnessConfirmedAt: now,
                confirmationId: conf.id,
                noteGiven: textGiven(conf.note),
                placeGiven: textGiven(conf.place),
              }
            : { status: 'returned', returnedAt: conf.requestedAt, keeperUserId: conf.confirmerId, keeperConfirmedAt: now, confirmationId: conf.id, noteGiven: textGiven(conf.note) },
      });
    });
    return this.view(await this.loadBySerial(c.serial));
  }

  /**
   * R-PENALTY (2): a lost copy is a lost written list of customer information. The holder or a
   * supervisor reports it; the copy becomes `lost` and an incident is opened naming the copy and
   * its holder, in the same transaction.
   */
  async reportLost(actor: Acting, c: ControlledCopy, input: { description: string }): Promise<CopyView & { incident: { id: number; type: string; status: string } }> {
    const scope = await this.scopeOf(c);
    const holder = currentHolder(c);
    if (actor.id !== holder && !this.authz.decide(actor.id, scope, WITNESS).allowed) {
      await refuse(this.db, this.audit, actor, 'not_holder_or_supervisor', `Only the holder of ${c.serial} or a supervisor of ${scope} can report it lost`, {
        action: 'copy.report_lost_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'neither the holder nor a supervisor',
      }, { permission: 'controlled_copy:witness', scope });
    }
    const now = new Date();
    if (!LOCATED_STATUSES.includes(c.status)) throw new ConflictError('not_reportable', `Copy ${c.serial} is ${c.status}: it cannot be reported lost`, { status: c.status });
    if (pendingOpen(c, now)) this.pendingConflict(c, 'reported lost');
    const incident = await this.db.tx(async (m) => {
      const res = await m
        .createQueryBuilder()
        .update(ControlledCopy)
        // A lapsed destruction or return goes with it: the copy is in the incident now.
        .set({ status: 'lost', lostAt: now, lostReportedById: actor.id, pendingAct: null, confirmationId: null, confirmationDueAt: null, updatedAt: now })
        .where(`id = :id AND status IN (:...located) AND ${IDLE_SQL}`, { id: c.id, located: LOCATED_STATUSES, now })
        .execute();
      if (!res.affected) await this.conflict(m, c.serial, 'not_reportable', 'reported lost');
      const project = await m.getRepository(Project).findOneByOrFail({ id: c.projectId });
      const incident = await this.deps.incidents.openForLostCopy(m, actor, {
        copyId: c.id,
        serial: c.serial,
        projectId: c.projectId,
        departmentId: project.departmentId,
        holderUserId: holder,
        description: `Controlled copy ${c.serial} reported lost: ${input.description}`,
        scope,
      });
      await m.getRepository(ControlledCopy).update({ id: c.id }, { incidentId: incident.id });
      await this.audit.append(m, actor, {
        action: 'copy.lost',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        // The description may quote customer data: it stays in the incident, not in the trail.
        before: { status: c.status },
        after: { status: 'lost', lostAt: now, holderUserId: holder, incidentId: incident.id },
      });
      return incident;
    });
    const view = await this.view(await this.loadBySerial(c.serial));
    return { ...view, incident: { id: incident.id, type: incident.type, status: incident.status } };
  }
}
