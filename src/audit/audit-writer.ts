import { EntityManager } from 'typeorm';
import { forUpdate } from '../db/database';
import { AuditEvent } from '../entities/AuditEvent';
import { AuditHead } from '../entities/AuditHead';
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

/**
 * Appends to the one audit chain (R-AUDIT). Always called with the EntityManager of the
 * transaction that makes the change, so the change and its event commit together.
 * The head row is locked (FOR UPDATE on MySQL; SQLite transactions are serialised), so two
 * instances appending at once still produce one unbroken chain.
 */
export class AuditWriter {
  constructor(private readonly mysql: boolean) {}

  async append(m: EntityManager, actor: AuditActor, input: AuditInput): Promise<AuditEvent> {
    const head = await m.getRepository(AuditHead).findOne({
      where: { id: 1 },
      ...forUpdate(this.mysql),
    });
    if (!head) throw new Error('audit_head row missing: migrations have not run');

    const event = new AuditEvent();
    event.seq = head.seq + 1;
    event.at = new Date();
    event.actorId = actor.id;
    event.actorName = actor.username;
    event.action = input.action;
    event.objectType = input.objectType ?? null;
    event.objectId = input.objectId === undefined ? null : String(input.objectId);
    event.scope = input.scope ?? null;
    event.decision = input.decision ?? null;
    event.reason = input.reason ?? null;
    event.requestId = actor.requestId ?? null;
    event.ip = actor.ip ?? null;
    // Never a password, token or unmasked personal value in the trail.
    event.before = input.before === undefined ? null : (scrub(input.before) as AuditEvent['before']);
    event.after = input.after === undefined ? null : (scrub(input.after) as AuditEvent['after']);
    event.prevHash = head.hash;
    event.hash = entryHash(event);

    // insert (not save): a plain INSERT, so a duplicate seq fails loudly instead of updating.
    await m.getRepository(AuditEvent).insert(event as unknown as Parameters<typeof m.insert>[1]);
    await m.getRepository(AuditHead).update({ id: 1 }, { seq: event.seq, hash: event.hash });
    return event;
  }
}
