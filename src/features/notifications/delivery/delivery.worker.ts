import { In } from 'typeorm';
import type { Config } from '../../../config/env';
import type { FieldCipher } from '../../../crypto/field-cipher';
import type { Database } from '../../../db/database';
import { Notification } from '../../../entities/Notification';
import { DeliveryChannel, NotificationDelivery } from '../../../entities/NotificationDelivery';
import { NotificationRobot } from '../../../entities/NotificationRobot';
import { User } from '../../../entities/User';
import type { Logger } from '../../../logger';
import { kindDef, renderMessage } from '../catalogue';
import { Lang, langOf, MessageParams } from '../message';
import { Claim, DeliveryStore, RowResult } from './delivery.store';
import { Mailer, messageIdFor } from './mail';
import { ChannelDown, DeliveryFailure, safeError } from './outcome';
import { robotCredentials } from '../robot-crypto';
import { postToRobot } from './robots';

/** What the worker needs of the context (the context passes itself). */
export interface DeliveryDeps {
  config: Config;
  logger: Logger;
  db: Database;
  cipher: FieldCipher;
}

export interface RoundResult {
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
  /** E-mails that waited for a mail server that was down (no attempt used up). */
  deferred: number;
}

/** Sends of one claim run this many at a time (the SMTP pool holds 4 connections; robots are HTTP calls). */
const CONCURRENCY = 8;

/**
 * Rounds a worker keeps in flight: while one waits on the database (claim, recording), the
 * other keeps the SMTP connections busy. They claim like two instances would: never the same row.
 */
const ROUNDS_IN_FLIGHT = 2;

const ROBOT_CHANNELS: readonly DeliveryChannel[] = ['wecom', 'dingtalk', 'feishu'];

/** One mail or one robot post: the rows it settles. */
interface Unit {
  rows: NotificationDelivery[];
  send: () => Promise<void>;
}

/**
 * Delivers notification_delivery rows (issue 13, "Delivery"). Every instance runs one; the claim
 * (DeliveryStore.claim) gives each due row to exactly one of them. A round claims a batch, sends
 * each mail or robot post, and records per row: sent; or attempts + 1 and the next attempt after
 * an exponential backoff; or dead after the last attempt (listed for the IT admin, who may retry
 * it). Messages are rendered here from the notification's kind and params: an e-mail in the
 * recipient's language (user_account.language), a robot post in the robot's.
 *
 * A mail server that cannot be reached is the channel's failure, not the message's (ChannelDown):
 * the round's mail waits for NOTIFY_BACKOFF_MS with none of its attempts used up, so an outage
 * of any length delays mail and dead-letters none.
 *
 * Exactly once while nothing crashes; at least once across a crash between a send and its
 * recording: the lease runs out, another instance sends again, and the mail carries the same
 * Message-ID (messageIdFor), so the recipient's mail system can tell it is the same message.
 * Nothing here runs in a request: a mail server that is down delays mail and nothing else.
 */
export class DeliveryWorker {
  readonly store: DeliveryStore;
  private readonly mailer: Mailer | null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly deps: DeliveryDeps,
    opts: { smtpConnections?: number } = {},
  ) {
    this.store = new DeliveryStore(deps.db);
    const n = deps.config.notify;
    this.mailer = n.smtpUrl ? new Mailer({ ...n, smtpUrl: n.smtpUrl }, { maxConnections: opts.smtpConnections }) : null;
  }

  /** The channels this instance sends; without SMTP_URL its e-mail rows are not claimed at all (they wait, pending). */
  get channels(): readonly DeliveryChannel[] {
    return this.mailer ? ['email', ...ROBOT_CHANNELS] : ROBOT_CHANNELS;
  }

  /** One round: claim a batch, send it, record each row's outcome. */
  async runOnce(now = new Date()): Promise<RoundResult> {
    const n = this.deps.config.notify;
    const started = Date.now();
    const claim = await this.store.claim({ now, batch: n.batch, leaseMs: n.leaseMs, channels: this.channels });
    if (!claim.rows.length) return { claimed: 0, sent: 0, retried: 0, dead: 0, deferred: 0 };
    const results = await this.send(claim, now);
    const unsent = claim.rows.filter((r) => !results.some((x) => x.id === r.id)).map((r) => r.id);
    // The round's clock moved on by the time spent sending (`now` is the real time outside tests).
    const counts = await this.store.record(claim, results, new Date(now.getTime() + Date.now() - started), n);
    if (unsent.length) await this.store.release(claim, unsent);
    return { claimed: claim.rows.length, ...counts };
  }

  /**
   * Sends the rows of a claim; one result per row it tried. Rows it did not reach before the
   * claim's lease would run out get none (runOnce hands them back), so that a slow round never
   * overlaps another instance's take-over of the same rows.
   */
  async send(claim: Claim, claimedAt = new Date()): Promise<RowResult[]> {
    const n = this.deps.config.notify;
    const units = await this.units(claim.rows);
    const deadline = claimedAt.getTime() + n.leaseMs - n.timeoutMs - 1000;
    const results: RowResult[] = [];
    /** Set once the mail server proved unreachable this round: the other mails wait without a try. */
    let mailDown: string | null = null;
    let next = 0;
    const lane = async () => {
      while (next < units.length && !this.stopped) {
        if (Date.now() > deadline) return;
        const unit = units[next++];
        if (mailDown && unit.rows[0].channel === 'email') {
          for (const r of unit.rows) results.push({ id: r.id, ok: false, error: mailDown, deferred: true });
          continue;
        }
        try {
          await unit.send();
          for (const r of unit.rows) results.push({ id: r.id, ok: true });
        } catch (err) {
          if (err instanceof ChannelDown) {
            if (!mailDown) this.deps.logger.warn('mail server unreachable: e-mail waits', { error: err.message });
            mailDown = err.message;
            for (const r of unit.rows) results.push({ id: r.id, ok: false, error: err.message, deferred: true });
            continue;
          }
          const error = err instanceof DeliveryFailure ? err.message : safeError(err, [n.smtpUrl]);
          for (const r of unit.rows) results.push({ id: r.id, ok: false, error });
          const last = unit.rows[0].attempts + 1 >= n.maxAttempts;
          // Never the address or the webhook (a server may echo the address): the delivery id leads the IT admin to both.
          this.deps.logger[last ? 'error' : 'warn'](last ? 'notification delivery dead-lettered' : 'notification delivery failed, will retry', {
            deliveryIds: unit.rows.map((r) => r.id),
            channel: unit.rows[0].channel,
            attempts: unit.rows[0].attempts + 1,
            error: safeError(error, unit.rows.map((r) => (r.channel === 'email' ? r.target : null))),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, units.length) }, lane));
    return results;
  }

  /** Polls every NOTIFY_POLL_MS (at once again after a full batch); 0 = no worker. */
  start(): void {
    if (this.deps.config.notify.pollMs <= 0 || this.timer || this.stopped) return;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    this.mailer?.close();
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick().then(() => {
        this.running = null;
        if (!this.stopped) this.schedule(this.deps.config.notify.pollMs);
      });
    }, delay);
    this.timer.unref();
  }

  /**
   * One poll: rounds in flight, each lane claiming again at once until a claim comes back empty
   * (nothing more is due). A failure (database down) is logged and tried again next poll.
   */
  private async tick(): Promise<void> {
    let more = true;
    const lane = async () => {
      while (more && !this.stopped) {
        if ((await this.runOnce()).claimed === 0) more = false;
      }
    };
    try {
      await Promise.all(Array.from({ length: ROUNDS_IN_FLIGHT }, lane));
    } catch (err) {
      this.deps.logger.error('notification delivery round failed', { error: safeError(err, [this.deps.config.notify.smtpUrl]) });
    }
  }

  /** Groups a claim's rows into mails and robot posts, rendering each message for its reader. */
  private async units(rows: NotificationDelivery[]): Promise<Unit[]> {
    const m = this.deps.db.manager;
    const n = this.deps.config.notify;
    const notes = new Map((await m.getRepository(Notification).findBy({ id: In([...new Set(rows.map((r) => r.notificationId))]) })).map((x) => [x.id, x]));
    const recipientIds = [...new Set([...notes.values()].map((x) => x.recipientId))];
    const langs = new Map(
      (recipientIds.length ? await m.getRepository(User).find({ select: { id: true, language: true }, where: { id: In(recipientIds) } }) : []).map((u) => [u.id, langOf(u.language)]),
    );
    const robotIds = rows.filter((r) => r.channel !== 'email').map((r) => robotId(r.target)).filter((x): x is number => x !== null);
    const robots = new Map((robotIds.length ? await m.getRepository(NotificationRobot).findBy({ id: In([...new Set(robotIds)]) }) : []).map((r) => [r.id, r]));

    const item = (row: NotificationDelivery, lang: Lang) => {
      const note = notes.get(row.notificationId);
      if (!note) throw new DeliveryFailure(`notification ${row.notificationId} no longer exists`);
      const msg = render(note, lang);
      return { subject: msg.subject, body: msg.body, url: `${n.publicUrl}${msg.link.startsWith('/') ? '' : '/'}${msg.link}` };
    };
    const readerLang = (row: NotificationDelivery): Lang => langs.get(notes.get(row.notificationId)?.recipientId ?? 0) ?? 'zh-Hant';

    const units: Unit[] = [];
    const digests = new Map<string, NotificationDelivery[]>();
    for (const row of rows) {
      if (row.channel === 'email' && row.digest) {
        digests.set(row.target, [...(digests.get(row.target) ?? []), row]);
        continue;
      }
      if (row.channel === 'email') {
        units.push({
          rows: [row],
          send: () => this.mail(row.target, readerLang(row), [row], (lang) => [item(row, lang)], false),
        });
        continue;
      }
      units.push({
        rows: [row],
        send: async () => {
          const robot = robots.get(robotId(row.target) ?? 0);
          if (!robot) throw new DeliveryFailure(`robot ${row.target} no longer exists`);
          if (!robot.enabled) throw new DeliveryFailure(`robot ${robot.id} is disabled`);
          let creds: { webhookUrl: string; secret: string | null };
          try {
            creds = robotCredentials(this.deps.cipher, robot);
          } catch {
            throw new DeliveryFailure(`robot ${robot.id}: its webhook URL or secret cannot be decrypted (key missing?)`);
          }
          try {
            await postToRobot(robot.platform, creds.webhookUrl, creds.secret, item(row, langOf(robot.language)), n.timeoutMs);
          } catch (err) {
            throw new DeliveryFailure(safeError(err, [creds.webhookUrl, creds.secret]));
          }
        },
      });
    }
    for (const [target, group] of digests) {
      // A digest tells what the reader has not seen: messages already read in the console (or
      // settled, e.g. a request another approver decided) are left out and their rows closed.
      const unread = group.filter((r) => !notes.get(r.notificationId)?.readAt);
      const send = unread.length ? () => this.mail(target, readerLang(unread[0]), unread, (lang) => unread.map((r) => item(r, lang)), true) : async () => {};
      units.push({ rows: group, send });
    }
    return units;
  }

  private async mail(to: string, lang: Lang, rows: NotificationDelivery[], items: (lang: Lang) => Array<{ subject: string; body: string; url: string }>, digest: boolean): Promise<void> {
    if (!this.mailer) throw new DeliveryFailure('e-mail is not configured (SMTP_URL)');
    const n = this.deps.config.notify;
    const messageId = messageIdFor(
      rows.map((r) => r.id),
      rows.map((r) => r.notificationId),
      n.publicUrl,
    );
    try {
      await this.mailer.send({ to, lang, items: items(lang), digest, messageId });
    } catch (err) {
      throw new (err instanceof ChannelDown ? ChannelDown : DeliveryFailure)(safeError(err, [n.smtpUrl]));
    }
  }
}

/** `robot:<id>` → id. */
function robotId(target: string): number | null {
  const m = /^robot:(\d+)$/.exec(target);
  return m ? Number(m[1]) : null;
}


/**
 * The message in `lang`, from its kind and params; a message written before the catalogue (no
 * params, or a kind it no longer declares) goes out as stored.
 */
function render(n: Notification, lang: Lang): { subject: string; body: string; link: string } {
  if (n.params !== null && kindDef(n.kind)) {
    try {
      const r = renderMessage(n.kind, JSON.parse(n.params) as MessageParams, lang);
      return { subject: r.subject, body: r.body, link: r.link };
    } catch {
      // Params that no longer fit the kind: what the inbox shows is still right.
    }
  }
  return { subject: n.subject, body: n.body, link: n.link ?? '/inbox' };
}

/** Starts this instance's worker (src/main.ts); every instance runs one. */
export function startDeliveryWorker(ctx: DeliveryDeps): { stop(): Promise<void> } {
  const worker = new DeliveryWorker(ctx);
  if (!ctx.config.notify.smtpUrl) ctx.logger.info('e-mail notifications off: SMTP_URL is not set (e-mail deliveries wait, pending)');
  worker.start();
  return { stop: () => worker.stop() };
}
