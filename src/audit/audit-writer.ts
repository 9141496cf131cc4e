import { EntityManager } from 'typeorm';
import { forUpdate } from '../db/database';
import { AuditEntryColumns } from '../entities/AuditEntryColumns';
import { AuditEvent } from '../entities/AuditEvent';
import { AuditHead } from '../entities/AuditHead';
import { AuditPending } from '../entities/AuditPending';
import { AuditWriterHead } from '../entities/AuditWriterHead';
import { entryHash } from './chain';
import { scrub } from './scrub';

/** Who did it and from where; built once per request by the API layer. */
export interface AuditActor {
  id: number | null;
  username: string | null;
  requestId?: string | null;
  ip?: string | null;
}

export interface AuditInput {
  action: string;
  objectType?: string;
  objectId?: string | number;
  scope?: string;
  decision?: 'allow' | 'deny';
  reason?: string;
  before?: unknown;
  after?: unknown;
}

export const SYSTEM_ACTOR: AuditActor = { id: null, username: 'system' };

/** An entry's content: everything but its place in a chain. */
type EntryFields = Omit<AuditEntryColumns, 'prevHash' | 'hash'>;

/**
 * How entries reach the one chain (issue 16):
 * - direct: appended to audit_event under a lock on the single head row (one database, or a
 *   cluster written through one node);
 * - journal: appended to this writer's own chain in audit_pending, locking only this writer's
 *   head row, and sealed into audit_event after commit (AuditSealer): writers on different nodes
 *   of a multi-primary cluster never update the same row.
 */
export interface AuditJournal {
  /** This process's writer id (unique per process start). */
  writer: string;
  /** Has the entries sealed once the current transaction commits (db.afterCommit). */
  sealAfterCommit(): void;
}

/**
 * Appends to the audit trail (R-AUDIT). Always called with the EntityManager of the transaction
 * that makes the change, so the change and its entry commit together (in either mode).
 */
export class AuditWriter {
  private journal: AuditJournal | null = null;

  constructor(private readonly mysql: boolean) {}

  get mode(): 'direct' | 'journal' {
    return this.journal ? 'journal' : 'direct';
  }

  /** Switches to journal mode (AuditSealer.install does it at start-up on a multi-primary cluster). */
  useJournal(journal: AuditJournal): void {
    this.journal = journal;
  }

  async append(m: EntityManager, actor: AuditActor, input: AuditInput): Promise<void> {
    const fields: EntryFields = {
      at: new Date(),
      actorId: actor.id,
      actorName: actor.username,
      action: input.action,
      objectType: input.objectType ?? null,
      objectId: input.objectId === undefined ? null : String(input.objectId),
      scope: input.scope ?? null,
      decision: input.decision ?? null,
      reason: input.reason ?? null,
      requestId: actor.requestId ?? null,
      ip: actor.ip ?? null,
      // Never a password, token or unmasked personal value in the trail.
      before: input.before === undefined ? null : (scrub(input.before) as AuditEvent['before']),
      after: input.after === undefined ? null : (scrub(input.after) as AuditEvent['after']),
    };
    if (this.journal) return this.appendPending(m, this.journal, fields);
    const head = await m.getRepository(AuditHead).findOne({ where: { id: 1 }, ...forUpdate(this.mysql) });
    if (!head) throw new Error('audit_head row missing: migrations have not run');
    const event = Object.assign(new AuditEvent(), fields, { seq: head.seq + 1, prevHash: head.hash });
    event.hash = entryHash(event);
    // insert (not save): a plain INSERT, so a duplicate seq fails loudly instead of updating.
    await m.getRepository(AuditEvent).insert(event as unknown as Parameters<typeof m.insert>[1]);
    await m.getRepository(AuditHead).update({ id: 1 }, { seq: event.seq, hash: event.hash });
  }

  /** Journal mode: onto this writer's own chain (its head row is locked on this node only). */
  private async appendPending(m: EntityManager, journal: AuditJournal, fields: EntryFields): Promise<void> {
    const heads = m.getRepository(AuditWriterHead);
    const head = await heads.findOne({ where: { writer: journal.writer, role: 'written' }, ...forUpdate(this.mysql) });
    if (!head) throw new Error(`audit writer ${journal.writer} has no head row: AuditSealer.install has not run`);
    const entry = Object.assign(new AuditPending(), fields, { writer: journal.writer, wseq: head.wseq + 1, prevHash: head.hash });
    entry.hash = entryHash({ ...entry, seq: entry.wseq });
    await m.getRepository(AuditPending).insert(entry as unknown as Parameters<typeof m.insert>[1]);
    await heads.update({ writer: journal.writer, role: 'written' }, { wseq: entry.wseq, hash: entry.hash, updatedAt: fields.at });
    journal.sealAfterCommit();
  }
}
