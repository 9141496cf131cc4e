/**
 * Shared pieces of the delivery tests (test/notifications/delivery*.test.ts): an app configured
 * for a real SMTP server, users with an address and a language, robots stored as the IT admin's
 * routes store them (encrypted), messages written through the real outbox, and a worker driven
 * round by round.
 */
import crypto from 'node:crypto';
import { In } from 'typeorm';
import { NotificationDelivery } from '../../src/entities/NotificationDelivery';
import { NotificationRobot, RobotPlatform } from '../../src/entities/NotificationRobot';
import { User } from '../../src/entities/User';
import { DeliveryWorker, RoundResult } from '../../src/features/notifications/delivery/delivery.worker';
import { sealRobotField } from '../../src/features/notifications/robot-crypto';
import type { MessageParams } from '../../src/features/notifications/message';
import { makeProject, makeUser, MadeUser } from '../helpers/factories';
import type { TestSmtp } from '../helpers/smtp';
import { startTestApp, TestApp, TestAppOptions } from '../helpers/test-app';

export const PUBLIC = 'https://custodian.example.test';
export const MAIL_FROM = 'Custodian <custodian@example.test>';
/** A kind with an action-free e-mail and a link (print request approved → the copies page). */
export const KIND = 'print_request.approved';
export const PARAMS: MessageParams = { requestId: 42, project: 'P01', approver: 'pm1', copies: 2 };

const uid = () => crypto.randomBytes(4).toString('hex');

/** A test app whose config points the worker at `smtp` (none: e-mail off); fast retries unless told otherwise. */
export function deliveryApp(smtp: TestSmtp | null, env: Record<string, string> = {}, opts: TestAppOptions = {}): Promise<TestApp> {
  return startTestApp({
    ...opts,
    env: {
      ...(smtp ? { SMTP_URL: smtp.url } : {}),
      PUBLIC_URL: PUBLIC,
      MAIL_FROM,
      NOTIFY_BACKOFF_MS: '0',
      NOTIFY_MAX_ATTEMPTS: '3',
      NOTIFY_TIMEOUT_MS: '3000',
      ...env,
      ...opts.env,
    },
  });
}

export type Person = MadeUser & { email: string | null };

export async function person(app: TestApp, opts: { email?: string | null; language?: 'en' | 'zh-Hant' } = {}): Promise<Person> {
  const u = await makeUser(app);
  const email = opts.email === undefined ? `${u.username}@staff.example.test` : opts.email;
  await app.ctx.db.tx((m) => m.getRepository(User).update({ id: u.id }, { email, language: opts.language ?? 'zh-Hant' }));
  return { ...u, email };
}

/** A project to scope robots and events to. */
export async function scope(app: TestApp): Promise<string> {
  const p = await makeProject(app);
  await app.ctx.policy.reload();
  return `project:${p.code}`;
}

/** A robot row as the robot routes write it: webhook URL and secret sealed with the FieldCipher. */
export async function robot(
  app: TestApp,
  opts: { platform: RobotPlatform; scope: string; url: string; secret?: string; language?: 'en' | 'zh-Hant'; enabled?: boolean },
): Promise<number> {
  const now = new Date();
  const res = await app.ctx.db.tx((m) =>
    m.getRepository(NotificationRobot).insert({
      name: `${opts.platform} ${uid()}`,
      platform: opts.platform,
      scope: opts.scope,
      webhookUrl: sealRobotField(app.ctx.cipher, 'webhookUrl', opts.url),
      secret: opts.secret ? sealRobotField(app.ctx.cipher, 'secret', opts.secret) : null,
      kinds: null,
      language: opts.language ?? 'zh-Hant',
      enabled: opts.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    }),
  );
  return Number(res.identifiers[0].id);
}

/** Writes one message per recipient through the real outbox, in one transaction, as a service does. */
export async function write(app: TestApp, recipients: Array<{ id: number }>, opts: { key?: string; scope?: string; kind?: string; params?: MessageParams } = {}): Promise<string> {
  const key = opts.key ?? `test.delivery:${uid()}`;
  await app.ctx.db.tx((m) =>
    app.ctx.outbox.enqueueToUsers(
      m,
      recipients.map((r) => r.id),
      { kind: opts.kind ?? KIND, params: opts.params ?? PARAMS, dedupeKey: key, scope: opts.scope },
    ),
  );
  return key;
}

/** Runs rounds (all workers at once) until a round finds nothing due; returns every round's results. */
export async function drain(workers: DeliveryWorker[], opts: { now?: () => Date; maxRounds?: number } = {}): Promise<RoundResult[]> {
  const all: RoundResult[] = [];
  for (let i = 0; i < (opts.maxRounds ?? 100); i++) {
    const rs = await Promise.all(workers.map((w) => w.runOnce(opts.now?.() ?? new Date())));
    all.push(...rs);
    if (rs.every((r) => r.claimed === 0)) return all;
  }
  throw new Error('deliveries still due after maxRounds');
}

export function rowsOf(app: TestApp, notificationIds?: number[]): Promise<NotificationDelivery[]> {
  return app.ctx.db.manager.getRepository(NotificationDelivery).find({ where: notificationIds ? { notificationId: In(notificationIds) } : {}, order: { id: 'ASC' } });
}

/** The delivery rows of messages written under a base dedupe key (recipients' and robots'). */
export async function rowsOfKey(app: TestApp, key: string): Promise<NotificationDelivery[]> {
  const all = await rowsOf(app);
  return all.filter((r) => r.dedupeKey.startsWith(`${key}:`));
}

/** Every mail's Message-ID appears once. */
export function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}
