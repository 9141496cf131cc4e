import crypto from 'node:crypto';
import { Brackets, In, SelectQueryBuilder, UpdateQueryBuilder, WhereExpressionBuilder } from 'typeorm';
import type { Database } from '../../../db/database';
import { Notification } from '../../../entities/Notification';
import { DeliveryChannel, DeliveryStatus, NotificationDelivery } from '../../../entities/NotificationDelivery';

export interface ClaimRequest {
  now: Date;
  batch: number;
  leaseMs: number;
  /** The channels this worker can send (no SMTP_URL: no 'email'); rows of the others are left alone. */
  channels: readonly DeliveryChannel[];
}

export interface Claim {
  token: string;
  rows: NotificationDelivery[];
}

/** What one send came to, per row of the claim. */
export type RowResult = { id: number; ok: true } | { id: number; ok: false; error: string; /** the channel was down: no attempt used up */ deferred?: boolean };

/** While the channel is down, a row waits this long before the next try (NOTIFY_BACKOFF_MS, between 1 s and 1 min). */
export const deferDelay = (backoffMs: number): number => Math.min(Math.max(backoffMs, 1000), 60_000);

/**
 * Due: pending, its time come, and not held by a live claim (never claimed, or the claim's lease
 * ran out: the instance that held it crashed or hung between the send and its recording).
 * Written as a condition on the row itself, so that the UPDATE that takes a row re-checks it:
 * of two instances that picked the same candidate, the database lets exactly one take it.
 */
function due(qb: WhereExpressionBuilder, now: Date): void {
  qb.andWhere("d.status = 'pending'")
    .andWhere('d.nextAttemptAt <= :now', { now })
    .andWhere(new Brackets((w) => w.where('d.claimedUntil IS NULL').orWhere('d.claimedUntil < :now', { now })));
}

function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Backoff before the attempt after `attempts` failed ones: backoffMs * 2^(attempts-1), at most max(backoffMs, 1 h). */
export function backoffDelay(attempts: number, backoffMs: number): number {
  return Math.min(backoffMs * 2 ** Math.max(0, attempts - 1), Math.max(backoffMs, 3_600_000));
}

/**
 * The notification_delivery table as the worker and the dead-letter routes see it. A claim is
 * three statements that behave the same on SQLite and MariaDB/MySQL: pick candidate ids (a plain
 * SELECT ... LIMIT), take them with one conditional UPDATE that re-checks "due" and writes a
 * fresh claim token and lease (no UPDATE ... LIMIT, which SQLite lacks, and no LIMIT inside an
 * IN subquery, which MySQL refuses), then read back the rows carrying the token.
 */
export class DeliveryStore {
  constructor(private readonly db: Database) {}

  async claim(req: ClaimRequest): Promise<Claim> {
    const token = crypto.randomUUID();
    if (req.channels.length === 0) return { token, rows: [] };
    const until = new Date(req.now.getTime() + req.leaseMs);
    // Another instance may take the candidates first: then pick again (they no longer show as due).
    for (let round = 0; round < 3; round++) {
      const candidates = this.db.manager.createQueryBuilder(NotificationDelivery, 'd').select('d.id', 'id').where('d.channel IN (:...channels)', { channels: req.channels });
      due(candidates, req.now);
      // The oldest due rows, a few batches' worth, of which a random batch is taken: claimers
      // polling at the same moment then mostly take different rows instead of all racing for the same ones.
      const pool = (await candidates.orderBy('d.nextAttemptAt', 'ASC').addOrderBy('d.id', 'ASC').limit(req.batch * 3).getRawMany<{ id: number }>()).map((r) => Number(r.id));
      if (pool.length === 0) return { token, rows: [] };
      const ids = pool.length <= req.batch ? pool : shuffle(pool).slice(0, req.batch);
      const taken = await this.db.tx(async (m) => {
        const take = (qb: UpdateQueryBuilder<NotificationDelivery>) => qb.set({ claimToken: token, claimedUntil: until });
        const first = take(m.createQueryBuilder().update(NotificationDelivery)).where('id IN (:...ids)', { ids });
        dueUpdate(first, req.now);
        let n = (await first.execute()).affected ?? 0;
        // A digest goes out as one mail per address: the claim takes every due digest row of the
        // addresses it took one of, so that two instances never split one recipient's digest.
        const digestTargets = await m
          .createQueryBuilder(NotificationDelivery, 'd')
          .select('DISTINCT d.target', 'target')
          .where('d.claimToken = :token AND d.digest = 1', { token })
          .getRawMany<{ target: string }>();
        if (digestTargets.length) {
          const more = take(m.createQueryBuilder().update(NotificationDelivery))
            .where("channel = 'email' AND digest = 1")
            .andWhere('target IN (:...targets)', { targets: digestTargets.map((t) => t.target) });
          dueUpdate(more, req.now);
          n += (await more.execute()).affected ?? 0;
        }
        return n;
      });
      if (taken > 0) break;
    }
    const rows = await this.db.manager.getRepository(NotificationDelivery).find({ where: { claimToken: token }, order: { id: 'ASC' } });
    return { token, rows };
  }

  /**
   * Records the sends of a claim. Every statement names the claim's token: a row whose lease ran
   * out and that another instance took meanwhile keeps that instance's claim and outcome.
   */
  async record(claim: Claim, results: RowResult[], now: Date, policy: { maxAttempts: number; backoffMs: number }): Promise<{ sent: number; retried: number; dead: number; deferred: number }> {
    const byId = new Map(claim.rows.map((r) => [r.id, r]));
    const sent = results.filter((r) => r.ok).map((r) => r.id);
    const counts = { sent: 0, retried: 0, dead: 0, deferred: 0 };
    await this.db.tx(async (m) => {
      counts.sent = counts.retried = counts.dead = counts.deferred = 0;
      if (sent.length) {
        const res = await m
          .createQueryBuilder()
          .update(NotificationDelivery)
          .set({ status: 'sent', sentAt: now, attempts: () => 'attempts + 1', claimToken: null, claimedUntil: null, lastError: null })
          .where('id IN (:...ids) AND claimToken = :token', { ids: sent, token: claim.token })
          .execute();
        counts.sent = res.affected ?? 0;
      }
      const deferred = results.filter((r) => !r.ok && r.deferred) as Array<{ id: number; error: string }>;
      if (deferred.length) {
        const res = await m
          .createQueryBuilder()
          .update(NotificationDelivery)
          .set({ nextAttemptAt: new Date(now.getTime() + deferDelay(policy.backoffMs)), claimToken: null, claimedUntil: null, lastError: deferred[0].error.slice(0, 500) })
          .where('id IN (:...ids) AND claimToken = :token', { ids: deferred.map((r) => r.id), token: claim.token })
          .execute();
        counts.deferred = res.affected ?? 0;
      }
      for (const r of results) {
        if (r.ok || r.deferred) continue;
        const attempts = (byId.get(r.id)?.attempts ?? 0) + 1;
        const dead = attempts >= policy.maxAttempts;
        const res = await m
          .createQueryBuilder()
          .update(NotificationDelivery)
          .set({
            status: dead ? 'dead' : 'pending',
            attempts,
            nextAttemptAt: dead ? now : new Date(now.getTime() + backoffDelay(attempts, policy.backoffMs)),
            claimToken: null,
            claimedUntil: null,
            lastError: r.error.slice(0, 500),
          })
          .where('id = :id AND claimToken = :token', { id: r.id, token: claim.token })
          .execute();
        if (res.affected) counts[dead ? 'dead' : 'retried']++;
      }
    });
    return counts;
  }

  /** Hands rows of a claim back unsent (the lease would run out, or the worker is stopping): due again at once. */
  async release(claim: Claim, ids: number[]): Promise<void> {
    if (!ids.length) return;
    await this.db.tx((m) =>
      m
        .createQueryBuilder()
        .update(NotificationDelivery)
        .set({ claimToken: null, claimedUntil: null })
        .where('id IN (:...ids) AND claimToken = :token', { ids, token: claim.token })
        .execute(),
    );
  }

  async list(q: { status?: DeliveryStatus; id?: number; limit: number; offset: number }): Promise<{ rows: Array<NotificationDelivery & { kind: string | null }>; total: number }> {
    const base = (): SelectQueryBuilder<NotificationDelivery> => {
      const qb = this.db.manager.createQueryBuilder(NotificationDelivery, 'd').where('1 = 1');
      if (q.status) qb.andWhere('d.status = :status', { status: q.status });
      if (q.id !== undefined) qb.andWhere('d.id = :id', { id: q.id });
      return qb;
    };
    const total = await base().getCount();
    const rows = await base().orderBy('d.id', 'DESC').offset(q.offset).limit(q.limit).getMany();
    const kinds = new Map<number, string>();
    const ids = [...new Set(rows.map((r) => r.notificationId))];
    if (ids.length) {
      const found = await this.db.manager.getRepository(Notification).find({ select: { id: true, kind: true }, where: { id: In(ids) } });
      for (const n of found) kinds.set(n.id, n.kind);
    }
    return { rows: rows.map((r) => Object.assign(r, { kind: kinds.get(r.notificationId) ?? null })), total };
  }

}

/** `due` for an UPDATE (no alias on the table). */
function dueUpdate(qb: UpdateQueryBuilder<NotificationDelivery>, now: Date): void {
  qb.andWhere("status = 'pending'")
    .andWhere('nextAttemptAt <= :now', { now })
    .andWhere(new Brackets((w) => w.where('claimedUntil IS NULL').orWhere('claimedUntil < :now', { now })));
}
