import crypto from 'node:crypto';
import os from 'node:os';
import { EntityManager, In } from 'typeorm';
import { Database, forUpdate } from '../db/database';
import { AuditEvent } from '../entities/AuditEvent';
import { AuditHead } from '../entities/AuditHead';
import { AuditPending } from '../entities/AuditPending';
import { AuditWriterHead } from '../entities/AuditWriterHead';
import type { Logger } from '../logger';
import type { AuditWriter } from './audit-writer';
import { entryHash, GENESIS_HASH } from './chain';
import { coalesced } from '../lib/coalesce';
import { BrokenWriterChain, checkWriterChain, writerChains } from './writer-chain';

/** Entries moved into the chain per transaction: a bounded transaction, however long the backlog. */
const SEAL_BATCH = 200;

/** Merges the writers' entries by time, each writer's own order kept (its clock may step back). */
function mergeByTime(byWriter: AuditPending[][]): AuditPending[] {
  const out: AuditPending[] = [];
  const next = byWriter.map(() => 0);
  for (;;) {
    let pick = -1;
    for (let w = 0; w < byWriter.length; w++) {
      const e = byWriter[w][next[w]];
      if (e && (pick < 0 || e.at.getTime() < byWriter[pick][next[pick]].at.getTime())) pick = w;
    }
    if (pick < 0) return out;
    out.push(byWriter[pick][next[pick]++]);
  }
}

/**
 * Journal mode of the audit trail (issue 16): moves each writer's entries from audit_pending into
 * the one chain of audit_event, in time order, each writer's chain checked first. Runs after every
 * transaction that wrote entries (the request waits for it, so the trail a caller reads next holds
 * their change) and every second for whatever another process left (one that stopped mid-way).
 * Sealers on several nodes may race: each seal is one transaction locking the chain head, and a
 * conflict is retried by db.tx; the loser then finds the entries sealed already.
 */
export class AuditSealer {
  readonly writer = `${os.hostname().slice(0, 30)}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | null = null;
  private reported = new Set<string>();
  /** Entries sealed by this process, seal transactions and breaks found (for tests and the cluster figures). */
  readonly stats = { sealed: 0, seals: 0, broken: 0 };

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  /** Makes `audit` write through this writer's journal (its head row first, in a transaction of its own). */
  async install(audit: AuditWriter): Promise<void> {
    if (audit.mode === 'journal') return; // a second bootstrap of the same process
    await this.db.tx(async (m) => {
      const at = new Date();
      await m.getRepository(AuditWriterHead).insert({ writer: this.writer, role: 'written', wseq: 0, hash: GENESIS_HASH, updatedAt: at });
    });
    audit.useJournal({ writer: this.writer, sealAfterCommit: () => this.db.afterCommit(this.request) });
  }

  /** Seals what is pending; concurrent calls share one run, and a call during a run gets the run after it. Never throws. */
  readonly request = coalesced(
    async () => {
      while ((await this.sealOnce()) === SEAL_BATCH);
    },
    // The entries are committed in the journal: the next seal (at the latest the timer's) takes them.
    (err) => this.logger.warn('audit seal failed; retried by the next seal', { error: err instanceof Error ? err.message : String(err) }),
  );

  /** One transaction: up to SEAL_BATCH entries into the chain. Returns how many. */
  async sealOnce(): Promise<number> {
    const broken: BrokenWriterChain[] = [];
    const sealed = await this.db.tx(async (m) => {
      broken.length = 0;
      return this.sealIn(m, broken);
    });
    for (const b of broken) this.reportBroken(b);
    if (sealed) {
      this.stats.sealed += sealed;
      this.stats.seals++;
    }
    return sealed;
  }

  private async sealIn(m: EntityManager, broken: BrokenWriterChain[]): Promise<number> {
    // Nothing to do is the common case of the timer: answered without taking the head's lock.
    if ((await m.getRepository(AuditPending).find({ select: { id: true }, take: 1 })).length === 0) return 0;
    // The head first, then the entries: a sealer that waited for the lock reads what the one
    // before it left (on a cluster, sealers on other nodes are settled at commit, and retried).
    const head = await m.getRepository(AuditHead).findOne({ where: { id: 1 }, ...forUpdate(this.db.mysql) });
    if (!head) throw new Error('audit_head row missing: migrations have not run');
    const pending = await m.getRepository(AuditPending).find({ order: { id: 'ASC' }, take: SEAL_BATCH });
    if (pending.length === 0) return 0;
    const chains = await writerChains(m, pending);
    const accepted: AuditPending[][] = [];
    for (const { rows, sealed } of chains) {
      // Taken by id, each writer's entries come as a prefix of its chain: a break is a real one.
      const { valid, broken: b } = checkWriterChain(rows, sealed);
      if (b) broken.push(b);
      if (valid > 0) accepted.push(rows.slice(0, valid));
    }
    const ordered = mergeByTime(accepted);
    if (ordered.length === 0) return 0;
    let { seq, hash } = head;
    const events = ordered.map((e) => {
      const { id: _id, writer: _w, wseq: _s, prevHash: _p, hash: _h, ...fields } = e;
      const event = Object.assign(new AuditEvent(), fields, { seq: ++seq, prevHash: hash });
      event.hash = hash = entryHash(event);
      return event;
    });
    for (let i = 0; i < events.length; i += 50) {
      await m.getRepository(AuditEvent).insert(events.slice(i, i + 50) as unknown as Parameters<typeof m.insert>[1]);
    }
    await m.getRepository(AuditHead).update({ id: 1 }, { seq, hash });
    const at = new Date();
    const alreadySealed = new Set(chains.filter((c) => c.sealed).map((c) => c.writer));
    for (const rows of accepted) {
      const last = rows[rows.length - 1];
      const values = { wseq: last.wseq, hash: last.hash, updatedAt: at };
      if (alreadySealed.has(last.writer)) await m.getRepository(AuditWriterHead).update({ writer: last.writer, role: 'sealed' }, values);
      else await m.getRepository(AuditWriterHead).insert({ writer: last.writer, role: 'sealed', ...values });
    }
    await m.getRepository(AuditPending).delete({ id: In(ordered.map((e) => e.id)) });
    return events.length;
  }

  /** Logged once per break: the nightly verify raises the alarm (it checks the unsealed entries too). */
  private reportBroken(b: BrokenWriterChain): void {
    this.stats.broken++;
    const key = `${b.writer}:${b.wseq}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.logger.error('audit writer chain broken: its entries stay unsealed', { writer: b.writer, wseq: b.wseq, reason: b.reason });
  }

  /** Every `ms`, seal what anyone left (a process that stopped between its commit and its seal). */
  start(ms = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.request(), ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.request.current();
  }
}
