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

/**
 * The daily reminders (handoverOverdueJob): to the holding lead of every file past its
 * destruction deadline, and of every file with a delegation past expiry that was not revoked.
 * One message per file, kind and day (the dedupe key carries the day): a rerun adds nothing.
 * Bodies name files by serial, never by their (possibly personal) file names, and give times on
 * the local wall clock of `timezone` (config.timezone), as the recipients read them.
 */
export async function flagOverdue(
  db: Database,
  outbox: NotificationOutbox,
  policy: PolicyService,
  asOf: Date,
  dayKey: string,
  timezone: string,
): Promise<{ destructionOverdue: number; delegationsExpired: number; reminders: number }> {
  const files = await db.manager
    .getRepository(HandoverFile)
    .createQueryBuilder('f')
    .where('f.status = :s', { s: 'pending_destruction' })
    .andWhere('f.destructionDeadline < :asOf', { asOf })
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

  const local = (d: Date | null) => (d ? `${formatDateTime(d, timezone)} (${timezone})` : 'an unrecorded time');
  let reminders = 0;
  await db.tx(async (m) => {
    // The transaction runner may run this work again after a deadlock: count this attempt only.
    reminders = 0;
    for (const f of files) {
      const project = policy.projectCode(f.projectId) ?? String(f.projectId);
      const written = await outbox.enqueue(m, {
        recipientId: f.holderId,
        kind: 'handover.destruction_overdue',
        subject: `Handover file ${serialOf(f.id)} is past its destruction deadline`,
        body:
          `Handover file ${serialOf(f.id)} of project ${project} was confirmed as entered on ${local(f.confirmedAt)} and was due for destruction by ` +
          `${local(f.destructionDeadline)}. Destroy it under supervision and with a witness (R-HANDOVER-DESTROY).`,
        objectType: 'handover_file',
        objectId: f.id,
        dedupeKey: `handover.destruction_overdue:${serialOf(f.id)}:${dayKey}`,
      });
      if (written) reminders++;
    }
    for (const f of delegated) {
      const ds = byFile.get(f.id)!;
      const project = policy.projectCode(f.projectId) ?? String(f.projectId);
      const written = await outbox.enqueue(m, {
        recipientId: f.holderId,
        kind: 'handover.delegation_expired',
        subject: `View access to handover file ${serialOf(f.id)} has expired and was not revoked`,
        body:
          `Handover file ${serialOf(f.id)} of project ${project}: ${ds.map((d) => `delegation ${d.id} to clerk user ${d.clerkId} expired ${local(d.expiresAt)}`).join('; ')}. ` +
          'Revoke it to record the end of the access (R-HANDOVER-HOLD).',
        objectType: 'handover_file',
        objectId: f.id,
        dedupeKey: `handover.delegation_expired:${serialOf(f.id)}:${dayKey}`,
      });
      if (written) reminders++;
    }
  });
  return { destructionOverdue: files.length, delegationsExpired: expired.length, reminders };
}
