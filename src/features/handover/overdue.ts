import { In } from 'typeorm';
import type { Database } from '../../db/database';
import { HandoverDelegation } from '../../entities/HandoverDelegation';
import { HandoverFile } from '../../entities/HandoverFile';
import { Project } from '../../entities/Project';
import { formatDateTime } from '../../lib/documents';
import type { PolicyService } from '../../policy/policy-service';
import type { NotificationOutbox } from '../notifications/notification.service';
import { serialOf } from './handover-access';

export type OverdueScope = { departmentId: number } | { projectIds: number[] };

export interface OverdueCounts {
  /** Files confirmed for destruction whose deadline had passed at `asOf` without their destruction. */
  destructionOverdue: number;
  /** Delegations past their expiry at `asOf` that nobody had revoked (or otherwise ended) by then. */
  delegationsExpiredUnrevoked: number;
}

async function projectIdsOf(db: Database, scope: OverdueScope): Promise<number[]> {
  if ('projectIds' in scope) return scope.projectIds;
  return (await db.manager.getRepository(Project).find({ where: { departmentId: scope.departmentId }, select: { id: true } })).map((p) => p.id);
}

/**
 * As of `asOf` (for the monthly assessment, R-RISK-MONTHLY): how many files were past their
 * destruction deadline (R-HANDOVER-DESTROY) and how many delegations were past expiry and not
 * ended (R-HANDOVER-HOLD: "for a set time"). Later changes do not rewrite the past: a file
 * destroyed after `asOf` still counts as overdue at `asOf`.
 */
export async function overdueCounts(db: Database, scope: OverdueScope, asOf: Date): Promise<OverdueCounts> {
  const ids = await projectIdsOf(db, scope);
  if (!ids.length) return { destructionOverdue: 0, delegationsExpiredUnrevoked: 0 };
  const destructionOverdue = await db.manager
    .getRepository(HandoverFile)
    .createQueryBuilder('f')
    .where('f.projectId IN (:...ids)', { ids })
    .andWhere('f.destructionDeadline < :asOf', { asOf })
    .andWhere('(f.destroyedAt IS NULL OR f.destroyedAt > :asOf)', { asOf })
    .getCount();
  const delegationsExpiredUnrevoked = await db.manager
    .getRepository(HandoverDelegation)
    .createQueryBuilder('d')
    .innerJoin(HandoverFile, 'f', 'f.id = d.fileId')
    .where('f.projectId IN (:...ids)', { ids })
    .andWhere('d.expiresAt < :asOf', { asOf })
    .andWhere('(d.endedAt IS NULL OR d.endedAt > :asOf)', { asOf })
    .getCount();
  return { destructionOverdue, delegationsExpiredUnrevoked };
}

/** How long before its destruction deadline the holder of a confirmed file is reminded (R-HANDOVER-DESTROY). */
export const DESTRUCTION_DUE_WITHIN_MS = 2 * 24 * 60 * 60 * 1000;

/**
 * The daily reminders (handoverOverdueJob), to the holding lead: once for every file whose
 * destruction deadline falls within the next two days (handover.destruction_due), daily for every
 * file past it (handover.destruction_overdue), and daily for every file with a delegation past
 * expiry that was not revoked (handover.delegation_expired). One message per file, kind and day
 * (the dedupe key carries the day; the "due" one, once per file): a rerun adds nothing. Params
 * name files by serial, never by their (possibly personal) file names, and give times on the local
 * wall clock of `timezone` (config.timezone), as the recipients read them.
 */
export async function flagOverdue(
  db: Database,
  outbox: NotificationOutbox,
  policy: PolicyService,
  asOf: Date,
  dayKey: string,
  timezone: string,
): Promise<{ destructionDue: number; destructionOverdue: number; delegationsExpired: number; reminders: number }> {
  const pending = () => db.manager.getRepository(HandoverFile).createQueryBuilder('f').where('f.status = :s', { s: 'pending_destruction' });
  const files = await pending().andWhere('f.destructionDeadline < :asOf', { asOf }).orderBy('f.id', 'ASC').getMany();
  const due = await pending()
    .andWhere('f.destructionDeadline >= :asOf AND f.destructionDeadline < :until', { asOf, until: new Date(asOf.getTime() + DESTRUCTION_DUE_WITHIN_MS) })
    .orderBy('f.id', 'ASC')
    .getMany();
  const expired = await db.manager
    .getRepository(HandoverDelegation)
    .createQueryBuilder('d')
    .innerJoin(HandoverFile, 'f', 'f.id = d.fileId')
    .where('d.endedAt IS NULL')
    .andWhere('d.expiresAt < :asOf', { asOf })
    .andWhere('f.status <> :destroyed', { destroyed: 'destroyed' })
    .orderBy('d.id', 'ASC')
    .getMany();
  const byFile = new Map<number, HandoverDelegation[]>();
  for (const d of expired) byFile.set(d.fileId, [...(byFile.get(d.fileId) ?? []), d]);
  const delegated = byFile.size ? await db.manager.getRepository(HandoverFile).findBy({ id: In([...byFile.keys()]) }) : [];

  const local = (d: Date | null) => (d ? `${formatDateTime(d, timezone)} (${timezone})` : '-');
  let reminders = 0;
  await db.tx(async (m) => {
    // The transaction runner may run this work again after a deadlock: count this attempt only.
    reminders = 0;
    const tell = async (f: HandoverFile, kind: string, params: Record<string, string | number>, dedupeKey: string) => {
      const scope = await policy.projectScope(f.projectId, m);
      const written = await outbox.enqueue(m, {
        recipientId: f.holderId,
        kind,
        params: { fileId: f.id, serial: serialOf(f.id), project: scope.slice('project:'.length), ...params },
        objectType: 'handover_file',
        objectId: f.id,
        dedupeKey,
        scope,
      });
      if (written) reminders++;
    };
    for (const f of due) {
      await tell(f, 'handover.destruction_due', { deadline: local(f.destructionDeadline) }, `handover.destruction_due:${serialOf(f.id)}`);
    }
    for (const f of files) {
      await tell(
        f,
        'handover.destruction_overdue',
        { confirmedAt: local(f.confirmedAt), deadline: local(f.destructionDeadline) },
        `handover.destruction_overdue:${serialOf(f.id)}:${dayKey}`,
      );
    }
    for (const f of delegated) {
      const ds = byFile.get(f.id)!;
      await tell(
        f,
        'handover.delegation_expired',
        { delegations: ds.map((d) => d.id).join(', '), expiredAt: local(ds[0].expiresAt) },
        `handover.delegation_expired:${serialOf(f.id)}:${dayKey}`,
      );
    }
  });
  return { destructionDue: due.length, destructionOverdue: files.length, delegationsExpired: expired.length, reminders };
}
