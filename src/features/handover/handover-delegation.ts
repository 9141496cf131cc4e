import { EntityManager, In, IsNull, MoreThan } from 'typeorm';
import type { AuditWriter } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import { Database, forUpdate } from '../../db/database';
import { HandoverDelegation, DelegationEndReason } from '../../entities/HandoverDelegation';
import { HandoverFile } from '../../entities/HandoverFile';
import { User } from '../../entities/User';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../errors';
import { formatDateTime } from '../../lib/documents';
import type { PolicyService } from '../../policy/policy-service';
import type { NotificationOutbox } from '../notifications/notification.service';
import { Acting, ensureNotDestroyed, serialOf } from './handover-access';
import type { DelegationView, HandoverViews } from './handover.views';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Delegations (R-HANDOVER-HOLD): the holder lets an information clerk of the project view a file
 * for a set time, and may end that early; custody transfer and destruction end them too.
 */
export class HandoverDelegations {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly config: Config,
    private readonly views: HandoverViews,
    private readonly outbox: NotificationOutbox,
  ) {}

  /**
   * The holder lets an information clerk of the same project view the file for `days` days (at
   * most HANDOVER_MAX_DELEGATION_DAYS). One open delegation per clerk and file.
   */
  async delegate(actor: Acting, f: HandoverFile, input: { clerkUserId: number; days: number }): Promise<DelegationView> {
    ensureNotDestroyed(f);
    const scope = await this.views.scopeOf(f);
    await this.views.requireHolder(actor, f, scope, 'delegate');
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
      // To the clerk: the serial, never the file's name (it may name a customer).
      const tz = this.config.timezone;
      await this.outbox.enqueue(m, {
        recipientId: clerk.id,
        kind: 'handover.delegated',
        params: { fileId: f.id, serial: serialOf(f.id), project: scope.slice('project:'.length), holder: actor.username ?? `user ${actor.id}`, expiresAt: `${formatDateTime(d.expiresAt, tz)} (${tz})` },
        objectType: 'handover_file',
        objectId: f.id,
        dedupeKey: `handover.delegated:${d.id}`,
        scope,
      });
      return d;
    });
    return this.views.delegationView(d, now);
  }

  /**
   * The information clerks of the file's project, active, whom its holder may delegate viewing to
   * (the same test delegate() applies): the console's picker, since the people picker does not
   * list clerks. Only the holder asks (R-HANDOVER-HOLD); anyone else is refused and recorded.
   */
  async eligibleClerks(actor: Acting, f: HandoverFile): Promise<Array<{ id: number; username: string; displayName: string }>> {
    ensureNotDestroyed(f);
    const scope = await this.views.scopeOf(f);
    await this.views.requireHolder(actor, f, scope, 'delegate');
    const ids = this.policy.holdersOf('info_clerk', scope);
    if (!ids.length) return [];
    const users = await this.db.manager.getRepository(User).find({ where: { id: In(ids), status: 'active' }, select: { id: true, username: true, displayName: true }, order: { username: 'ASC' } });
    return users.map((u) => ({ id: u.id, username: u.username, displayName: u.displayName }));
  }

  /** The holder ends a delegation early (also records the end of an expired one). */
  async revoke(actor: Acting, f: HandoverFile, delegationId: number): Promise<DelegationView> {
    ensureNotDestroyed(f);
    const scope = await this.views.scopeOf(f);
    await this.views.requireHolder(actor, f, scope, 'revoke');
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
    return this.views.delegationView(await this.db.manager.getRepository(HandoverDelegation).findOneByOrFail({ id: delegationId }), now);
  }

  async endDelegations(m: EntityManager, fileId: number, byId: number, reason: DelegationEndReason, now: Date): Promise<number> {
    const r = await m.getRepository(HandoverDelegation).update({ fileId, endedAt: IsNull() }, { endedAt: now, endedById: byId, endReason: reason });
    return r.affected ?? 0;
  }
}
