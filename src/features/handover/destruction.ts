import { Between, EntityManager, In, IsNull, Not } from 'typeorm';
import { AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { HandoverDestruction } from '../../entities/HandoverDestruction';
import { HandoverFile, HandoverStatus } from '../../entities/HandoverFile';
import { User } from '../../entities/User';
import { AppError, ConflictError, NotFoundError } from '../../errors';
import type { Logger } from '../../logger';
import type { Authorizer } from '../../policy/authorizer';
import type { PolicyService } from '../../policy/policy-service';
import { HandoverFileStore, StorageError } from './file-store';
import { Acting, Refusals, serialOf } from './handover-access';

export const DESTRUCTION_METHOD = 'crypto-shred: AES-256-GCM file key deleted, ciphertext overwritten with random bytes and unlinked';

/** Stored files with no record are removed by the start-up sweep once older than this (an upload may be in flight). */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

export interface DestructionView {
  id: number;
  serial: string;
  fileId: number;
  project: string;
  fileName: string;
  format: string;
  sha256: string;
  byteSize: number;
  destroyedById: number;
  supervisorId: number;
  witnessId: number;
  method: string;
  reason: string | null;
  statusBefore: string;
  destroyedAt: Date;
  bytesShreddedAt: Date | null;
}

/**
 * A row of the §7 ledger form (R-LEDGER-FORM) for a destroyed handover file, beside the paper
 * copies: the holder as requester, the lead who confirmed the entry as approver.
 */
export interface LedgerDestructionRow {
  serial: string;
  project: string;
  contentSummary: string;
  requester: string;
  approver: string | null;
  /** When the lead confirmed the entry (null for a file destroyed before confirmation). */
  approvedAt: Date | null;
  issuedAt: Date;
  signedBy: null;
  expiry: Date | null;
  returnedAt: null;
  destroyedAt: Date;
  method: string;
  witness: string;
}

/** Thrown by a test fault point: stands for the process dying at that step (never caught as an I/O error). */
export class InjectedFault extends Error {}

/**
 * Destruction of handover files (R-HANDOVER-DESTROY, §5.2.2.2–3) and the recovery that makes it
 * crash-safe. The order of the steps is the point:
 *
 * 1. ONE transaction: the file moves to "destroyed" (conditional on its status: one winner),
 *    its wrapped key is deleted, the destruction record is written, every delegation ends, the
 *    audit event is appended. From this commit on the stored bytes are ciphertext whose key no
 *    longer exists anywhere: unreadable, whatever happens next.
 * 2. The ciphertext is overwritten with random bytes (fsync), then unlinked.
 * 3. The record notes `bytesShreddedAt`.
 *
 * A crash before 1 commits leaves the file held and readable, recorded as held. A crash after
 * leaves it recorded as destroyed and unreadable; the start-up sweep (and the daily job) redo
 * steps 2–3 for every record without `bytesShreddedAt`. So there is never a file shredded but
 * recorded as present, nor one recorded as destroyed but still readable.
 */
export class HandoverDestructions {
  /** Test fault points: a hook that throws simulates a crash right after that step. */
  readonly faults: Partial<Record<'afterRecord' | 'afterOverwrite' | 'afterUnlink', () => void | Promise<void>>> = {};

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly authz: Authorizer,
    private readonly policy: PolicyService,
    private readonly store: HandoverFileStore,
    private readonly refusals: Refusals,
    private readonly logger: Logger,
  ) {}

  private async fault(point: 'afterRecord' | 'afterOverwrite' | 'afterUnlink'): Promise<void> {
    const hook = this.faults[point];
    if (!hook) return;
    try {
      await hook();
    } catch (err) {
      throw new InjectedFault(`injected fault ${point}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  view(d: HandoverDestruction): DestructionView {
    return {
      id: d.id,
      serial: serialOf(d.fileId),
      fileId: d.fileId,
      project: this.policy.projectCode(d.projectId) ?? String(d.projectId),
      fileName: d.fileName,
      format: d.format,
      sha256: d.sha256,
      byteSize: d.byteSize,
      destroyedById: d.destroyedById,
      supervisorId: d.supervisorId,
      witnessId: d.witnessId,
      method: d.method,
      reason: d.reason,
      statusBefore: d.statusBefore,
      destroyedAt: d.destroyedAt,
      bytesShreddedAt: d.bytesShreddedAt,
    };
  }

  async load(id: number): Promise<HandoverDestruction> {
    const d = await this.db.manager.getRepository(HandoverDestruction).findOneBy({ id });
    if (!d) throw new NotFoundError('Handover destruction record', id);
    return d;
  }

  /**
   * The holding lead destroys the file under supervision. The lead supervises (§5.2.2.3); since
   * the lead is also the one destroying, a second person holding handover_file:witness in the
   * project witnesses it: another lead, or the head of the project's department (who also
   * supervises it, so that a project with a single lead can destroy its files). Before the lead confirmed the clerk's entry, a reason is required
   * (and recorded); otherwise 409.
   */
  async destroy(
    actor: Acting,
    f: HandoverFile,
    input: { witnessUserId: number; reason?: string },
    endDelegations: (m: EntityManager, now: Date) => Promise<number>,
  ): Promise<DestructionView> {
    const scope = await this.policy.projectScope(f.projectId);
    if (f.status === 'destroyed') throw new ConflictError('already_destroyed', `${serialOf(f.id)} is already destroyed (record ${f.destructionId})`, { destructionId: f.destructionId });
    if (f.holderId !== actor.id) await this.refusals.refuse(actor, f, scope, 'destroy', 'not_holder', `Only the project lead holding ${serialOf(f.id)} may destroy it`);
    const early = f.status !== 'pending_destruction';
    if (early && !input.reason) {
      throw new ConflictError(
        'not_confirmed',
        `${serialOf(f.id)} is ${f.status}: the clerk's entry has not been reported and confirmed. Give a reason to destroy it earlier (it is recorded)`,
        { status: f.status },
      );
    }
    await this.checkWitness(actor, input.witnessUserId, scope);

    const now = new Date();
    const record = await this.db.tx(async (m) => {
      const r = await m
        .createQueryBuilder()
        .update(HandoverFile)
        .set({ status: 'destroyed', wrappedKey: null, keyId: null, destroyedAt: now })
        .where('id = :id AND status = :status AND holderId = :holder', { id: f.id, status: f.status, holder: actor.id })
        .execute();
      if (!r.affected) {
        const current = await m.getRepository(HandoverFile).findOneByOrFail({ id: f.id });
        if (current.status === 'destroyed') throw new ConflictError('already_destroyed', `${serialOf(f.id)} is already destroyed (record ${current.destructionId})`, { destructionId: current.destructionId });
        throw new ConflictError('state_changed', `${serialOf(f.id)} changed meanwhile (now ${current.status}, holder ${current.holderId}); reload and try again`);
      }
      const d = m.getRepository(HandoverDestruction).create({
        fileId: f.id,
        projectId: f.projectId,
        fileName: f.fileName,
        format: f.format,
        sha256: f.sha256,
        byteSize: f.byteSize,
        destroyedById: actor.id,
        supervisorId: f.holderId,
        witnessId: input.witnessUserId,
        method: DESTRUCTION_METHOD,
        reason: early ? input.reason! : (input.reason ?? null),
        statusBefore: f.status,
        destroyedAt: now,
        bytesShreddedAt: null,
      });
      await m.getRepository(HandoverDestruction).insert(d);
      await m.getRepository(HandoverFile).update({ id: f.id }, { destructionId: d.id });
      const ended = await endDelegations(m, now);
      await this.audit.append(m, actor, {
        action: 'handover_file.destroyed',
        objectType: 'handover_file',
        objectId: f.id,
        scope,
        reason: d.reason ?? undefined,
        before: { status: f.status },
        after: {
          status: 'destroyed',
          destructionId: d.id,
          fileName: f.fileName,
          sha256: f.sha256,
          byteSize: f.byteSize,
          supervisorId: d.supervisorId,
          witnessId: d.witnessId,
          method: DESTRUCTION_METHOD,
          delegationsEnded: ended,
          beforeConfirmation: early,
        },
      });
      return d;
    });

    await this.fault('afterRecord');
    try {
      await this.shred(record, f.storageName);
    } catch (err) {
      if (err instanceof InjectedFault) throw err;
      // The destruction stands (the key is gone); the sweep finishes the bytes.
      this.logger.error('handover file bytes not yet shredded; the recovery sweep will finish', { destructionId: record.id, error: String(err) });
    }
    return this.view(await this.load(record.id));
  }

  private async checkWitness(actor: Acting, witnessId: number, scope: string): Promise<void> {
    if (witnessId === actor.id) {
      throw new AppError(400, 'witness_is_destroyer', 'The witness must be a second person, not the one destroying the file', { witnessUserId: witnessId });
    }
    const w = await this.db.manager.getRepository(User).findOneBy({ id: witnessId });
    const allowed = w?.status === 'active' && this.authz.decide(witnessId, scope, { object: 'handover_file', action: 'witness' }).allowed;
    if (!allowed) {
      throw new AppError(400, 'witness_not_allowed', `User ${witnessId} cannot witness a destruction in ${scope} (an active user with handover_file:witness there is needed)`, { witnessUserId: witnessId, scope });
    }
  }

  /** Steps 2–3: overwrite, unlink, then note it on the record (idempotent: a repeat finds nothing left). */
  private async shred(d: HandoverDestruction, storageName: string): Promise<void> {
    const overwritten = await this.store.overwrite(storageName);
    await this.fault('afterOverwrite');
    await this.store.unlink(storageName);
    await this.fault('afterUnlink');
    const at = new Date();
    const scope = await this.policy.projectScope(d.projectId);
    await this.db.tx(async (m) => {
      const r = await m.getRepository(HandoverDestruction).update({ id: d.id, bytesShreddedAt: IsNull() }, { bytesShreddedAt: at });
      if (!r.affected) return;
      await this.audit.append(m, SYSTEM_ACTOR, {
        action: 'handover_file.bytes_shredded',
        objectType: 'handover_file',
        objectId: d.fileId,
        scope,
        after: { destructionId: d.id, overwritten, unlinked: true },
      });
    });
  }

  /** Finishes steps 2–3 for every destruction record whose bytes were not yet shredded. */
  async finishShredding(): Promise<number> {
    const pending = await this.db.manager.getRepository(HandoverDestruction).find({ where: { bytesShreddedAt: IsNull() }, order: { id: 'ASC' } });
    let n = 0;
    for (const d of pending) {
      const f = await this.db.manager.getRepository(HandoverFile).findOneBy({ id: d.fileId });
      if (!f) continue;
      await this.shred(d, f.storageName);
      n++;
    }
    if (n) this.logger.warn('finished shredding destroyed handover files', { count: n });
    return n;
  }

  /**
   * At start (bootstrap): the storage directory must exist or be creatable, and be writable; if
   * the database records files as held there, it must exist and hold every one of them (no
   * silent loss). Then the recovery sweep: finish interrupted destructions, remove orphans.
   */
  async startUp(): Promise<void> {
    const held = await this.db.manager.getRepository(HandoverFile).find({ where: { status: Not('destroyed' as HandoverStatus) }, select: { id: true, storageName: true }, order: { id: 'ASC' } });
    this.store.checkWritable({ mustExist: held.length > 0, heldCount: held.length });
    const missing = held.filter((f) => !this.store.exists(f.storageName));
    if (missing.length) {
      throw new StorageError(
        `HANDOVER_STORAGE_DIR ${this.store.dir} lacks ${missing.length} handover file(s) the database records as held (${missing
          .slice(0, 10)
          .map((f) => serialOf(f.id))
          .join(', ')}${missing.length > 10 ? ', …' : ''}): refusing to start. Restore the files or point HANDOVER_STORAGE_DIR at the right directory.`,
      );
    }
    await this.finishShredding();
    await this.sweepOrphans();
  }

  /** Stored files whose record is destroyed, or that have no record (an upload that never committed), are shredded. */
  async sweepOrphans(now = new Date()): Promise<number> {
    const stored = this.store.listStored();
    if (!stored.length) return 0;
    const known = new Map<string, HandoverStatus>();
    for (let i = 0; i < stored.length; i += 500) {
      const rows = await this.db.manager.getRepository(HandoverFile).find({ where: { storageName: In(stored.slice(i, i + 500).map((s) => s.storageName)) }, select: { storageName: true, status: true } });
      for (const r of rows) known.set(r.storageName, r.status);
    }
    let n = 0;
    for (const s of stored) {
      const status = known.get(s.storageName);
      const orphan = status === undefined && now.getTime() - s.mtime.getTime() > ORPHAN_AGE_MS;
      if (status === 'destroyed' || orphan) {
        await this.store.overwrite(s.storageName);
        await this.store.unlink(s.storageName);
        n++;
      }
    }
    if (n) this.logger.warn('removed stored handover files without a live record', { count: n });
    return n;
  }

  /** §7 ledger rows (R-LEDGER-FORM) for destructions in [from, to). */
  async forLedger(from: Date, to: Date, projectIds: number[] | null): Promise<LedgerDestructionRow[]> {
    if (projectIds && !projectIds.length) return [];
    const m = this.db.manager;
    const rows = await m.getRepository(HandoverDestruction).find({
      where: { destroyedAt: Between(from, new Date(to.getTime() - 1)), ...(projectIds ? { projectId: In(projectIds) } : {}) },
      order: { destroyedAt: 'ASC', id: 'ASC' },
    });
    if (!rows.length) return [];
    const files = new Map((await m.getRepository(HandoverFile).findBy({ id: In(rows.map((r) => r.fileId)) })).map((f) => [f.id, f]));
    const userIds = new Set<number>();
    for (const r of rows) {
      const f = files.get(r.fileId);
      userIds.add(r.supervisorId).add(r.witnessId);
      if (f?.confirmedById) userIds.add(f.confirmedById);
    }
    const names = new Map((await m.getRepository(User).findBy({ id: In([...userIds]) })).map((u) => [u.id, `${u.displayName} (${u.username})`]));
    const name = (id: number | null | undefined) => (id ? (names.get(id) ?? `user ${id}`) : null);
    return rows.map((r) => {
      const f = files.get(r.fileId);
      return {
        serial: serialOf(r.fileId),
        project: this.policy.projectCode(r.projectId) ?? String(r.projectId),
        contentSummary: `Developer handover file "${r.fileName}" (${r.format.toUpperCase()}, ${r.byteSize} bytes, SHA-256 ${r.sha256.slice(0, 16)}…)${r.reason ? `; destroyed before confirmation: ${r.reason}` : ''}`,
        requester: name(r.supervisorId)!,
        approver: name(f?.confirmedById),
        approvedAt: f?.confirmedAt ?? null,
        issuedAt: f?.uploadedAt ?? r.destroyedAt,
        signedBy: null,
        expiry: f?.destructionDeadline ?? null,
        returnedAt: null,
        destroyedAt: r.destroyedAt,
        method: r.method,
        witness: name(r.witnessId)!,
      };
    });
  }
}
