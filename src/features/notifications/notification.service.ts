import { EntityManager, IsNull } from 'typeorm';
import type { Database } from '../../db/database';
import { insertedId, insertRows, persisted } from '../../db/raw';
import { Notification } from '../../entities/Notification';
import { NotificationDelivery } from '../../entities/NotificationDelivery';
import type { NotificationMode } from '../../entities/NotificationPreference';
import { NotificationRobot } from '../../entities/NotificationRobot';
import { User } from '../../entities/User';
import { NotFoundError } from '../../errors';
import { wallClock } from '../../lib/time';
import { COMPANY } from '../../policy/scope';
import type { PolicyService } from '../../policy/policy-service';
import { kindDef, renderMessage } from './catalogue';
import { langOf, type Lang, type MessageParams } from './message';

export interface OutboxMessage {
  recipientId: number;
  /** Declared in kinds/*.ts, e.g. print_request.pending, copy.overdue, case.chase. */
  kind: string;
  /** Identifiers only (serials, case numbers, ids, dates, codes): never customer data. */
  params: MessageParams;
  objectType?: string;
  objectId?: string | number;
  /**
   * Identifies this message: the same key is written once, ever. Daily reminders include the
   * day (e.g. `copy.overdue:CC-2611-00042:2026-11-28:user:7`), so a rerun of the same day adds
   * nothing and the next day reminds again. A per-recipient key ends with `:user:<id>`; the
   * part before it is the event's key, under which each group robot gets one message.
   */
  dedupeKey: string;
  /** 'project:<code>' | 'dept:<code>': the group robots of that scope (and of a project's department) get one message per event. */
  scope?: string;
}

export type OutboxEvent = Omit<OutboxMessage, 'recipientId'>;

/** One message of the inbox as its reader sees it (no dedupe key, recipient or params). */
export interface InboxItem {
  id: number;
  kind: string;
  subject: string;
  body: string;
  link: string | null;
  action: boolean;
  objectType: string | null;
  objectId: string | null;
  createdAt: Date;
  readAt: Date | null;
}

/** The hour (local, config.timezone) the daily digest goes out. */
export const DIGEST_HOUR = 8;

/** The instant of the wall-clock time y-m-d h:00 in `tz` (two passes settle a DST edge). */
function localInstant(y: number, mo: number, d: number, h: number, tz: string): Date {
  const want = Date.UTC(y, mo - 1, d, h);
  let t = want;
  for (let i = 0; i < 2; i++) {
    const w = wallClock(new Date(t), tz);
    t += want - Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi);
  }
  return new Date(t);
}

/** The next DIGEST_HOUR:00 in `tz` strictly after `now`: when a digest delivery falls due. */
export function nextDigestAt(now: Date, tz: string): Date {
  const w = wallClock(now, tz);
  const today = localInstant(w.y, w.m, w.d, DIGEST_HOUR, tz);
  if (today.getTime() > now.getTime()) return today;
  const t = new Date(Date.UTC(w.y, w.m - 1, w.d + 1));
  return localInstant(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), DIGEST_HOUR, tz);
}

/** The event's key under which each group robot gets one message: the per-recipient suffix removed. */
export const eventKey = (dedupeKey: string): string => dedupeKey.replace(/:user:\d+$/, '');

const KEY_MAX = 200;

/** Column orders of the outbox's bound inserts. */
const NOTIFICATION_COLUMNS = ['recipientId', 'kind', 'subject', 'body', 'params', 'link', 'action', 'objectType', 'objectId', 'scope', 'dedupeKey', 'createdAt'] as const;
const DELIVERY_COLUMNS = ['notificationId', 'channel', 'target', 'digest', 'dedupeKey', 'status', 'attempts', 'nextAttemptAt', 'createdAt'] as const;

/** The kinds filter of a robot (JSON array, null = every kind). */
export function robotKinds(r: Pick<NotificationRobot, 'kinds'>): string[] | null {
  if (r.kinds === null) return null;
  try {
    const v = JSON.parse(r.kinds) as unknown;
    return Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : null;
  } catch {
    return null;
  }
}

/** One inbox row, rendered in the reader's language, with bound SQL; answers its id and whether it asks the reader to act. */
async function insertMessage(m: EntityManager, recipientId: number, lang: Lang, msg: Omit<OutboxEvent, 'dedupeKey'>, dedupeKey: string, at: unknown): Promise<{ id: number; action: boolean }> {
  const text = renderMessage(msg.kind, msg.params, lang);
  const raw = await insertRows(m, Notification, NOTIFICATION_COLUMNS, [
    [
      recipientId,
      msg.kind,
      text.subject.slice(0, 300),
      text.body,
      JSON.stringify(msg.params),
      text.link.slice(0, 300),
      text.action ? 1 : 0,
      msg.objectType ?? null,
      msg.objectId === undefined ? null : String(msg.objectId),
      msg.scope ?? null,
      dedupeKey,
      at,
    ],
  ]);
  return { id: insertedId(raw), action: text.action };
}

type Recipient = { email: string | null; language: string; status: string; mode: NotificationMode | null };
type Robot = { id: number; platform: string; kinds: string | null };

/**
 * What an outbox write reads, in ONE round trip (a UNION ALL of three bound selects, told apart
 * by their first column): the recipients with their preference for the kind, the dedupe keys
 * already written, and the enabled robots of the scopes. A round trip to MariaDB costs about as
 * much as the query; three of them were a quarter of an approval.
 */
async function lookUp(m: EntityManager, kind: string, userIds: number[], keys: string[], robotScopes: string[]) {
  const marks = (n: number) => Array(n).fill('?').join(', ');
  const parts = [
    `SELECT 'u' AS t, u.id AS id, u.email AS a, u.language AS b, u.status AS c, p.mode AS d FROM user_account u LEFT JOIN notification_preference p ON p.userId = u.id AND p.kind = ? WHERE u.id IN (${marks(userIds.length)})`,
    `SELECT 'k', NULL, dedupeKey, NULL, NULL, NULL FROM notification WHERE dedupeKey IN (${marks(keys.length)})`,
  ];
  if (robotScopes.length) parts.push(`SELECT 'r', id, platform, kinds, NULL, NULL FROM notification_robot WHERE scope IN (${marks(robotScopes.length)}) AND enabled = 1`);
  const rows: Array<{ t: string; id: number | null; a: string | null; b: string | null; c: string | null; d: string | null }> = await m.query(parts.join(' UNION ALL '), [
    kind,
    ...userIds,
    ...keys,
    ...robotScopes,
  ]);
  const users = new Map<number, Recipient>();
  const existing = new Set<string>();
  const robots: Robot[] = [];
  for (const r of rows) {
    if (r.t === 'u') users.set(Number(r.id), { email: r.a, language: r.b ?? 'zh-Hant', status: r.c ?? '', mode: r.d as NotificationMode | null });
    else if (r.t === 'k') existing.add(r.a!);
    else robots.push({ id: Number(r.id), platform: r.a!, kinds: r.b });
  }
  return { users, existing, robots };
}

/**
 * The notification outbox: services and jobs write messages here, in the transaction of the
 * change or job step that causes them (through its manager `m`). Each message lands in the
 * recipient's inbox, rendered in their language; the e-mail and group-robot copies are
 * notification_delivery rows the delivery worker sends later, so a mail server that is down
 * never blocks or fails the request that wrote the message (issue 13).
 */
export class NotificationOutbox {
  constructor(
    private readonly policy: PolicyService,
    private readonly db: Database,
    private readonly timezone: string,
  ) {}

  // ---- writing --------------------------------------------------------------------------

  /** Writes the message unless its dedupe key exists; true when a row was written. */
  async enqueue(m: EntityManager, msg: OutboxMessage): Promise<boolean> {
    const { recipientId, ...event } = msg;
    return (await this.write(m, [recipientId], event, () => msg.dedupeKey, eventKey(msg.dedupeKey))) > 0;
  }

  /**
   * One message to each user holding `role` exactly in `scope` (e.g. dept_head in dept:D01);
   * `:user:<id>` is appended to the dedupe key. Returns how many rows were written.
   */
  async enqueueToRole(m: EntityManager, role: string, scope: string, msg: OutboxEvent): Promise<number> {
    return this.enqueueToUsers(m, this.policy.holdersOf(role, scope), msg);
  }

  /** The same, for an explicit list of users (duplicates written once). */
  async enqueueToUsers(m: EntityManager, userIds: number[], msg: OutboxEvent): Promise<number> {
    return this.write(m, [...new Set(userIds)], msg, (id) => `${msg.dedupeKey}:user:${id}`, msg.dedupeKey);
  }

  /**
   * The inbox rows of one event and their delivery rows with bound SQL (src/db/raw.ts) in three
   * round trips whatever the number of recipients: one read (lookUp), one insert per message,
   * one insert of all its deliveries. The outbox write runs inside the approval, witnessing or
   * job step that causes it and must not slow it (issue 13: ≤ 10% of an approval; bench/notify.ts).
   */
  private async write(m: EntityManager, userIds: number[], msg: OutboxEvent, keyOf: (id: number) => string, robotBase: string): Promise<number> {
    if (userIds.length === 0) return 0;
    if (!kindDef(msg.kind)) throw new Error(`Notification kind ${msg.kind}: declare it in src/features/notifications/kinds/`);
    const keys = new Map(userIds.map((id) => [id, keyOf(id).slice(0, KEY_MAX)]));
    const robotScopes = msg.scope ? this.policy.scopeChain(msg.scope).filter((s) => s !== COMPANY) : [];
    const { users, existing, robots } = await lookUp(m, msg.kind, userIds, [...keys.values()], robotScopes);
    const todo = userIds.filter((id) => !existing.has(keys.get(id)!));
    if (todo.length === 0) return 0;

    const now = new Date();
    const at = persisted(m, Notification, 'createdAt', now);
    const digestAt = persisted(m, NotificationDelivery, 'nextAttemptAt', nextDigestAt(now, this.timezone));
    const deliveries: unknown[][] = [];
    let firstId: number | null = null;
    for (const userId of todo) {
      const user = users.get(userId);
      const { id, action } = await insertMessage(m, userId, langOf(user?.language), msg, keys.get(userId)!, at);
      firstId ??= id;
      if (!user?.email || user.status === 'offboarded') continue;
      // No preference = e-mail at once; a kind that asks the user to act is never in-app only.
      let mode: NotificationMode = user.mode ?? 'email';
      if (mode === 'inapp' && action) mode = 'email';
      if (mode === 'inapp') continue;
      deliveries.push([id, 'email', user.email, mode === 'digest' ? 1 : 0, `${keys.get(userId)!}:email`, 'pending', 0, mode === 'digest' ? digestAt : at, at]);
    }
    // One delivery per enabled robot of the event's scope (a project's and its department's)
    // whose kinds admit the message, keyed by the event: several recipients, or several calls for
    // one event (holder, then supervisors), give each group one message (the insert ignores the rest).
    for (const r of robots) {
      if (robotKinds(r)?.includes(msg.kind) ?? true) deliveries.push([firstId, r.platform, `robot:${r.id}`, 0, `${robotBase.slice(0, KEY_MAX)}:robot:${r.id}`, 'pending', 0, at, at]);
    }
    if (deliveries.length) await insertRows(m, NotificationDelivery, DELIVERY_COLUMNS, deliveries, { ignoreDuplicates: true });
    return todo.length;
  }

  /**
   * A record's messages that ask people to act (e.g. print_request.pending to every approver),
   * once someone has acted or the record is closed: marked read in every inbox, so the other
   * approvers are not asked to decide what is decided (the daily digest leaves out what is read).
   * One indexed UPDATE, in the transaction of the decision.
   */
  async settle(m: EntityManager, objectType: string, objectId: string | number, kinds: string[]): Promise<void> {
    await m.query(
      `UPDATE notification SET readAt = ? WHERE objectType = ? AND objectId = ? AND kind IN (${kinds.map(() => '?').join(', ')}) AND readAt IS NULL`,
      [persisted(m, Notification, 'readAt', new Date()), objectType, String(objectId), ...kinds],
    );
  }

  /** A test message for one robot (POST /notification-robots/:id/test), in the caller's inbox too. */
  async robotTest(m: EntityManager, userId: number, robot: Pick<NotificationRobot, 'id' | 'platform' | 'name'>): Promise<number> {
    const now = new Date();
    const at = persisted(m, Notification, 'createdAt', now);
    const key = `system.robot_test:${robot.id}:${now.getTime()}:${Math.random().toString(36).slice(2, 8)}`;
    const user = await m.getRepository(User).findOne({ select: { id: true, language: true }, where: { id: userId } });
    const msg = { kind: 'system.robot_test', params: { robotId: robot.id }, objectType: 'notification_robot', objectId: robot.id };
    const { id } = await insertMessage(m, userId, langOf(user?.language), msg, key, at);
    return insertedId(await insertRows(m, NotificationDelivery, DELIVERY_COLUMNS, [[id, robot.platform, `robot:${robot.id}`, 0, `${key}:robot:${robot.id}`, 'pending', 0, at, at]]));
  }

  // ---- the inbox (R-SCOPE: a user reads and marks only their own messages) -------------------

  /** The user's messages, newest first, with the total (of the filter) and the unread count. */
  async inbox(userId: number, q: { limit: number; offset: number; unread?: boolean; kind?: string }): Promise<{ items: InboxItem[]; total: number; unread: number }> {
    const repo = this.db.manager.getRepository(Notification);
    const where = { recipientId: userId, ...(q.kind ? { kind: q.kind } : {}), ...(q.unread ? { readAt: IsNull() } : {}) };
    const [rows, total] = await repo.findAndCount({ where, order: { createdAt: 'DESC', id: 'DESC' }, take: q.limit, skip: q.offset });
    const unread = q.unread && !q.kind ? total : await this.unreadCount(userId);
    return { items: rows.map(inboxItem), total, unread };
  }

  async unreadCount(userId: number): Promise<number> {
    return this.db.manager.getRepository(Notification).count({ where: { recipientId: userId, readAt: IsNull() } });
  }

  /**
   * Marks one of the user's messages read (idempotent); another user's message is a 404, as if
   * absent (R-SCOPE). Read marks are the reader's own bookkeeping: not audited.
   */
  async markRead(userId: number, id: number): Promise<void> {
    await this.db.tx(async (m) => {
      const repo = m.getRepository(Notification);
      const n = await repo.findOne({ select: { id: true, readAt: true }, where: { id, recipientId: userId } });
      if (!n) throw new NotFoundError('Notification', id);
      if (n.readAt === null) await repo.update({ id, recipientId: userId, readAt: IsNull() }, { readAt: new Date() });
    });
  }

  /** Marks every unread message of the user read; answers how many changed. */
  async markAllRead(userId: number): Promise<number> {
    return this.db.tx(async (m) => (await m.getRepository(Notification).update({ recipientId: userId, readAt: IsNull() }, { readAt: new Date() })).affected ?? 0);
  }
}

function inboxItem(n: Notification): InboxItem {
  return {
    id: n.id,
    kind: n.kind,
    subject: n.subject,
    body: n.body,
    link: n.link,
    action: Boolean(n.action),
    objectType: n.objectType,
    objectId: n.objectId,
    createdAt: n.createdAt,
    readAt: n.readAt,
  };
}
