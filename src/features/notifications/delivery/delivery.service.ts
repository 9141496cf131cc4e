import type { Acting } from '../../../api/route';
import type { AuditWriter } from '../../../audit/audit-writer';
import type { Database } from '../../../db/database';
import { Notification } from '../../../entities/Notification';
import { DeliveryStatus, NotificationDelivery } from '../../../entities/NotificationDelivery';
import { User } from '../../../entities/User';
import { ConflictError, NotFoundError } from '../../../errors';
import { DeliveryStore } from './delivery.store';

export interface DeliveryView {
  id: number;
  notificationId: number;
  kind: string | null;
  channel: NotificationDelivery['channel'];
  /** An e-mail address, or `robot:<id>`: the robot's webhook URL (its token) is never shown here. */
  target: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  sentAt: Date | null;
  createdAt: Date;
}

/**
 * The IT admin's view of deliveries: dead letters (every attempt failed) listed with their last
 * error, and put back in the queue once the cause is fixed (address corrected, robot re-keyed,
 * mail server back).
 */
export class DeliveryAdmin {
  private readonly store: DeliveryStore;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
  ) {
    this.store = new DeliveryStore(db);
  }

  async list(q: { status?: DeliveryStatus; limit: number; offset: number }): Promise<{ items: DeliveryView[]; total: number }> {
    const { rows, total } = await this.store.list(q);
    return { items: rows.map(view), total };
  }

  /**
   * A dead letter back to pending with a fresh set of attempts, due at once (409 unless dead;
   * audited). An e-mail goes to the recipient's address as it is now: the usual cause of a dead
   * mail is an address the IT admin has just corrected.
   */
  async retry(actor: Acting, id: number): Promise<DeliveryView> {
    await this.db.tx(async (m) => {
      const row = await m.getRepository(NotificationDelivery).findOneBy({ id });
      if (!row) throw new NotFoundError('Notification delivery', id);
      let target = row.target;
      if (row.channel === 'email') {
        const note = await m.getRepository(Notification).findOne({ select: { id: true, recipientId: true }, where: { id: row.notificationId } });
        const user = note ? await m.getRepository(User).findOne({ select: { id: true, email: true }, where: { id: note.recipientId } }) : null;
        if (user?.email) target = user.email;
      }
      // Conditional: of two retries at once (or a retry racing nothing else: dead rows are never claimed), one changes the row.
      const res = await m
        .createQueryBuilder()
        .update(NotificationDelivery)
        .set({ status: 'pending', attempts: 0, target, nextAttemptAt: new Date(), claimToken: null, claimedUntil: null })
        .where("id = :id AND status = 'dead'", { id })
        .execute();
      if (!res.affected) throw new ConflictError('state_changed', `Notification delivery ${id} is ${row.status}: only a dead letter is retried`, { status: row.status });
      await this.audit.append(m, actor, {
        action: 'notification_delivery.retried',
        objectType: 'notification_delivery',
        objectId: id,
        before: { status: row.status, attempts: row.attempts, lastError: row.lastError },
        after: { status: 'pending', attempts: 0, addressChanged: target !== row.target },
      });
    });
    return view((await this.store.list({ id, limit: 1, offset: 0 })).rows[0]);
  }
}

function view(r: NotificationDelivery & { kind: string | null }): DeliveryView {
  return {
    id: r.id,
    notificationId: r.notificationId,
    kind: r.kind,
    channel: r.channel,
    target: r.target,
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    nextAttemptAt: r.nextAttemptAt,
    sentAt: r.sentAt,
    createdAt: r.createdAt,
  };
}

const admins = new WeakMap<object, DeliveryAdmin>();

/** The context's DeliveryAdmin, made once per context (the routes take it from here, not from the database). */
export function deliveryAdmin(ctx: { db: Database; audit: AuditWriter }): DeliveryAdmin {
  let a = admins.get(ctx);
  if (!a) admins.set(ctx, (a = new DeliveryAdmin(ctx.db, ctx.audit)));
  return a;
}
