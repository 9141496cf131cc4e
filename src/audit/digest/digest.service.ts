import fs from 'node:fs';
import path from 'node:path';
import { IsNull } from 'typeorm';
import { isUniqueViolation } from '../../api/middleware/error-handler';
import type { Database } from '../../db/database';
import { AuditDigest } from '../../entities/AuditDigest';
import { AuditHead } from '../../entities/AuditHead';
import { CustomerAccessHead } from '../../entities/CustomerAccessHead';
import type { Logger } from '../../logger';
import { AuditActor, AuditWriter } from '../audit-writer';
import { GENESIS_HASH } from '../chain';
import { chainSegment, ChainSegmentError } from './chain-segment';
import { DIGEST_FORMAT, digestHash, sha256Hex, signedBytes, type DigestFile, type DigestPayload, type DigestReason } from './digest-format';
import type { DigestSink, FileDigestSink } from './digest-sinks';
import type { SigningKey } from './signing-key';

/** What a printed report carries in its footer, and what the API lists. */
export interface DigestAnchor {
  number: number;
  fromSeq: number;
  toSeq: number;
  headHash: string;
  digestHash: string;
  keyId: string;
  reason: string;
  createdAt: Date;
  /** False until the digest file is in AUDIT_DIGEST_DIR. */
  written: boolean;
}

export class DigestRefusedError extends Error {
  constructor(
    readonly brokenAtSeq: number,
    reason: string,
  ) {
    super(`audit chain broken at seq ${brokenAtSeq}: ${reason}; no digest is signed over it`);
  }
}

function anchorOf(r: AuditDigest): DigestAnchor {
  return {
    number: r.number,
    fromSeq: r.fromSeq,
    toSeq: r.toSeq,
    headHash: r.headHash,
    digestHash: r.digestHash,
    keyId: r.keyId,
    reason: r.reason,
    createdAt: r.createdAt,
    written: r.writtenAt !== null,
  };
}

const ATTEMPTS = 3;

/**
 * Signs digests of the audit chain and writes them outside the database (R-AUDIT, issue 14 §1).
 *
 * A digest covers the entries since the previous one (fromSeq..toSeq), names the chain's hash at
 * toSeq and the previous digest's hash, and is signed with the Ed25519 key of AUDIT_SIGNING_KEY,
 * which never enters the database. Someone who rewrites the chain in the database (recomputing
 * every hash, moving the head) cannot make digests that match: `audit:verify --digests` finds the
 * first entry that differs from what was signed.
 *
 * Numbers are taken in order across instances (the primary key admits one digest per number),
 * and the interval digest is made once per interval (its period key is unique). The chain is
 * checked before it is signed: a digest never vouches for a broken chain.
 */
export class AuditDigestService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    readonly key: SigningKey,
    readonly files: FileDigestSink,
    private readonly sinks: DigestSink[],
    private readonly logger: Logger,
    readonly intervalMinutes: number,
  ) {}

  /** Puts this instance's public key beside the digests (keys/<keyId>.pem); never replaces another. */
  publishKey(): void {
    this.files.publishKey(this.key.keyId, this.key.publicKeyPem);
  }

  /**
   * The public keys that verify the digests: this instance's (current) and every other kept beside
   * the digests (retired by a rotation, or another instance's), so old digests stay verifiable.
   */
  keys(): Array<{ keyId: string; publicKeyPem: string; current: boolean }> {
    const dir = path.join(this.files.dir, 'keys');
    const others = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.pem')).sort() : [];
    const out = [{ keyId: this.key.keyId, publicKeyPem: this.key.publicKeyPem, current: true }];
    for (const name of others) {
      const keyId = name.slice(0, -'.pem'.length);
      if (keyId !== this.key.keyId) out.push({ keyId, publicKeyPem: fs.readFileSync(path.join(dir, name), 'utf8'), current: false });
    }
    return out;
  }

  /** The interval an instant falls in, e.g. "60m:493452" (minutes since the epoch / interval). */
  periodKey(now: Date): string {
    return `${this.intervalMinutes}m:${Math.floor(now.getTime() / (this.intervalMinutes * 60_000))}`;
  }

  async latest(): Promise<DigestAnchor | null> {
    const [row] = await this.db.manager.getRepository(AuditDigest).find({ order: { number: 'DESC' }, take: 1 });
    return row ? anchorOf(row) : null;
  }

  async list(page: { limit: number; offset: number }): Promise<{ items: DigestAnchor[]; total: number; limit: number; offset: number }> {
    const [rows, total] = await this.db.manager.getRepository(AuditDigest).findAndCount({ order: { number: 'DESC' }, take: page.limit, skip: page.offset });
    return { items: rows.map(anchorOf), total, ...page };
  }

  /** The digest file as written (entry hashes included), or null for an unknown number. */
  async file(n: number): Promise<DigestFile | null> {
    const row = await this.db.manager.getRepository(AuditDigest).findOneBy({ number: n });
    if (!row) return null;
    const signed = JSON.parse(row.body) as DigestFile;
    return { ...signed, eventHashes: await this.eventHashes(row.fromSeq, row.toSeq) };
  }

  /**
   * Makes a digest now. 'interval': the one of the current interval, unless another instance made
   * it (null). 'manual': a new one. 'shutdown': a new one unless nothing was written since the
   * latest (then the latest, created false). Throws DigestRefusedError when the chain does not verify.
   */
  async create(reason: DigestReason, opts: { now?: Date; actor?: AuditActor } = {}): Promise<{ digest: DigestAnchor; created: boolean } | null> {
    const now = opts.now ?? new Date();
    const periodKey = reason === 'interval' ? this.periodKey(now) : null;
    for (let attempt = 1; ; attempt++) {
      const repo = this.db.manager.getRepository(AuditDigest);
      if (periodKey && (await repo.existsBy({ periodKey }))) return null;
      const [last] = await repo.find({ order: { number: 'DESC' }, take: 1 });
      const head = await this.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 });
      // The access log's head too (issue 14 §2): read after the trail's, both already committed.
      const access = await this.db.manager.getRepository(CustomerAccessHead).findOneByOrFail({ id: 1 });
      // A restart with nothing written since the latest digest adds none; one asked for by a person
      // is always made (it also vouches for the time it was made).
      if (reason === 'shutdown' && last && last.toSeq === head.seq) return { digest: anchorOf(last), created: false };
      const fromSeq = (last?.toSeq ?? 0) + 1;
      let hashes: string;
      try {
        // Read outside any transaction: entries up to the head read above never change (the
        // chain is append-only), and a long first digest must not hold back the writers.
        hashes = await chainSegment(this.db.manager, fromSeq, head.seq, last?.headHash ?? GENESIS_HASH, head.hash);
      } catch (err) {
        if (err instanceof ChainSegmentError) throw new DigestRefusedError(err.seq, err.message);
        throw err;
      }
      const payload: DigestPayload = {
        number: (last?.number ?? 0) + 1,
        fromSeq,
        toSeq: head.seq,
        headHash: head.hash,
        prevDigestHash: last?.digestHash ?? GENESIS_HASH,
        createdAt: now.toISOString(),
        keyId: this.key.keyId,
        reason,
        eventHashesSha256: sha256Hex(hashes),
        accessLog: { toBatch: access.seq, headHash: access.hash },
      };
      const signed: DigestFile = { format: DIGEST_FORMAT, payload, signature: this.key.sign(signedBytes(payload)) };
      const row = Object.assign(new AuditDigest(), {
        number: payload.number,
        periodKey,
        reason,
        fromSeq,
        toSeq: head.seq,
        headHash: head.hash,
        digestHash: digestHash(payload),
        keyId: this.key.keyId,
        createdAt: now,
        body: JSON.stringify(signed),
        writtenAt: null,
      });
      try {
        await this.db.tx(async (m) => {
          await m.getRepository(AuditDigest).insert(row);
          // One asked for by a person is theirs to answer for; interval and shutdown digests are
          // not audited (each would be the next digest's only entry).
          if (opts.actor) await this.audit.append(m, opts.actor, { action: 'audit.digest_created', objectType: 'audit_digest', objectId: row.number, after: { fromSeq, toSeq: head.seq } });
        });
      } catch (err) {
        // Another instance took this number (or this interval) first: look again.
        if (isUniqueViolation(err) && attempt < ATTEMPTS) continue;
        if (isUniqueViolation(err) && periodKey) return null;
        throw err;
      }
      await this.deliver(row, { ...signed, eventHashes: hashes });
      return { digest: anchorOf(row), created: true };
    }
  }

  /** The file sink first (its success is recorded), then syslog; a failure is logged and retried by the next round. */
  private async deliver(row: AuditDigest, file: DigestFile): Promise<void> {
    try {
      await this.files.write(file);
      row.writtenAt = new Date();
      await this.db.manager.getRepository(AuditDigest).update({ number: row.number }, { writtenAt: row.writtenAt });
    } catch (err) {
      this.logger.error('audit digest file not written', { number: row.number, error: String(err) });
    }
    for (const sink of this.sinks) {
      try {
        await sink.write(file);
      } catch (err) {
        this.logger.error('audit digest not sent', { number: row.number, sink: sink.name, error: String(err) });
      }
    }
    this.logger.info('audit digest', { number: row.number, fromSeq: row.fromSeq, toSeq: row.toSeq, headHash: row.headHash, keyId: row.keyId });
  }

  /** Digest files that could not be written at once (a full disk, a lost mount): written now from the database. */
  async writeMissing(): Promise<number> {
    const rows = await this.db.manager.getRepository(AuditDigest).find({ where: { writtenAt: IsNull() }, order: { number: 'ASC' } });
    let n = 0;
    for (const row of rows) {
      const file = await this.file(row.number);
      if (!file) continue;
      await this.files.write(file);
      await this.db.manager.getRepository(AuditDigest).update({ number: row.number }, { writtenAt: new Date() });
      n++;
    }
    return n;
  }

  private async eventHashes(fromSeq: number, toSeq: number): Promise<string> {
    return chainSegment(this.db.manager, fromSeq, toSeq, null, null);
  }

  /** Every instance checks each minute; the interval's digest is made once, by whichever gets there first. */
  start(): void {
    if (this.intervalMinutes <= 0 || this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = this.round().finally(() => (this.running = null));
    };
    this.timer = setInterval(tick, Math.min(60_000, this.intervalMinutes * 60_000));
    this.timer.unref();
    tick();
  }

  private async round(): Promise<void> {
    try {
      await this.writeMissing();
      await this.create('interval');
    } catch (err) {
      this.logger.error('audit digest failed', { error: String(err) });
    }
  }

  /** At a clean shutdown: a last digest over what this process may have written since the latest. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running;
    try {
      await this.create('shutdown');
    } catch (err) {
      this.logger.error('audit digest at shutdown failed', { error: String(err) });
    }
  }
}
