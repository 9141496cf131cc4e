import type { EntityManager } from 'typeorm';
import type { AuditActor, AuditWriter } from '../audit/audit-writer';
import type { Database } from '../db/database';
import { AuditEvent } from '../entities/AuditEvent';
import { Department } from '../entities/Department';
import { AppError, ErrorCode, ForbiddenError } from '../errors';
import { deptScope } from './scope';

/** What the audit trail says of one refused attempt (never a customer's value: ids and codes only). */
export interface RefusedAction {
  /** e.g. copy.transfer_refused; the generic one is access.denied */
  action: string;
  objectType?: string;
  objectId?: string | number;
  /** The scope of what was refused: the monthly indicators count refusals by it (R-SECRET). */
  scope?: string;
  reason: string;
  after?: unknown;
}

/** Refusals whose deny event is in the trail: the error handler must not write another. */
const recorded = new WeakSet<object>();

export function isRecorded(err: unknown): boolean {
  return typeof err === 'object' && err !== null && recorded.has(err);
}

/**
 * The one writer of refusals (R-AUDIT): the deny event in its own transaction, written after
 * whatever the refused request had started was rolled back, so it cannot be lost with it. The
 * refusal is then marked, so that the error handler's net (recordUnrecorded) leaves it alone.
 */
export async function recordRefusal(db: Database, audit: AuditWriter, actor: AuditActor, event: RefusedAction, err?: Error): Promise<void> {
  await db.tx((m) => audit.append(m, actor, { ...event, decision: 'deny' }));
  if (err) recorded.add(err);
}

/**
 * A record-level refusal (403 with a stable code): the attempt is written to the audit trail
 * with decision "deny" (R-AUDIT) in its own transaction, then refused. Nothing else changes.
 */
export async function refuse(db: Database, audit: AuditWriter, actor: AuditActor, code: ErrorCode, message: string, event: RefusedAction, details?: unknown): Promise<never> {
  const err = new ForbiddenError(code, message, details);
  await recordRefusal(db, audit, actor, { ...event, reason: `${code}: ${event.reason}` }, err);
  throw err;
}

/** What the API layer knows of a request when it is refused (filled in by mount-routes as it goes). */
export interface RefusedRequest {
  actor: AuditActor;
  /** The caller's department: the scope of a refusal that names none (the agreement gate). */
  departmentId: number | null;
  /** When the request started: deny events written since, under its request id, are its own. */
  startedAt: Date;
  /** The route's permission and the scope it resolved to, once known. */
  permission: { object: string; action: string } | null;
  scope: string | null;
}

/**
 * The net under every 403 (R-AUDIT), called by the error handler for a refusal nobody recorded:
 * the agreement and account gate, and checks that services make with a plain ForbiddenError
 * (the release requester, self-grant, the notice permission found missing inside an inspection's
 * completion...). One `access.denied` event, scoped to what was refused as precisely as known:
 * the scope the error names, else the route's resolved scope, else the caller's department.
 *
 * A service that wrote its own deny event (in its own committed transaction) and threw a plain
 * ForbiddenError is recognised by that event (same request id, same actor, since the request
 * started), so a refusal is never counted twice.
 */
export async function recordUnrecorded(db: Database, audit: AuditWriter, err: AppError, r: RefusedRequest): Promise<void> {
  if (isRecorded(err)) return;
  const details = (err.details ?? {}) as { permission?: unknown; scope?: unknown };
  const permission =
    typeof details.permission === 'string' ? details.permission : r.permission ? `${r.permission.object}:${r.permission.action}` : null;
  await db.tx(async (m) => {
    if (await alreadyDenied(m, r)) return;
    const scope = typeof details.scope === 'string' ? details.scope : (r.scope ?? (await departmentScope(m, r.departmentId)));
    await audit.append(m, r.actor, {
      action: 'access.denied',
      objectType: permission ? permission.split(':')[0] : undefined,
      scope: scope ?? undefined,
      decision: 'deny',
      reason: `${permission ? `${permission} ` : ''}${err.code}: ${err.message}`.slice(0, 1000),
    });
  });
  recorded.add(err);
}

async function alreadyDenied(m: EntityManager, r: RefusedRequest): Promise<boolean> {
  if (!r.actor.requestId) return false;
  const q = m
    .getRepository(AuditEvent)
    .createQueryBuilder('e')
    // idx_audit_at: only the events written since this request started are read.
    .where('e.at >= :since', { since: r.startedAt })
    .andWhere('e.requestId = :rid', { rid: r.actor.requestId })
    .andWhere('e.decision = :deny', { deny: 'deny' });
  if (r.actor.id !== null) q.andWhere('e.actorId = :actorId', { actorId: r.actor.id });
  return (await q.getCount()) > 0;
}

async function departmentScope(m: EntityManager, departmentId: number | null): Promise<string | null> {
  if (departmentId === null) return null;
  const d = await m.getRepository(Department).findOneBy({ id: departmentId });
  return d ? deptScope(d.code) : null;
}
