import { In, IsNull, Not } from 'typeorm';
import { AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import type { Database } from '../../db/database';
import { HandoverDestruction } from '../../entities/HandoverDestruction';
import { HandoverFile, HandoverStatus } from '../../entities/HandoverFile';
import type { Logger } from '../../logger';
import type { PolicyService } from '../../policy/policy-service';
import { HandoverFileStore, StorageError } from './file-store';
import { serialOf } from './handover-access';

/** Stored files with no record are removed by the start-up sweep once older than this (an upload may be in flight). */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

export type ShredFaultPoint = 'afterOverwrite' | 'afterUnlink';

/**
 * Steps 2–3 of a destruction (see ./destruction.ts) and the recovery that redoes them: the
 * ciphertext of a destroyed file is overwritten and unlinked, then the record notes it. At start
 * (and in the daily job) every record not yet shredded is finished and stored files without a
 * live record are removed (R-HANDOVER-DESTROY: never a file recorded as destroyed but present).
 */
export class DestructionShredding {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly store: HandoverFileStore,
    private readonly logger: Logger,
    /** The test fault points of HandoverDestructions (a hook that throws simulates a crash). */
    private readonly fault: (point: ShredFaultPoint) => Promise<void>,
  ) {}

  /** Steps 2–3: overwrite, unlink, then note it on the record (idempotent: a repeat finds nothing left). */
  async shred(d: HandoverDestruction, storageName: string): Promise<void> {
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
}
