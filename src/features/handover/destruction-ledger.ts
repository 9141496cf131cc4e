import { And, Between, EntityManager, In, IsNull, LessThan, MoreThanOrEqual } from 'typeorm';
import { HandoverDestruction } from '../../entities/HandoverDestruction';
import { HandoverFile } from '../../entities/HandoverFile';
import { TwoPersonConfirmation } from '../../entities/TwoPersonConfirmation';
import { User } from '../../entities/User';
import type { PolicyService } from '../../policy/policy-service';
import { isOpen } from '../confirmations/confirmation.service';
import { serialOf } from './handover-access';

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
  /** When the holder recorded it, and when the witness confirmed it from their own session (the crypto-shred); null before the two-person rule. */
  requestedAt: Date | null;
  witnessConfirmedAt: Date | null;
  confirmationId: number | null;
}

/**
 * A row of the §7 ledger form (R-LEDGER-FORM) for a destroyed handover file, beside the paper
 * copies: the holder as requester, the lead who confirmed the entry as approver, the witness and
 * when they confirmed. A destruction recorded in the period and still awaiting its witness (or
 * lapsed) is a row too, not destroyed.
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
  destroyedAt: Date | null;
  method: string | null;
  witness: string;
  witnessConfirmedAt: Date | null;
  /** The status column: destroyed, awaiting witness, confirmation expired. */
  status: string;
  /** Where the row sorts: the destruction, or the recording of one not (yet) confirmed. */
  at: Date;
}

const LEDGER_STATUS = { destroyed: '已銷毀 destroyed', pending: '待監銷確認 awaiting witness', expired: '確認逾期 confirmation expired' } as const;

/** The destruction record as the API shows it. */
export function destructionView(d: HandoverDestruction, policy: PolicyService): DestructionView {
  return {
    id: d.id,
    serial: serialOf(d.fileId),
    fileId: d.fileId,
    project: policy.projectCode(d.projectId) ?? String(d.projectId),
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
    requestedAt: d.requestedAt,
    witnessConfirmedAt: d.witnessConfirmedAt,
    confirmationId: d.confirmationId,
  };
}

/**
 * §7 ledger rows (R-LEDGER-FORM) for destructions in [from, to), and for destructions recorded
 * in the period that still await their witness or lapsed (not destroyed: shown as such).
 */
export async function destructionsForLedger(m: EntityManager, policy: PolicyService, from: Date, to: Date, projectIds: number[] | null): Promise<LedgerDestructionRow[]> {
  if (projectIds && !projectIds.length) return [];
  const inProjects = projectIds ? { projectId: In(projectIds) } : {};
  const rows = await m.getRepository(HandoverDestruction).find({
    where: { destroyedAt: Between(from, new Date(to.getTime() - 1)), ...inProjects },
    order: { destroyedAt: 'ASC', id: 'ASC' },
  });
  // Recorded in the period and not decided: awaiting the witness, or lapsed.
  const open = await m.getRepository(TwoPersonConfirmation).find({
    // decidedAt set on an expired one: closed by a custody transfer, not lapsed.
    where: { kind: 'handover_destruction', state: In(['pending', 'expired']), decidedAt: IsNull(), requestedAt: And(MoreThanOrEqual(from), LessThan(to)), ...inProjects },
    order: { requestedAt: 'ASC', id: 'ASC' },
  });
  if (!rows.length && !open.length) return [];
  const fileIds = [...new Set([...rows.map((r) => r.fileId), ...open.map((c) => Number(c.objectId))])];
  const files = new Map((await m.getRepository(HandoverFile).findBy({ id: In(fileIds) })).map((f) => [f.id, f]));
  const userIds = new Set<number>();
  for (const r of rows) userIds.add(r.supervisorId).add(r.witnessId);
  for (const c of open) userIds.add(c.requestedById).add(c.confirmerId);
  for (const f of files.values()) if (f.confirmedById) userIds.add(f.confirmedById);
  const names = new Map((await m.getRepository(User).findBy({ id: In([...userIds]) })).map((u) => [u.id, `${u.displayName} (${u.username})`]));
  const name = (id: number | null | undefined) => (id ? (names.get(id) ?? `user ${id}`) : null);
  const summary = (x: { fileName: string; format: string; byteSize: number; sha256: string }, reason: string | null) =>
    `Developer handover file "${x.fileName}" (${x.format.toUpperCase()}, ${x.byteSize} bytes, SHA-256 ${x.sha256.slice(0, 16)}…)${reason ? `; destroyed before confirmation: ${reason}` : ''}`;
  const now = new Date();
  const destroyed = rows.map((r): LedgerDestructionRow => {
    const f = files.get(r.fileId);
    return {
      serial: serialOf(r.fileId),
      project: policy.projectCode(r.projectId) ?? String(r.projectId),
      contentSummary: summary(r, r.reason),
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
      witnessConfirmedAt: r.witnessConfirmedAt,
      status: LEDGER_STATUS.destroyed,
      at: r.destroyedAt,
    };
  });
  const pending = open
    .filter((c) => files.has(Number(c.objectId)) && files.get(Number(c.objectId))!.status !== 'destroyed')
    .map((c): LedgerDestructionRow => {
      const f = files.get(Number(c.objectId))!;
      return {
        serial: serialOf(f.id),
        project: policy.projectCode(c.projectId) ?? String(c.projectId),
        contentSummary: summary(f, c.reason),
        requester: name(c.requestedById)!,
        approver: name(f.confirmedById),
        approvedAt: f.confirmedAt,
        issuedAt: f.uploadedAt,
        signedBy: null,
        expiry: f.destructionDeadline,
        returnedAt: null,
        destroyedAt: null,
        method: null,
        witness: name(c.confirmerId)!,
        witnessConfirmedAt: null,
        status: LEDGER_STATUS[isOpen(c, now) ? 'pending' : 'expired'],
        at: c.requestedAt,
      };
    });
  return [...destroyed, ...pending].sort((a, b) => a.at.getTime() - b.at.getTime());
}
