import { EntityManager } from 'typeorm';
import type { Database } from '../../db/database';
import { Notification } from '../../entities/Notification';
import type { PolicyService } from '../../policy/policy-service';

export interface OutboxMessage {
  recipientId: number;
  /** e.g. copy.overdue, handover.destruction_overdue, rectification.overdue, case.chase */
  kind: string;
  subject: string;
  body: string;
  objectType?: string;
  objectId?: string | number;
  /**
   * Identifies this reminder: the same key is written once, ever. Daily reminders include the
   * day (e.g. `copy.overdue:CC-2611-00042:2026-11-28:user:7`), so a rerun of the same day adds
   * nothing and the next day reminds again.
   */
  dedupeKey: string;
}

/**
 * The notification outbox: jobs and services write reminders here, in the transaction of the
 * change or job step that causes them; delivery channels read undelivered rows later. Message
 * bodies name records by serial or id and never carry unmasked personal data.
 */
export class NotificationOutbox {
  constructor(
    private readonly policy: PolicyService,
    private readonly db: Database,
  ) {}

  /** The user's own reminders, newest first; the dedupe key and recipient are the outbox's business, not the reader's. */
  async mine(userId: number, q: { limit: number; kind?: string }): Promise<Array<Omit<Notification, 'dedupeKey' | 'recipientId'>>> {
    const rows = await this.db.manager.getRepository(Notification).find({
      where: { recipientId: userId, ...(q.kind ? { kind: q.kind } : {}) },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: q.limit,
    });
    return rows.map(({ dedupeKey: _key, recipientId: _r, ...n }) => n);
  }

  /** Writes the message unless its dedupe key exists; true when a row was written. */
  async enqueue(m: EntityManager, msg: OutboxMessage): Promise<boolean> {
    const repo = m.getRepository(Notification);
    if (await repo.exists({ where: { dedupeKey: msg.dedupeKey } })) return false;
    await repo.insert({
      recipientId: msg.recipientId,
      kind: msg.kind,
      subject: msg.subject.slice(0, 300),
      body: msg.body,
      objectType: msg.objectType ?? null,
      objectId: msg.objectId === undefined ? null : String(msg.objectId),
      dedupeKey: msg.dedupeKey.slice(0, 200),
      createdAt: new Date(),
      deliveredAt: null,
    });
    return true;
  }

  /**
   * One message to each user holding `role` exactly in `scope` (e.g. dept_head in dept:D01);
   * the recipient id is appended to the dedupe key. Returns how many rows were written.
   */
  async enqueueToRole(m: EntityManager, role: string, scope: string, msg: Omit<OutboxMessage, 'recipientId'>): Promise<number> {
    let written = 0;
    for (const userId of this.policy.holdersOf(role, scope)) {
      if (await this.enqueue(m, { ...msg, recipientId: userId, dedupeKey: `${msg.dedupeKey}:user:${userId}` })) written++;
    }
    return written;
  }
}
